/**
 * Percentile by linear interpolation between order statistics (Hyndman & Fan type 7; the default of
 * R's quantile(), NumPy's percentile() and Excel's PERCENTILE.INC): with the n values sorted
 * ascending, h = (n - 1) p / 100, result = x[floor h] + (h - floor h) (x[floor h + 1] - x[floor h]).
 */
export const PERCENTILE_METHOD = 'linear interpolation between order statistics (Hyndman-Fan type 7, as R quantile() / NumPy percentile() defaults)';

/**
 * The one percentile of the code base (server, workers and dashboard). `sorted: true` says the values
 * are already ascending (a large sorted sample is then read in place, not copied and sorted again).
 */
export function percentileLinear(values: ArrayLike<number>, p: number, opts: { sorted?: boolean } = {}): number {
  if (values.length === 0) throw new RangeError('percentile of an empty list');
  if (!(p >= 0 && p <= 100)) throw new RangeError(`percentile must be in [0, 100], got ${p}`);
  const x = opts.sorted ? values : Array.from(values).sort((a, b) => a - b);
  const h = ((x.length - 1) * p) / 100;
  const lo = Math.floor(h);
  const a = x[lo]!;
  const b = x[Math.min(lo + 1, x.length - 1)]!;
  return a + (h - lo) * (b - a);
}
