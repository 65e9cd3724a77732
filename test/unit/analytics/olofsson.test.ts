import { describe, expect, it } from 'vitest';
import { CV_AREA_METHOD, modelBasedAreaFromCv, olofssonEstimate } from '../../../server/analytics/olofsson.js';

/**
 * Olofsson et al. (2014) RSE 148:42-57, section 5 worked example: map of 10,000,000 pixels of 30 m
 * (0.09 ha); strata deforestation, forest gain, stable forest, stable non-forest.
 */
const classes = ['deforestation', 'forest gain', 'stable forest', 'stable non-forest'];
const counts = [
  [66, 0, 5, 4],
  [0, 55, 8, 12],
  [1, 0, 153, 11],
  [2, 1, 9, 313],
];
const mappedHa = [200_000, 150_000, 3_200_000, 6_450_000].map((px) => px * 0.09);

describe('Olofsson stratified estimator', () => {
  const est = olofssonEstimate({ classes, counts, mappedArea: mappedHa });
  const c = (name: string) => est.perClass.find((x) => x.class === name)!;

  it('reproduces the paper\'s adjusted areas and 95 % intervals (ha, to rounding)', () => {
    const expected: Array<[string, number, number]> = [
      ['deforestation', 21_158, 6_158],
      ['forest gain', 11_686, 3_756],
      ['stable forest', 285_770, 15_510],
      ['stable non-forest', 581_386, 16_282],
    ];
    for (const [name, area, half] of expected) {
      expect(Math.round(c(name).adjustedArea)).toBe(area);
      expect(Math.round(c(name).ci95HalfWidth!)).toBe(half);
      expect(c(name).ci95![0]).toBeCloseTo(c(name).adjustedArea - c(name).ci95HalfWidth!, 9);
    }
    // the adjusted areas partition the total
    expect(est.perClass.reduce((s, x) => s + x.adjustedArea, 0)).toBeCloseTo(900_000, 6);
  });

  it('reproduces the accuracies', () => {
    expect(c('deforestation').userAccuracy).toBeCloseTo(0.88, 10); // 66 / 75
    expect(c('deforestation').producerAccuracy!).toBeCloseTo(0.75, 2);
    expect(est.overallAccuracy).toBeCloseTo(0.95, 2);
    // hand check of p_11 = W_1 n_11 / n_1. = 0.02 x 66 / 75
    expect(est.proportions[0]![0]).toBeCloseTo(0.0176, 12);
    // paper's 95 % CIs of UA/PA for deforestation: +-0.07 and +-0.21
    expect(1.96 * c('deforestation').userAccuracySe!).toBeCloseTo(0.07, 2);
    expect(1.96 * c('deforestation').producerAccuracySe!).toBeCloseTo(0.21, 2);
    expect(1.96 * est.overallAccuracySe!).toBeCloseTo(0.02, 2);
  });

  it('is unit-agnostic: pixels in, pixels out', () => {
    const px = olofssonEstimate({ classes, counts, mappedArea: [200_000, 150_000, 3_200_000, 6_450_000] });
    expect(px.perClass[0]!.adjustedArea * 0.09).toBeCloseTo(c('deforestation').adjustedArea, 6);
  });

  it('validates its input', () => {
    expect(() => olofssonEstimate({ classes, counts: counts.slice(1), mappedArea: mappedHa })).toThrowError(/4 x 4/);
    expect(() => olofssonEstimate({ classes: ['a', 'b'], counts: [[1, 0], [0, 0]], mappedArea: [1, 1] })).toThrowError(/map class b has mapped area but no samples/);
  });
});

describe('model-based area from a cross-validation confusion matrix', () => {
  it('labels the method and accepts either orientation', () => {
    const mapped = { Soy_Corn: 1000, Pasture: 3000, Forest: 6000 };
    const cls = ['Soy_Corn', 'Pasture', 'Forest'];
    const predRows = [
      [40, 5, 0],
      [10, 50, 5],
      [0, 5, 80],
    ];
    const refRows = cls.map((_, i) => cls.map((__, j) => predRows[j]![i]!));
    const a = modelBasedAreaFromCv({ mappedAreaHa: mapped, confusionClasses: cls, confusion: predRows, rowsAre: 'predicted' });
    const b = modelBasedAreaFromCv({ mappedAreaHa: mapped, confusionClasses: cls, confusion: refRows, rowsAre: 'reference' });
    expect(a).toEqual(b);
    expect(a.method).toBe(CV_AREA_METHOD);
    expect(a.method).toMatch(/model-based approximation/);
    expect(a.method).toMatch(/not a probability sample/);
    // Soy_Corn adjusted = 10000 x (0.1 x 40/45 + 0.3 x 10/65)
    expect(a.classes[0]!.adjustedAreaHa).toBeCloseTo(10000 * (0.1 * (40 / 45) + 0.3 * (10 / 65)), 9);
    expect(a.classes[0]!.ci95Ha![1]).toBeGreaterThan(a.classes[0]!.adjustedAreaHa);
  });

  it('rejects mapped classes the matrix does not know; notes strata without samples', () => {
    expect(() => modelBasedAreaFromCv({ mappedAreaHa: { Rice: 5 }, confusionClasses: ['Soy'], confusion: [[1]], rowsAre: 'predicted' })).toThrowError(/Rice/);
    const r = modelBasedAreaFromCv({ mappedAreaHa: { A: 10, B: 10 }, confusionClasses: ['A', 'B'], confusion: [[5, 1], [0, 0]], rowsAre: 'predicted' });
    expect(r.notes.join()).toMatch(/B has no samples/);
  });
});
