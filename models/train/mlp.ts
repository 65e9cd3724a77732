/**
 * A fully connected network (Dense-ReLU-...-Dense-Softmax): parameters, forward pass and gradients.
 * Hand-written because the product must train in TypeScript without Python, and no maintained
 * JS library trains deterministically on the CPU in one thread; the network is tiny (~5k weights),
 * so plain loops over Float64Arrays are fast enough. (A small TempCNN was also tried, see
 * models/README.md: no clear gain for 10-20x the training time, so it was not kept.)
 *
 * W[l] is stored [in, out] row-major: exactly the ONNX MatMul initializer for input [N, in].
 */
import { normal, type Rng } from '../contract/prng.js';

export interface Mlp {
  /** Layer widths, input first, classes last, e.g. [46, 64, 32, 9]. */
  sizes: number[];
  W: Float64Array[];
  b: Float64Array[];
}

/** He-normal initialisation (suits ReLU), zero biases. */
export function initMlp(sizes: number[], rng: Rng): Mlp {
  const W: Float64Array[] = [];
  const b: Float64Array[] = [];
  for (let l = 0; l + 1 < sizes.length; l++) {
    const fanIn = sizes[l] as number;
    const fanOut = sizes[l + 1] as number;
    const scale = Math.sqrt(2 / fanIn);
    W.push(Float64Array.from({ length: fanIn * fanOut }, () => normal(rng) * scale));
    b.push(new Float64Array(fanOut));
  }
  return { sizes: [...sizes], W, b };
}

/** Rounds all parameters to float32, the precision of the exported ONNX initializers. */
export function roundToFloat32(m: Mlp): Mlp {
  return { sizes: [...m.sizes], W: m.W.map((w) => w.map((x) => Math.fround(x))), b: m.b.map((x) => x.map((v) => Math.fround(v))) };
}

/** Parameter arrays in a fixed order (all W, then all b), as the optimiser sees them. */
export function parameters(m: Mlp): Float64Array[] {
  return [...m.W, ...m.b];
}

/** out[n, outW] = X[n, inW] @ W + b (ReLU applied if `relu`). */
function dense(
  X: ArrayLike<number>,
  n: number,
  W: Float64Array,
  b: Float64Array,
  inW: number,
  outW: number,
  relu: boolean,
  out = new Float64Array(n * outW),
): Float64Array {
  for (let i = 0; i < n; i++) {
    const o = i * outW;
    for (let j = 0; j < outW; j++) out[o + j] = b[j] as number;
    for (let k = 0; k < inW; k++) {
      const a = X[i * inW + k] as number;
      if (a === 0) continue; // ReLU outputs are often exactly 0
      const w = k * outW;
      for (let j = 0; j < outW; j++) out[o + j] = (out[o + j] as number) + a * (W[w + j] as number);
    }
    if (relu) for (let j = 0; j < outW; j++) if ((out[o + j] as number) < 0) out[o + j] = 0;
  }
  return out;
}

/** Row-wise softmax in place (max-subtracted for stability). */
function softmaxRows(Z: Float64Array, n: number, k: number): Float64Array {
  for (let i = 0; i < n; i++) {
    const o = i * k;
    let max = -Infinity;
    for (let j = 0; j < k; j++) max = Math.max(max, Z[o + j] as number);
    let sum = 0;
    for (let j = 0; j < k; j++) {
      const e = Math.exp((Z[o + j] as number) - max);
      Z[o + j] = e;
      sum += e;
    }
    for (let j = 0; j < k; j++) Z[o + j] = (Z[o + j] as number) / sum;
  }
  return Z;
}

/** Activations of every layer for a batch: acts[0] = input, acts[L] = class probabilities. */
export function forwardAll(m: Mlp, X: ArrayLike<number>, n: number): Float64Array[] {
  const L = m.W.length;
  const acts: Float64Array[] = [X instanceof Float64Array ? X : Float64Array.from(X)];
  for (let l = 0; l < L; l++) {
    const last = l === L - 1;
    const z = dense(acts[l] as Float64Array, n, m.W[l] as Float64Array, m.b[l] as Float64Array, m.sizes[l] as number, m.sizes[l + 1] as number, !last);
    acts.push(last ? softmaxRows(z, n, m.sizes[l + 1] as number) : z);
  }
  return acts;
}

/** Class probabilities [n, classes] for already-normalised inputs. */
export function predictProba(m: Mlp, X: ArrayLike<number>, n: number): Float64Array {
  return forwardAll(m, X, n)[m.W.length] as Float64Array;
}

/**
 * Gradients of the weighted mean cross-entropy for one batch, given forwardAll's activations.
 * sampleWeight[i] weights sample i's loss (class weighting); the loss is sum(w_i * ce_i) / sum(w_i).
 */
export function backward(
  m: Mlp,
  acts: Float64Array[],
  y: ArrayLike<number>,
  sampleWeight: ArrayLike<number>,
  n: number,
): { gW: Float64Array[]; gb: Float64Array[]; loss: number } {
  const L = m.W.length;
  const C = m.sizes[L] as number;
  const P = acts[L] as Float64Array;
  let wsum = 0;
  for (let i = 0; i < n; i++) wsum += sampleWeight[i] as number;
  let loss = 0;
  let delta = new Float64Array(n * C);
  for (let i = 0; i < n; i++) {
    const w = (sampleWeight[i] as number) / wsum;
    const yi = y[i] as number;
    loss -= w * Math.log(Math.max(P[i * C + yi] as number, 1e-12));
    for (let j = 0; j < C; j++) delta[i * C + j] = w * ((P[i * C + j] as number) - (j === yi ? 1 : 0));
  }
  const gW: Float64Array[] = new Array(L);
  const gb: Float64Array[] = new Array(L);
  for (let l = L - 1; l >= 0; l--) {
    const inW = m.sizes[l] as number;
    const outW = m.sizes[l + 1] as number;
    const A = acts[l] as Float64Array;
    const W = m.W[l] as Float64Array;
    const dW = new Float64Array(inW * outW);
    const db = new Float64Array(outW);
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < outW; j++) db[j] = (db[j] as number) + (delta[i * outW + j] as number);
      for (let k = 0; k < inW; k++) {
        const a = A[i * inW + k] as number;
        if (a === 0) continue;
        for (let j = 0; j < outW; j++) dW[k * outW + j] = (dW[k * outW + j] as number) + a * (delta[i * outW + j] as number);
      }
    }
    gW[l] = dW;
    gb[l] = db;
    if (l > 0) {
      // delta_prev = (delta @ W^T) * relu'(A)
      const prev = new Float64Array(n * inW);
      for (let i = 0; i < n; i++) {
        for (let k = 0; k < inW; k++) {
          if ((A[i * inW + k] as number) <= 0) continue;
          let s = 0;
          for (let j = 0; j < outW; j++) s += (delta[i * outW + j] as number) * (W[k * outW + j] as number);
          prev[i * inW + k] = s;
        }
      }
      delta = prev;
    }
  }
  return { gW, gb, loss };
}
