/**
 * Location-grouped, class-stratified k-fold assignment.
 *
 * Many locations appear in several seasons; if one season were in training and another in test the
 * score would be inflated (the model recognises the place). So all samples of a location go to the
 * same fold. Within that constraint, folds are balanced per class with the greedy rule of
 * scikit-learn's StratifiedGroupKFold: visit groups from the most class-skewed to the least (ties in
 * a seeded random order) and put each where the spread of per-class fold shares grows least.
 * Hand-written: there is no JS library for it and it is ~60 lines.
 */
import { mulberry32, shuffleInPlace } from '../contract/prng.js';

/**
 * @param groups group key per sample (location id)
 * @param labels class index per sample (0..numClasses-1)
 * @returns fold index (0..k-1) per sample
 */
export function groupedStratifiedFolds(
  groups: readonly string[],
  labels: ArrayLike<number>,
  numClasses: number,
  k: number,
  seed: number,
): Int32Array {
  if (groups.length !== labels.length) throw new Error('groups and labels differ in length');
  if (!Number.isInteger(k) || k < 2) throw new Error(`folds must be an integer >= 2, got ${k}`);
  const groupIndex = new Map<string, number>();
  const groupCounts: number[][] = [];
  const sampleGroup = new Int32Array(groups.length);
  groups.forEach((g, i) => {
    let gi = groupIndex.get(g);
    if (gi === undefined) {
      gi = groupCounts.length;
      groupIndex.set(g, gi);
      groupCounts.push(new Array<number>(numClasses).fill(0));
    }
    sampleGroup[i] = gi;
    const row = groupCounts[gi] as number[];
    const c = labels[i] as number;
    row[c] = (row[c] as number) + 1;
  });
  const G = groupCounts.length;
  if (G < k) throw new Error(`cannot make ${k} folds from ${G} locations`);

  const classTotals = new Array<number>(numClasses).fill(0);
  for (const row of groupCounts) row.forEach((n, c) => (classTotals[c] = (classTotals[c] as number) + n));

  // Visit order: seeded shuffle, then a stable sort by descending std of the group's class counts.
  const order = shuffleInPlace(Int32Array.from({ length: G }, (_, i) => i), mulberry32(seed));
  const skew = groupCounts.map((row) => std(row));
  const sorted = Array.from(order).sort((a, b) => (skew[b] as number) - (skew[a] as number));

  const foldCounts = Array.from({ length: k }, () => new Array<number>(numClasses).fill(0));
  const foldSizes = new Array<number>(k).fill(0);
  const groupFold = new Int32Array(G);
  for (const g of sorted) {
    const row = groupCounts[g] as number[];
    let best = -1;
    let bestCost = Infinity;
    let bestSize = Infinity;
    for (let f = 0; f < k; f++) {
      const cost = spreadIfAdded(foldCounts, classTotals, row, f);
      const size = foldSizes[f] as number;
      // Compare with a tolerance so that float noise never decides; then prefer the smaller fold.
      if (cost < bestCost - 1e-12 || (Math.abs(cost - bestCost) <= 1e-12 && size < bestSize)) {
        best = f;
        bestCost = cost;
        bestSize = size;
      }
    }
    groupFold[g] = best;
    const fc = foldCounts[best] as number[];
    row.forEach((n, c) => (fc[c] = (fc[c] as number) + n));
    foldSizes[best] = (foldSizes[best] as number) + row.reduce((a, b) => a + b, 0);
  }
  return Int32Array.from(sampleGroup, (g) => groupFold[g] as number);
}

/** Mean over classes of the std across folds of (fold's share of that class), if `row` joined fold `f`. */
function spreadIfAdded(foldCounts: number[][], classTotals: number[], row: number[], f: number): number {
  let total = 0;
  const k = foldCounts.length;
  for (let c = 0; c < classTotals.length; c++) {
    const denom = classTotals[c] as number;
    if (denom === 0) continue;
    const shares = new Array<number>(k);
    for (let j = 0; j < k; j++) {
      const n = ((foldCounts[j] as number[])[c] as number) + (j === f ? (row[c] as number) : 0);
      shares[j] = n / denom;
    }
    total += std(shares);
  }
  return total / classTotals.length;
}

function std(xs: number[]): number {
  const m = xs.reduce((a, b) => a + b, 0) / xs.length;
  return Math.sqrt(xs.reduce((a, b) => a + (b - m) * (b - m), 0) / xs.length);
}

/** Indices of samples in fold `f` (test) and not in it (train). */
export function splitIndices(foldOf: Int32Array, f: number): { train: Int32Array; test: Int32Array } {
  const train: number[] = [];
  const test: number[] = [];
  foldOf.forEach((g, i) => (g === f ? test : train).push(i));
  return { train: Int32Array.from(train), test: Int32Array.from(test) };
}
