/**
 * Probability calibration shared by the trainer (which fits it) and the service (which applies it
 * to every classified pixel): temperature scaling (Guo et al. 2017, "On Calibration of Modern
 * Neural Networks") and the expected calibration error with its reliability bins.
 *
 * Temperature scaling divides the logits by T before the softmax. For a model whose output is
 * already a probability vector p (a softmax, or a mean of softmaxes), the same family is
 * p_T = p^(1/T) / sum(p^(1/T)) = softmax(log(p) / T): T > 1 softens over-confident outputs, the
 * arg-max (and so the crop map) never changes.
 */
import { argmaxRows } from './metrics.js';

/** Tempered probabilities of n rows of C classes (a new array; T = 1 returns a copy). */
export function applyTemperature(P: ArrayLike<number>, n: number, C: number, temperature: number): Float32Array {
  if (!(temperature > 0) || !Number.isFinite(temperature)) throw new Error(`temperature must be a positive number, got ${temperature}`);
  const out = new Float32Array(n * C);
  const inv = 1 / temperature;
  for (let i = 0; i < n; i++) {
    const o = i * C;
    let max = -Infinity;
    for (let j = 0; j < C; j++) {
      const p = P[o + j] as number;
      const l = p > 0 ? Math.log(p) * inv : -Infinity;
      out[o + j] = l;
      if (l > max) max = l;
    }
    if (max === -Infinity) {
      // An all-zero row (no information): leave it as it was.
      for (let j = 0; j < C; j++) out[o + j] = P[o + j] as number;
      continue;
    }
    let s = 0;
    for (let j = 0; j < C; j++) {
      const e = Math.exp((out[o + j] as number) - max);
      out[o + j] = e;
      s += e;
    }
    for (let j = 0; j < C; j++) out[o + j] = (out[o + j] as number) / s;
  }
  return out;
}

export interface ReliabilityBin {
  /** Lower and upper edge of the confidence bin (the top bin includes 1). */
  lo: number;
  hi: number;
  count: number;
  /** Mean top-class probability of the samples in the bin (0 if empty). */
  confidence: number;
  /** Fraction of them whose top class is right (0 if empty). */
  accuracy: number;
}

export interface Calibration {
  /** Expected calibration error: sum over bins of count/n * |accuracy - confidence|. */
  ece: number;
  /** Maximum calibration error over non-empty bins. */
  mce: number;
  bins: ReliabilityBin[];
}

/**
 * ECE of the top-class probability in `bins` equal-width bins (15 by default, as in Guo et al.).
 * y[i] is the reference class index of row i.
 */
export function calibrationError(P: ArrayLike<number>, y: ArrayLike<number>, n: number, C: number, bins = 15): Calibration {
  const count = new Float64Array(bins);
  const conf = new Float64Array(bins);
  const hit = new Float64Array(bins);
  const top = argmaxRows(P, n, C);
  for (let i = 0; i < n; i++) {
    const best = top[i] as number;
    const bestP = P[i * C + best] as number;
    const b = Math.min(bins - 1, Math.max(0, Math.ceil(bestP * bins) - 1));
    count[b] = (count[b] as number) + 1;
    conf[b] = (conf[b] as number) + bestP;
    if (best === (y[i] as number)) hit[b] = (hit[b] as number) + 1;
  }
  let ece = 0;
  let mce = 0;
  const out: ReliabilityBin[] = [];
  for (let b = 0; b < bins; b++) {
    const c = count[b] as number;
    const confidence = c > 0 ? (conf[b] as number) / c : 0;
    const accuracy = c > 0 ? (hit[b] as number) / c : 0;
    if (c > 0) {
      const gap = Math.abs(accuracy - confidence);
      ece += (c / n) * gap;
      mce = Math.max(mce, gap);
    }
    out.push({ lo: b / bins, hi: (b + 1) / bins, count: c, confidence, accuracy });
  }
  return { ece: n > 0 ? ece : 0, mce, bins: out };
}
