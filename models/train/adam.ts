/**
 * AdamW (Kingma & Ba 2015, with Loshchilov & Hutter's decoupled weight decay) over a list of
 * parameter arrays. Hand-written: a few lines, and it keeps training free of native dependencies.
 */
interface AdamWOptions {
  learningRate: number;
  beta1?: number;
  beta2?: number;
  eps?: number;
}

export class AdamW {
  private readonly m: Float64Array[];
  private readonly v: Float64Array[];
  private t = 0;
  constructor(
    private readonly params: Float64Array[],
    /** Weight decay per parameter array (0 for biases). */
    private readonly decay: number[],
    private readonly o: AdamWOptions,
  ) {
    this.m = params.map((p) => new Float64Array(p.length));
    this.v = params.map((p) => new Float64Array(p.length));
  }

  /** One update with gradients aligned to the constructor's params; lr may follow a schedule. */
  step(grads: Float64Array[], learningRate = this.o.learningRate): void {
    const b1 = this.o.beta1 ?? 0.9;
    const b2 = this.o.beta2 ?? 0.999;
    const eps = this.o.eps ?? 1e-8;
    this.t++;
    const bc1 = 1 - Math.pow(b1, this.t);
    const bc2 = 1 - Math.pow(b2, this.t);
    this.params.forEach((p, k) => {
      const g = grads[k] as Float64Array;
      const m = this.m[k] as Float64Array;
      const v = this.v[k] as Float64Array;
      const shrink = 1 - learningRate * (this.decay[k] as number);
      for (let i = 0; i < p.length; i++) {
        const gi = g[i] as number;
        const mi = b1 * (m[i] as number) + (1 - b1) * gi;
        const vi = b2 * (v[i] as number) + (1 - b2) * gi * gi;
        m[i] = mi;
        v[i] = vi;
        p[i] = (p[i] as number) * shrink - (learningRate * (mi / bc1)) / (Math.sqrt(vi / bc2) + eps);
      }
    });
  }
}
