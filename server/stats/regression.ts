/**
 * Ordinary least squares of y on one x, with the slope's standard error and a two-sided 95 % interval
 * (Student t with n - 2 degrees of freedom). Pure. Hand-written: two sums and a t quantile table are
 * smaller than a statistics dependency.
 */
interface LineFit {
  n: number;
  intercept: number;
  slope: number;
  slopeSe: number | null;
  slopeCi95: [number, number] | null;
  residualSd: number | null;
}

/** t(0.975, df) for df 1..30; beyond 30 the normal 1.96 is within 2 %. */
const T975 = [12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.16, 2.145, 2.131, 2.12, 2.11, 2.101, 2.093, 2.086, 2.08, 2.074, 2.069, 2.064, 2.06, 2.056, 2.052, 2.048, 2.045, 2.042];
const t975 = (df: number) => (df < 1 ? NaN : df <= 30 ? T975[df - 1]! : 1.96);

export function fitLine(x: readonly number[], y: readonly number[]): LineFit {
  const n = x.length;
  if (n !== y.length || n < 2) throw new RangeError(`need at least 2 paired values, got ${n}`);
  const mx = x.reduce((a, b) => a + b, 0) / n;
  const my = y.reduce((a, b) => a + b, 0) / n;
  let sxx = 0;
  let sxy = 0;
  for (let i = 0; i < n; i++) {
    sxx += (x[i]! - mx) ** 2;
    sxy += (x[i]! - mx) * (y[i]! - my);
  }
  if (sxx === 0) throw new RangeError('x has no spread');
  const slope = sxy / sxx;
  const intercept = my - slope * mx;
  if (n < 3) return { n, intercept, slope, slopeSe: null, slopeCi95: null, residualSd: null };
  let sse = 0;
  for (let i = 0; i < n; i++) sse += (y[i]! - intercept - slope * x[i]!) ** 2;
  const residualSd = Math.sqrt(sse / (n - 2));
  const slopeSe = residualSd / Math.sqrt(sxx);
  const t = t975(n - 2);
  return { n, intercept, slope, slopeSe, slopeCi95: [slope - t * slopeSe, slope + t * slopeSe], residualSd };
}

export const mean = (v: readonly number[]) => v.reduce((a, b) => a + b, 0) / v.length;

/** Share of values strictly below x plus half the ties, in [0, 1] (mid-rank percentile). */
export function percentRank(values: readonly number[], x: number): number {
  let below = 0;
  let equal = 0;
  for (const v of values) {
    if (v < x) below++;
    else if (v === x) equal++;
  }
  return values.length ? (below + equal / 2) / values.length : NaN;
}
