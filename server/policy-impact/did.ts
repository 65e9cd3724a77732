/**
 * Policy impact by difference in differences on a matched comparison group. Pure.
 *
 *   pre  = [start - preYears, start - 1], post = [start, start + postYears - 1] (within the data)
 *   each treated municipality is matched to the `k` untreated ones nearest in the pre-period level and
 *   trend of the indicator (Euclidean on standardised pre-mean and pre-slope; with replacement);
 *   d_i = (post mean - pre mean) of treated i - the same averaged over its matches; effect = mean d_i.
 *   95 % interval: bootstrap (treated units resampled, and the matches of each), percentiles 2.5/97.5.
 *   Placebo: the same estimator with a fake start inside the pre-period (only pre-period years used);
 *   a sound design finds no effect there (interval covering 0).
 * Assumes parallel trends after matching and no spill-over to the comparison group; says so.
 */
import { mulberry32 } from '../../models/contract/prng.js';
import { fitLine, mean } from '../stats/regression.js';
import { percentileLinear } from '../analytics/percentile.js';

type Panel = ReadonlyMap<string, ReadonlyMap<number, number>>;

interface DidOptions {
  treated: readonly string[];
  start: number;
  preYears: number;
  postYears: number;
  controls: number;
  bootstrap: number;
  seed: number;
}

interface DidEstimate {
  effect: number;
  ci95: [number, number];
  pre: [number, number];
  post: [number, number];
  treatedUsed: string[];
  treatedDropped: Array<{ regionId: string; reason: string }>;
  matches: Array<{ regionId: string; controls: string[] }>;
  perTreated: Array<{ regionId: string; effect: number }>;
  series: Array<{ year: number; treatedMean: number | null; comparisonMean: number | null }>;
}

export class DidError extends Error {}

const complete = (s: ReadonlyMap<number, number> | undefined, y0: number, y1: number) => {
  if (!s) return false;
  for (let y = y0; y <= y1; y++) if (!s.has(y)) return false;
  return true;
};
const meanOver = (s: ReadonlyMap<number, number>, y0: number, y1: number) => {
  const v: number[] = [];
  for (let y = y0; y <= y1; y++) if (s.has(y)) v.push(s.get(y)!);
  return mean(v);
};

export function differenceInDifferences(panel: Panel, o: DidOptions): DidEstimate {
  const lastYear = Math.max(...[...panel.values()].flatMap((s) => [...s.keys()]));
  const pre: [number, number] = [o.start - o.preYears, o.start - 1];
  const post: [number, number] = [o.start, Math.min(o.start + o.postYears - 1, lastYear)];
  if (post[1] < post[0]) throw new DidError(`no data from ${o.start} on (the data end in ${lastYear})`);
  if (o.preYears < 2) throw new DidError('at least 2 pre-period years are needed');
  const treatedSet = new Set(o.treated);
  const dropped: DidEstimate['treatedDropped'] = [];
  const treated = o.treated.filter((id) => {
    const ok = complete(panel.get(id), pre[0], pre[1]) && complete(panel.get(id), post[0], post[1]);
    if (!ok) dropped.push({ regionId: id, reason: `missing values in ${pre[0]}-${post[1]}` });
    return ok;
  });
  if (treated.length === 0) throw new DidError(`no chosen municipality has the indicator for every year ${pre[0]}-${post[1]}`);
  const donors = [...panel.keys()].filter((id) => !treatedSet.has(id) && complete(panel.get(id), pre[0], post[1])).sort();
  if (donors.length < o.controls) throw new DidError(`only ${donors.length} comparison municipalities have the indicator for every year ${pre[0]}-${post[1]}; ${o.controls} are needed`);

  const years = Array.from({ length: pre[1] - pre[0] + 1 }, (_, i) => pre[0] + i);
  const feat = (id: string) => {
    const s = panel.get(id)!;
    return [meanOver(s, pre[0], pre[1]), fitLine(years, years.map((y) => s.get(y)!)).slope];
  };
  const donorFeat = donors.map(feat);
  const sd = [0, 1].map((k) => {
    const v = donorFeat.map((f) => f[k]!);
    const m = mean(v);
    return Math.sqrt(mean(v.map((x) => (x - m) ** 2))) || 1;
  });
  const change = (id: string) => meanOver(panel.get(id)!, post[0], post[1]) - meanOver(panel.get(id)!, pre[0], pre[1]);
  const donorChange = new Map(donors.map((d) => [d, change(d)]));
  const matches = treated.map((id) => {
    const f = feat(id);
    const near = donors
      .map((d, i) => ({ d, dist: Math.hypot((donorFeat[i]![0]! - f[0]!) / sd[0]!, (donorFeat[i]![1]! - f[1]!) / sd[1]!) }))
      .sort((a, b) => a.dist - b.dist || a.d.localeCompare(b.d))
      .slice(0, o.controls)
      .map((x) => x.d);
    return { regionId: id, controls: near };
  });
  const effectOf = (m: { regionId: string; controls: string[] }) => change(m.regionId) - mean(m.controls.map((c) => donorChange.get(c)!));
  const perTreated = matches.map((m) => ({ regionId: m.regionId, effect: effectOf(m) }));
  const effect = mean(perTreated.map((p) => p.effect));

  const rng = mulberry32(o.seed);
  const pick = <T>(a: readonly T[]) => a[Math.floor(rng() * a.length)]!;
  const boots: number[] = [];
  for (let b = 0; b < o.bootstrap; b++) {
    const ds: number[] = [];
    for (let i = 0; i < matches.length; i++) {
      const m = pick(matches);
      const cs = m.controls.map(() => pick(m.controls));
      ds.push(change(m.regionId) - mean(cs.map((c) => donorChange.get(c)!)));
    }
    boots.push(mean(ds));
  }
  const series: DidEstimate['series'] = [];
  for (let y = pre[0]; y <= post[1]; y++) {
    const t = treated.map((id) => panel.get(id)!.get(y)!);
    const c = matches.flatMap((m) => m.controls).map((id) => panel.get(id)!.get(y)!);
    series.push({ year: y, treatedMean: t.length ? mean(t) : null, comparisonMean: c.length ? mean(c) : null });
  }
  return { effect, ci95: [percentileLinear(boots, 2.5), percentileLinear(boots, 97.5)], pre, post, treatedUsed: treated, treatedDropped: dropped, matches, perTreated, series };
}

/** The placebo: a fake start `shift` years before the real one, using only years before the real start. */
export function placeboInTime(panel: Panel, o: DidOptions, shift = Math.floor(o.preYears / 2)): DidEstimate {
  const trimmed = new Map([...panel].map(([id, s]) => [id, new Map([...s].filter(([y]) => y < o.start))]));
  return differenceInDifferences(trimmed, { ...o, start: o.start - shift, preYears: o.preYears - shift, postYears: shift });
}
