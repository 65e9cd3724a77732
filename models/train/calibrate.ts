/**
 * Fitting the temperature of models/contract/calibration.ts on out-of-fold probabilities: the T that
 * minimises the mean negative log-likelihood of the reference classes. The NLL is convex in 1/T, so
 * a golden-section search over log T in [0.05, 20] finds it; no library needed for one variable.
 */
import { applyTemperature } from '../contract/calibration.js';

export function negativeLogLikelihood(P: ArrayLike<number>, y: ArrayLike<number>, n: number, C: number): number {
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
