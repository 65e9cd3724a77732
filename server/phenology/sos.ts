/**
 * Start of season (SOS) from a season's vegetation-index curve. Pure.
 *
 * Method (TIMESAT's "fraction of the seasonal amplitude", Jönsson & Eklundh 2004, applied to the first
 * growing cycle of a September-August season):
 *   1. gaps (null/NaN) are filled by linear interpolation between the nearest valid composites;
 *   2. the series is smoothed with a Savitzky-Golay filter (window 5, quadratic; edges use the
 *      nearest full window's fit, i.e. they are left as the gap-filled values);
 *   3. the season amplitude A = max - min of the smoothed curve; below `minAmplitude` (default 0.1
 *      NDVI/EVI units) the pixel has no season (forest, water, bare soil);
 *   4. the first cycle is the first local maximum p whose rise above the minimum before it is at
 *      least half of A (so a second crop higher than the first does not hide the first);
 *   5. SOS is the first time after that minimum b where the smoothed curve rises through
 *      base + fraction x (peak - base) (default fraction 0.2), linearly interpolated between the
 *      two composites around the crossing.
 * Dates are the composites' nominal dates (MOD13Q1: the first day of the 16-day window), so SOS is
 * only as precise as one composite (16 days). Day of season counts days from 1 September of the
 * season's first year (day 0 = 1 September).
 *
 * Hand-written: the Savitzky-Golay weights for window 5 are five constants, and no npm library
 * implements the TIMESAT amplitude rule.
 */

export interface SosOptions {
  /** fraction of the first cycle's amplitude the curve must rise through (0 < f < 1), default 0.2 */
  fraction?: number;
  /** smallest season amplitude (index units) that counts as a growing season, default 0.1 */
  minAmplitude?: number;
}

type SosStatus = 'ok' | 'no-season' | 'no-data' | 'base-at-window-start';

interface SosResult {
  status: SosStatus;
  /** ISO date of the start of season (interpolated), null unless a cycle was found */
  date: string | null;
  /** days since 1 September of the season's first year */
  dayOfSeason: number | null;
  /** smoothed minimum before the first cycle, its peak, the season amplitude (index units) */
  base: number | null;
  peak: number | null;
  peakDate: string | null;
  amplitude: number | null;
  /** the smoothed curve the dates were read from */
  smoothed: number[];
}

export const SOS_DEFAULTS = { fraction: 0.2, minAmplitude: 0.1 } as const;

export const SOS_METHOD =
  'Start of season = first date the Savitzky-Golay-smoothed (window 5, quadratic) NDVI/EVI curve of the September-August season rises through 20 % of its first cycle\'s amplitude above the minimum before it (TIMESAT-style amplitude fraction; Jönsson & Eklundh 2004); no season where the amplitude is below 0.1; precision one 16-day composite; day of season counts from 1 September.';

const DAY = 86_400_000;
const SG5 = [-3, 12, 17, 12, -3].map((w) => w / 35);

export function fillGaps(values: ReadonlyArray<number | null>): number[] | null {
  const v = values.map((x) => (x === null || !Number.isFinite(x) ? NaN : x));
  const valid = v.map((x, i) => (Number.isNaN(x) ? -1 : i)).filter((i) => i >= 0);
  if (valid.length < 3) return null;
  const out = v.slice();
  for (let i = 0; i < out.length; i++) {
    if (!Number.isNaN(out[i]!)) continue;
    const prev = [...valid].reverse().find((j) => j < i);
    const next = valid.find((j) => j > i);
    if (prev === undefined) out[i] = v[next!]!;
    else if (next === undefined) out[i] = v[prev]!;
    else out[i] = v[prev]! + ((v[next]! - v[prev]!) * (i - prev)) / (next - prev);
  }
  return out;
}

export function savitzkyGolay5(v: readonly number[]): number[] {
  if (v.length < 5) return v.slice();
  return v.map((x, i) => (i < 2 || i > v.length - 3 ? x : SG5.reduce((s, w, k) => s + w * v[i - 2 + k]!, 0)));
}

/** Day of season: days since 1 September of `seasonYear` (UTC). */
export function dayOfSeason(dateMs: number, seasonYear: number): number {
  return Math.round((dateMs - Date.UTC(seasonYear, 8, 1)) / DAY);
}

export function seasonYearOf(date: string, startMonth = 9): number {
  const y = Number(date.slice(0, 4));
  return Number(date.slice(5, 7)) >= startMonth ? y : y - 1;
}

const iso = (ms: number) => new Date(ms).toISOString().slice(0, 10);

/** Start of season of one season's curve (dates ascending, ISO yyyy-mm-dd). */
export function startOfSeason(dates: readonly string[], values: ReadonlyArray<number | null>, opts: SosOptions = {}): SosResult {
  const fraction = opts.fraction ?? SOS_DEFAULTS.fraction;
  const minAmplitude = opts.minAmplitude ?? SOS_DEFAULTS.minAmplitude;
  if (!(fraction > 0 && fraction < 1)) throw new RangeError(`fraction must be in (0, 1), got ${fraction}`);
  if (dates.length !== values.length) throw new RangeError(`dates (${dates.length}) and values (${values.length}) differ in length`);
  const empty = (status: SosStatus, smoothed: number[] = []): SosResult => ({ status, date: null, dayOfSeason: null, base: null, peak: null, peakDate: null, amplitude: null, smoothed });
  const filled = fillGaps(values);
  if (!filled || dates.length === 0) return empty('no-data');
  const s = savitzkyGolay5(filled);
  const t = dates.map((d) => Date.parse(`${d}T00:00:00Z`));
  const season = seasonYearOf(dates[0]!);
  let lo = Infinity;
  let hi = -Infinity;
  for (const x of s) {
    lo = Math.min(lo, x);
    hi = Math.max(hi, x);
  }
  const amplitude = hi - lo;
  if (amplitude < minAmplitude) return { ...empty('no-season', s), amplitude };
  // first local maximum rising at least A/2 above the minimum before it
  let b = 0;
  let p = -1;
  for (let i = 0; i < s.length; i++) {
    if (s[i]! < s[b]!) b = i;
    const isMax = (i === s.length - 1 || s[i]! >= s[i + 1]!) && (i === 0 || s[i]! >= s[i - 1]!);
    if (isMax && s[i]! - s[b]! >= amplitude / 2) {
      p = i;
      break;
    }
  }
  if (p < 0) return { ...empty('no-season', s), amplitude };
  const base = s[b]!;
  const peak = s[p]!;
  const level = base + fraction * (peak - base);
  let k = b;
  while (k < p && s[k + 1]! < level) k++;
  // crossing between k and k+1 (k === p only if the level is reached at the peak itself)
  let ms: number;
  if (s[b]! >= level || k >= p) ms = t[b]!;
  else {
    const f = (level - s[k]!) / (s[k + 1]! - s[k]!);
    ms = t[k]! + f * (t[k + 1]! - t[k]!);
  }
  const status: SosStatus = b === 0 ? 'base-at-window-start' : 'ok';
  return { status, date: iso(ms), dayOfSeason: dayOfSeason(ms, season), base: round(base), peak: round(peak), peakDate: dates[p]!, amplitude: round(amplitude), smoothed: s.map(round) };
}

const round = (x: number) => Math.round(x * 1e4) / 1e4;

/** Groups ascending ISO dates into September-August seasons: season year -> indices. */
export function seasonsOf(dates: readonly string[], startMonth = 9): Map<number, number[]> {
  const out = new Map<number, number[]>();
  dates.forEach((d, i) => {
    const y = seasonYearOf(d, startMonth);
    out.set(y, [...(out.get(y) ?? []), i]);
  });
  return out;
}
