/**
 * Mini-batch training of a TempCNN (models/train/tempcnn.ts) with AdamW, a cosine learning-rate
 * decay, optional class weighting and the temporal augmentations of the data-centric steps:
 *   - shift: the whole season moved by one composite earlier or later (edge value repeated), as a
 *     field sown two weeks early or late would look;
 *   - warp: a smooth time warp t -> t + a * sin(pi * t / (T - 1)) with |a| <= `warp` steps
 *     (linear interpolation), stretching one half of the season and squeezing the other;
 *   - noise: Gaussian noise on every value (in standardised units).
 * Inputs are standardised per variable (one mean/std per variable over all dates), so these
 * augmentations in standardised space are the same as in physical units.
 * Single-threaded and seeded: the same data and options always give the same weights.
 */
import { AdamW } from './adam.js';
import { initTempCnn, tempCnnDecayMask, tempCnnGradients, tempCnnParameters, type TempCnn, type TempCnnShape } from './tempcnn.js';
import { mulberry32, normal, shuffleInPlace, type Rng } from '../contract/prng.js';

export type ClassWeighting = 'none' | 'sqrt-balanced' | 'balanced';

interface TempCnnTrainOptions {
  filters: number[];
  kernel: number;
  dense: number;
  dropout: number;
  epochs: number;
  batchSize: number;
  learningRate: number;
  weightDecay: number;
  seed: number;
  classWeighting: ClassWeighting;
  /** Probability that a training series is shifted by one composite (either way). */
  shift: number;
  /** Largest time-warp amplitude in steps (0 = none); each series draws a in [-warp, warp]. */
  warp: number;
  /** Std of Gaussian noise added to each standardised value; 0 = none. */
  noise: number;
}

/** Class weights: none, sqrt(n / (C n_c)) or n / (C n_c). */
function classWeightsFor(y: Int32Array, C: number, mode: ClassWeighting): Float64Array {
  const w = new Float64Array(C).fill(1);
  if (mode === 'none') return w;
  const counts = new Float64Array(C);
  for (const c of y) counts[c] = (counts[c] as number) + 1;
  for (let c = 0; c < C; c++) {
    const cnt = counts[c] as number;
    const r = cnt > 0 ? y.length / (C * cnt) : 0;
    w[c] = mode === 'balanced' ? r : Math.sqrt(r);
  }
  return w;
}

/** Copies one standardised row [V, T] into dst with the drawn augmentations. */
function augmentRow(src: Float32Array, so: number, dst: Float64Array, d0: number, V: number, T: number, o: Pick<TempCnnTrainOptions, 'shift' | 'warp' | 'noise'>, rng: Rng): void {
  let s = 0;
  if (o.shift > 0 && rng() < o.shift) s = rng() < 0.5 ? -1 : 1;
  const a = o.warp > 0 ? (2 * rng() - 1) * o.warp : 0;
  for (let v = 0; v < V; v++) {
    const base = so + v * T;
    for (let t = 0; t < T; t++) {
      let pos = t - s + a * Math.sin((Math.PI * t) / (T - 1));
      if (pos < 0) pos = 0;
      if (pos > T - 1) pos = T - 1;
      const lo = Math.floor(pos);
      const hi = Math.min(T - 1, lo + 1);
      const fr = pos - lo;
      let x = (1 - fr) * (src[base + lo] as number) + fr * (src[base + hi] as number);
      if (o.noise > 0) x += o.noise * normal(rng);
      dst[d0 + v * T + t] = x;
    }
  }
}

/** Trains on standardised rows X [n, V*T] (variable-major) with labels y (0..C-1). */
export function trainTempCnn(X: Float32Array, y: Int32Array, n: number, V: number, T: number, C: number, o: TempCnnTrainOptions): TempCnn {
  const rng = mulberry32(o.seed);
  const shape: TempCnnShape = { variables: V, steps: T, filters: o.filters, kernel: o.kernel, dense: o.dense, classes: C };
  const model = initTempCnn(shape, rng);
  const cw = classWeightsFor(y, C, o.classWeighting);
  const opt = new AdamW(tempCnnParameters(model), tempCnnDecayMask(model, o.weightDecay), { learningRate: o.learningRate });
  const F = V * T;
  const order = Int32Array.from({ length: n }, (_, i) => i);
  const batchesPerEpoch = Math.ceil(n / o.batchSize);
  const totalSteps = o.epochs * batchesPerEpoch;
  let stepNo = 0;
  for (let epoch = 1; epoch <= o.epochs; epoch++) {
    shuffleInPlace(order, rng);
    for (let start = 0; start < n; start += o.batchSize) {
      const B = Math.min(o.batchSize, n - start);
      stepNo++;
      // A batch of one or two would give batch norm meaningless statistics; its samples come back
      // in another order next epoch.
      if (B < 4) continue;
      const xb = new Float64Array(B * F);
      const yb = new Int32Array(B);
      const wb = new Float64Array(B);
      for (let i = 0; i < B; i++) {
        const src = order[start + i] as number;
        augmentRow(X, src * F, xb, i * F, V, T, o, rng);
        const c = y[src] as number;
        yb[i] = c;
        wb[i] = cw[c] as number;
      }
      const { grads } = tempCnnGradients(model, xb, yb, wb, B, o.dropout, rng);
      const lr = o.learningRate * 0.5 * (1 + Math.cos((Math.PI * (stepNo - 1)) / totalSteps));
      opt.step(grads, lr);
    }
  }
  return model;
}
