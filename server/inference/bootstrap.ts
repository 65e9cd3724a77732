/**
 * 95 % intervals for evaluation figures by a bootstrap over locations (cluster bootstrap): the
 * samples of one location (several seasons of one field) are not independent, so each replicate
 * draws whole locations with replacement, rebuilds the confusion matrix and recomputes the metrics;
 * the interval is the 2.5th-97.5th percentile of the replicates. Seeded: the same inputs give the
 * same intervals.
 */
import { confusionMatrix, metricsFromConfusion } from '../../models/contract/metrics.js';
import { mulberry32, randInt } from '../../models/contract/prng.js';
import { percentileLinear } from '../analytics/percentile.js';

export type Interval = [number, number];

export interface BootstrapIntervals {
  method: string;
  replicates: number;
  locations: number;
  overallAccuracy: Interval;
  macroF1: Interval;
  /** Per class; a replicate without the class in its reference counts only for precision (if predicted). */
  perClass: { name: string; precision: Interval | null; recall: Interval | null; f1: Interval | null }[];
}

export function bootstrapIntervals(
  truth: Int32Array,
  predicted: Int32Array,
  groups: readonly string[],
  classNames: readonly string[],
  replicates = 1000,
  seed = 20240607,
): BootstrapIntervals {
  const k = classNames.length;
  const byGroup = new Map<string, number[]>();
  groups.forEach((g, i) => {
    let list = byGroup.get(g);
    if (!list) byGroup.set(g, (list = []));
    list.push(i);
  });
  const members = [...byGroup.values()];
  const G = members.length;
  const rng = mulberry32(seed);
  const oa: number[] = [];
  const mf: number[] = [];
  const prec: number[][] = classNames.map(() => []);
  const rec: number[][] = classNames.map(() => []);
  const f1: number[][] = classNames.map(() => []);
  for (let r = 0; r < replicates; r++) {
    const t: number[] = [];
    const p: number[] = [];
    for (let g = 0; g < G; g++) {
      for (const i of members[randInt(rng, G)] as number[]) {
        t.push(truth[i] as number);
        p.push(predicted[i] as number);
      }
    }
    const cm = confusionMatrix(t, p, k);
    const m = metricsFromConfusion(cm, classNames);
    oa.push(m.overallAccuracy);
    mf.push(m.macroF1);
    m.perClass.forEach((c, j) => {
      const predictedCount = cm.reduce((a, row) => a + (row[j] as number), 0);
      if (predictedCount > 0) (prec[j] as number[]).push(c.precision);
      if (c.support > 0) {
        (rec[j] as number[]).push(c.recall);
        (f1[j] as number[]).push(c.f1);
      }
    });
  }
  const ci = (v: number[]): Interval | null => (v.length === 0 ? null : [round4(percentileLinear(v, 2.5)), round4(percentileLinear(v, 97.5))]);
  return {
    method: `cluster bootstrap over locations (${replicates} replicates, seed ${seed}), 2.5th-97.5th percentiles`,
    replicates,
    locations: G,
    overallAccuracy: ci(oa) as Interval,
    macroF1: ci(mf) as Interval,
    perClass: classNames.map((name, j) => ({ name, precision: ci(prec[j] as number[]), recall: ci(rec[j] as number[]), f1: ci(f1[j] as number[]) })),
  };
}

const round4 = (x: number): number => Math.round(x * 1e4) / 1e4;
