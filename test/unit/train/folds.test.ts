import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { labelIndices, sortedLabels } from '../../../models/contract/features.js';
import { groupedStratifiedFolds } from '../../../models/train/folds.js';
import { readSamples } from '../../../models/contract/samples.js';

const samples = readSamples(readFileSync('fixtures/labels/mt_9classes_samples_public.csv', 'utf8'));
const classes = sortedLabels(samples);
const y = labelIndices(samples, classes);
const groups = samples.map((s) => s.locationId);

describe('location-grouped stratified folds', () => {
  const k = 5;
  const folds = groupedStratifiedFolds(groups, y, classes.length, k, 7);

  it('never splits a location across folds', () => {
    const foldOfLocation = new Map<string, number>();
    groups.forEach((g, i) => {
      const f = folds[i]!;
      if (foldOfLocation.has(g)) expect(foldOfLocation.get(g)).toBe(f);
      foldOfLocation.set(g, f);
    });
    // the data do repeat locations, so this is a real check
    expect(foldOfLocation.size).toBeLessThan(samples.length);
  });

  it('balances every class across folds', () => {
    classes.forEach((_, c) => {
      const perFold = new Array<number>(k).fill(0);
      y.forEach((yc, i) => {
        if (yc === c) perFold[folds[i]!]!++;
      });
      const total = perFold.reduce((a, b) => a + b, 0);
      // each fold holds its fair share to within 20 % of the class (Fallow_Cotton: 27 samples)
      for (const n of perFold) expect(Math.abs(n - total / k)).toBeLessThanOrEqual(Math.max(2, 0.2 * total));
      expect(Math.min(...perFold)).toBeGreaterThan(0);
    });
  });

  it('balances fold sizes and is reproducible per seed', () => {
    const sizes = new Array<number>(k).fill(0);
    folds.forEach((f) => sizes[f]!++);
    expect(Math.max(...sizes) - Math.min(...sizes)).toBeLessThan(0.05 * samples.length);
    expect(Array.from(groupedStratifiedFolds(groups, y, classes.length, k, 7))).toEqual(Array.from(folds));
    expect(Array.from(groupedStratifiedFolds(groups, y, classes.length, k, 8))).not.toEqual(Array.from(folds));
  });

  it('keeps a small hand-made group together', () => {
    const f = groupedStratifiedFolds(['a', 'a', 'b', 'c', 'c', 'd'], [0, 1, 0, 1, 1, 0], 2, 2, 1);
    expect(f[0]).toBe(f[1]);
    expect(f[3]).toBe(f[4]);
    expect(() => groupedStratifiedFolds(['a', 'a'], [0, 1], 2, 2, 1)).toThrow('cannot make 2 folds from 1 locations');
  });
});
