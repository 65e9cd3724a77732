/**
 * Fitting the temperature of models/contract/calibration.ts on out-of-fold probabilities: the T that
 * minimises the mean negative log-likelihood of the reference classes. The NLL is convex in 1/T, so
 * a golden-section search over log T in [0.05, 20] finds it; no library needed for one variable.
 */
import { applyTemperature, calibrationError, type Calibration } from '../contract/calibration.js';

function negativeLogLikelihood(P: ArrayLike<number>, y: ArrayLike<number>, n: number, C: number): number {
  let s = 0;
  for (let i = 0; i < n; i++) s -= Math.log(Math.max(P[i * C + (y[i] as number)] as number, 1e-12));
  return s / Math.max(1, n);
}

export function fitTemperature(P: ArrayLike<number>, y: ArrayLike<number>, n: number, C: number): number {
  const f = (logT: number): number => negativeLogLikelihood(applyTemperature(P, n, C, Math.exp(logT)), y, n, C);
  let a = Math.log(0.05);
  let b = Math.log(20);
  const g = (Math.sqrt(5) - 1) / 2;
  let c = b - g * (b - a);
  let d = a + g * (b - a);
  let fc = f(c);
  let fd = f(d);
  for (let it = 0; it < 60; it++) {
    if (fc < fd) {
      b = d;
      d = c;
      fd = fc;
      c = b - g * (b - a);
      fc = f(c);
    } else {
      a = c;
      c = d;
      fc = fd;
      d = a + g * (b - a);
      fd = f(d);
    }
  }
  // Rounded so the card states exactly the value the service applies.
  return Math.round(Math.exp((a + b) / 2) * 1e4) / 1e4;
}

interface OutOfFoldCalibration {
  /** Temperature fitted on all out-of-fold rows: the one the released model carries. */
  temperature: number;
  before: Calibration;
  /** Cross-fitted: each fold's rows tempered with a T fitted on the other folds only. */
  after: Calibration;
  bins: number;
}

/**
 * Temperature and honest ECE figures from cross-validation's out-of-fold probabilities: the "after"
 * ECE never scores rows with a temperature fitted on them (fold f uses T fitted on the other folds).
 */
export function calibrateOutOfFold(oof: Float64Array, y: Int32Array, foldOf: Int32Array, k: number, C: number, bins = 15): OutOfFoldCalibration {
  const n = y.length;
  const tempered = new Float32Array(n * C);
  for (let f = 0; f < k; f++) {
    const fit: number[] = [];
    const held: number[] = [];
    foldOf.forEach((g, i) => (g === f ? held : fit).push(i));
    if (held.length === 0) continue;
    const rows = (idx: number[]): Float64Array => {
      const out = new Float64Array(idx.length * C);
      idx.forEach((r, j) => out.set(oof.subarray(r * C, r * C + C), j * C));
      return out;
    };
    const Tf = fitTemperature(rows(fit), Int32Array.from(fit, (i) => y[i] as number), fit.length, C);
    const t = applyTemperature(rows(held), held.length, C, Tf);
    held.forEach((r, j) => tempered.set(t.subarray(j * C, j * C + C), r * C));
  }
  return {
    temperature: fitTemperature(oof, y, n, C),
    before: calibrationError(oof, y, n, C, bins),
    after: calibrationError(tempered, y, n, C, bins),
    bins,
  };
}
