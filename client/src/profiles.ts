/**
 * Comparing a field's vegetation curve with others (pure): the typical curve of a class (median
 * per date), a region's average (mean per date), the peak and its rank, and the green-up date.
 */
import type { SeriesPoint } from './types';

export type Curve = Array<{ date: string; value: number | null }>;

function combine(curves: readonly Curve[], f: (vals: number[]) => number): Curve {
  const dates = [...new Set(curves.flatMap((c) => c.map((p) => p.date)))].sort();
  return dates.map((date) => {
    const vals = curves.map((c) => c.find((p) => p.date === date)?.value).filter((v): v is number => typeof v === 'number');
    return { date, value: vals.length ? f(vals) : null };
  });
}

const median = (v: number[]): number => {
  const s = [...v].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

export const medianCurve = (curves: readonly Curve[]): Curve => combine(curves, median);
export const meanCurve = (curves: readonly Curve[]): Curve => combine(curves, (v) => v.reduce((a, b) => a + b, 0) / v.length);

export function peak(c: readonly SeriesPoint[]): { date: string; value: number } | null {
  let best: { date: string; value: number } | null = null;
  for (const p of c) if (p.value !== null && (!best || p.value > best.value)) best = { date: p.date, value: p.value };
  return best;
}

/** Share of `others` strictly below `value` (ties count half). */
export function shareBelow(value: number, others: readonly number[]): number {
  if (!others.length) return NaN;
  let below = 0;
  for (const o of others) below += o < value ? 1 : o === value ? 0.5 : 0;
  return below / others.length;
}

/**
 * Green-up: the first date, before the peak, when the curve rises past halfway between its
 * pre-peak minimum and its peak.
 */
export function greenUp(c: readonly SeriesPoint[]): string | null {
  const pk = peak(c);
  if (!pk) return null;
  const before = c.filter((p) => p.date <= pk.date && p.value !== null) as Array<{ date: string; value: number }>;
  if (before.length < 2) return null;
  const min = Math.min(...before.map((p) => p.value));
  if (pk.value - min < 0.1) return null; // no clear green-up (forest, flat pasture)
  const half = min + (pk.value - min) / 2;
  const minIdx = before.findIndex((p) => p.value === min);
  return before.slice(minIdx).find((p) => p.value >= half)?.date ?? null;
}

export const daysBetween = (a: string, b: string): number => Math.round((Date.parse(b) - Date.parse(a)) / 86_400_000);
