import { describe, expect, it } from 'vitest';
import { suitability, compareCrops } from '../../../server/suitability/score.js';
import { yieldOutlook, seasonSignal } from '../../../server/outlook/model.js';
import { fitLine } from '../../../server/stats/regression.js';

const series = (id: string, f: (y: number) => number | null) => ({ regionId: id, name: id, yields: new Map(Array.from({ length: 10 }, (_, i) => 2015 + i).flatMap((y) => (f(y) === null ? [] : [[y, f(y)!] as [number, number]]))) });

describe('statistical suitability', () => {
  const wobble = (y: number) => (y % 2 ? 60 : -60);
  const state = [
    series('good', (y) => 4000 + 80 * (y - 2015) + 0.2 * wobble(y)),
    series('mid1', (y) => 3300 + 30 * (y - 2015) + wobble(y)),
    series('mid2', (y) => 3200 + 20 * (y - 2015) + 1.5 * wobble(y)),
    series('poor', (y) => 2500 - 20 * (y - 2015) + 5 * wobble(y)),
    series('short', (y) => (y < 2020 ? null : 3000)),
  ];
  it('ranks level, trend and stability against the state and classes the index', () => {
    const rows = suitability(state, 'soy', { years: [2015, 2024], minYears: 7 });
    const by = Object.fromEntries(rows.map((r) => [r.regionId, r]));
    expect(by.good).toMatchObject({ available: true, class: 'higher', meanYieldKgHa: 4360 });
    expect(by.good!.trendKgHaPerYear!).toBeGreaterThan(78);
    expect(by.good!.trendKgHaPerYear!).toBeLessThan(82);
    expect(by.poor).toMatchObject({ class: 'lower' });
    expect(by.poor!.trendKgHaPerYear!).toBeLessThan(0);
    expect(by.poor!.trendCi95![0]).toBeLessThan(by.poor!.trendKgHaPerYear!);
    expect(by.short).toMatchObject({ available: false, index: null });
    expect(by.short!.reason).toMatch(/fewer than 7 years/);
  });
  it('compares crops by their index, not kg/ha, and says when there is no clear difference', () => {
    const mk = (crop: string, index: number | null) => ({ crop, index, levelVsStateMedian: 1 }) as never;
    expect(compareCrops([mk('soy', 80), mk('maize', 40)]).best).toBe('soy');
    expect(compareCrops([mk('soy', 60), mk('maize', 55)]).best).toBeNull();
    expect(compareCrops([mk('soy', 60), mk('maize', null)]).note).toMatch(/only one crop/);
    expect(compareCrops([mk('soy', 60), mk('maize', 10)]).note).toMatch(/not agronomic/);
  });
});

describe('yield outlook', () => {
  it('fits a known line exactly and validates it leave-one-season-out against the baseline', () => {
    const pts = [0.7, 0.75, 0.8, 0.85, 0.9, 0.72].map((s, i) => ({ season: 2007 + i, signal: s, yieldKgHa: 1000 + 3000 * s }));
    const r = yieldOutlook(pts);
    expect(r.available).toBe(true);
    expect(r.model!.slopeKgHaPerNdvi).toBe(3000);
    expect(r.validation!.rmseKgHa).toBe(0);
    expect(r.validation!.beatsBaseline).toBe(true);
    expect(r.outlook).toMatchObject({ season: 2012, predictedYieldKgHa: 3160, plusMinusKgHa: 0 });
  });
  it('says when there are too few seasons, and when the model does not beat the mean', () => {
    const few = yieldOutlook([{ season: 2013, signal: 0.8, yieldKgHa: 3000 }, { season: 2014, signal: 0.7, yieldKgHa: 2900 }]);
    expect(few.available).toBe(false);
    expect(few.reason).toMatch(/2 season\(s\).*at least 5/);
    const noise = yieldOutlook([0.7, 0.9, 0.75, 0.85, 0.8, 0.72].map((s, i) => ({ season: 2007 + i, signal: s, yieldKgHa: [3000, 3100, 3200, 2900, 3050, 3150][i]! })));
    expect(noise.validation!.beatsBaseline).toBe(false);
    expect(noise.outlook!.note).toMatch(/does NOT beat/);
  });
  it('reads the signal from November to February only', () => {
    expect(seasonSignal(['2013-09-14', '2013-11-17', '2014-02-18', '2014-04-07'], [0.95, 0.7, 0.8, 0.99])).toBe(0.8);
    expect(seasonSignal(['2013-09-14'], [0.5])).toBeNull();
  });
  it('OLS slope interval uses Student t', () => {
    const f = fitLine([1, 2, 3, 4], [1, 2, 2, 4]);
    expect(f.slope).toBeCloseTo(0.9, 10);
    // residuals 0.1, 0.2, -0.7, 0.4: SSE 0.7, residual sd = sqrt(0.7 / 2); se = sd / sqrt(Sxx = 5); t(0.975, 2) = 4.303
    expect(f.slopeCi95![1] - f.slope).toBeCloseTo(4.303 * Math.sqrt(0.35 / 5), 6);
  });
});
