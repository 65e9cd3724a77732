/**
 * Per-feature standardisation (x - mean) / std, the card's `normalisation: {type: "standardize"}`.
 * mean and std are rounded to 6 decimals before use, so the numbers written in the model card are
 * exactly the numbers the network was trained with (and the card stays readable).
 */
export interface Standardization {
  mean: number[];
  std: number[];
}

const round6 = (x: number): number => Math.round(x * 1e6) / 1e6;

export function fitStandardization(X: Float32Array, n: number, F: number): Standardization {
  const mean = new Array<number>(F).fill(0);
  const std = new Array<number>(F).fill(0);
  for (let j = 0; j < F; j++) {
    let s = 0;
    for (let i = 0; i < n; i++) s += X[i * F + j] as number;
    const m = s / n;
    let ss = 0;
    for (let i = 0; i < n; i++) {
      const d = (X[i * F + j] as number) - m;
      ss += d * d;
    }
    mean[j] = round6(m);
    // A constant feature would divide by zero; 1 leaves it centred and harmless.
    const sd = round6(Math.sqrt(ss / n));
    std[j] = sd > 1e-6 ? sd : 1;
  }
  return { mean, std };
}

/**
 * Applies the standardisation in float32, the way onnx-session's classify does at inference, so
 * training sees bit-for-bit the inputs the shipped model will see.
 */
export function applyStandardization(X: Float32Array, n: number, s: Standardization): Float32Array {
  const F = s.mean.length;
  const out = new Float32Array(n * F);
  const mean = Float32Array.from(s.mean);
  const std = Float32Array.from(s.std);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < F; j++) {
      out[i * F + j] = Math.fround((X[i * F + j] as number) - (mean[j] as number)) / (std[j] as number);
    }
  }
  return out;
}
