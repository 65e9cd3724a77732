/**
 * Statistical suitability of a crop in a municipality, from its yield history (IBGE PAM), against the
 * state: level (mean yield of the window), trend (OLS slope, kg/ha per year) and stability (coefficient
 * of variation of the detrended yields), each as a percentile among the state's municipalities that
 * grow the crop; the index is their mean (0-100). Statistical, not agronomic: it says how the crop has
 * done here, not what soil and climate allow. Pure.
 */
import { fitLine, mean, percentRank } from '../stats/regression.js';

interface YieldSeries {
  regionId: string;
  name: string;
  /** year -> yield kg/ha (unknown years absent) */
  yields: ReadonlyMap<number, number>;
}

export interface SuitabilityRow {
  regionId: string;
  name: string;
  crop: string;
  years: [number, number];
  yearsWithData: number;
  available: boolean;
  reason: string | null;
  /** language-neutral reason (the dashboard words it) */
  reasonCode: 'too-few-years' | null;
  minYears: number;
  meanYieldKgHa: number | null;
  levelVsStateMedian: number | null;
  trendKgHaPerYear: number | null;
  trendCi95: [number, number] | null;
  cvDetrendedPct: number | null;
  levelPercentile: number | null;
  trendPercentile: number | null;
  stabilityPercentile: number | null;
  index: number | null;
  class: 'higher' | 'middle' | 'lower' | null;
}

interface SuitabilityOptions {
  years: [number, number];
  /** years with data a municipality needs (default 7 of a 10-year window) */
  minYears: number;
}

interface Stats {
  meanYield: number;
  slope: number;
  ci: [number, number] | null;
  cv: number;
  n: number;
}

function statsOf(s: YieldSeries, [y0, y1]: [number, number]): Stats | null {
  const xs: number[] = [];
  const ys: number[] = [];
  for (let y = y0; y <= y1; y++) {
    const v = s.yields.get(y);
    if (v !== undefined && v > 0) {
      xs.push(y);
      ys.push(v);
    }
  }
  if (xs.length < 3) return null;
  const f = fitLine(xs, ys);
  const m = mean(ys);
  return { meanYield: m, slope: f.slope, ci: f.slopeCi95, cv: (f.residualSd ?? 0) / m, n: xs.length };
}

const r = (x: number, d = 1) => Math.round(x * 10 ** d) / 10 ** d;

export function suitability(series: readonly YieldSeries[], crop: string, opts: SuitabilityOptions): SuitabilityRow[] {
  const stats = new Map<string, Stats>();
  for (const s of series) {
    const st = statsOf(s, opts.years);
    if (st && st.n >= opts.minYears) stats.set(s.regionId, st);
  }
  const all = [...stats.values()];
  const means = all.map((s) => s.meanYield).sort((a, b) => a - b);
  const median = means.length ? (means[Math.floor((means.length - 1) / 2)]! + means[Math.ceil((means.length - 1) / 2)]!) / 2 : NaN;
  const slopes = all.map((s) => s.slope);
  const cvs = all.map((s) => s.cv);
  return series.map((s) => {
    const st = stats.get(s.regionId);
    const base = { regionId: s.regionId, name: s.name, crop, years: opts.years, yearsWithData: statsOf(s, opts.years)?.n ?? 0, minYears: opts.minYears };
    if (!st) {
      return { ...base, available: false, reasonCode: 'too-few-years' as const, reason: `fewer than ${opts.minYears} years with a known yield in ${opts.years[0]}-${opts.years[1]} (PAM zeros are read as unknown)`, meanYieldKgHa: null, levelVsStateMedian: null, trendKgHaPerYear: null, trendCi95: null, cvDetrendedPct: null, levelPercentile: null, trendPercentile: null, stabilityPercentile: null, index: null, class: null };
    }
    const level = 100 * percentRank(means, st.meanYield);
    const trend = 100 * percentRank(slopes, st.slope);
    const stability = 100 * (1 - percentRank(cvs, st.cv));
    const index = (level + trend + stability) / 3;
    return {
      ...base,
      available: true,
      reason: null,
      reasonCode: null,
      meanYieldKgHa: Math.round(st.meanYield),
      levelVsStateMedian: r(st.meanYield / median, 3),
      trendKgHaPerYear: r(st.slope),
      trendCi95: st.ci ? [r(st.ci[0]), r(st.ci[1])] : null,
      cvDetrendedPct: r(100 * st.cv),
      levelPercentile: r(level),
      trendPercentile: r(trend),
      stabilityPercentile: r(stability),
      index: r(index),
      class: index >= 200 / 3 ? 'higher' : index >= 100 / 3 ? 'middle' : 'lower',
    };
  });
}

/**
 * "Would another crop do better here?": the crops compared by their index (each crop's place among the
 * state's municipalities), not by kg/ha, which differ between crops by nature.
 */
export function compareCrops(rows: readonly SuitabilityRow[]): { best: string | null; verdict: 'one-crop' | 'best' | 'similar'; indexDifference: number | null; ranking: Array<{ crop: string; index: number | null; levelVsStateMedian: number | null }>; note: string } {
  const ranking = rows.map((r) => ({ crop: r.crop, index: r.index, levelVsStateMedian: r.levelVsStateMedian })).sort((a, b) => (b.index ?? -1) - (a.index ?? -1));
  const avail = ranking.filter((r) => r.index !== null);
  const best = avail.length >= 2 && avail[0]!.index! - avail[1]!.index! >= 10 ? avail[0]!.crop : null;
  const note = avail.length < 2
    ? 'only one crop has enough history here: no comparison'
    : best
      ? `${best} ranks higher against the state than ${avail.slice(1).map((a) => a.crop).join(', ')} (index difference ${Math.round(avail[0]!.index! - avail[1]!.index!)} points)`
      : 'the crops rank within 10 index points of each other: no clear difference';
  const verdict = avail.length < 2 ? 'one-crop' : best ? 'best' : 'similar';
  const indexDifference = avail.length < 2 ? null : Math.round(avail[0]!.index! - avail[1]!.index!);
  return { best, verdict, indexDifference, ranking, note: `${note}. Statistical comparison of the crops the data has (IBGE PAM soybean and maize; maize includes the second crop), not agronomic advice.` };
}
