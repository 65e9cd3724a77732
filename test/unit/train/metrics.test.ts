import { describe, expect, it } from 'vitest';
import { addMatrices, argmaxRows, confusionMatrix, metricsFromConfusion } from '../../../models/contract/metrics.js';

describe('confusion matrix and metrics', () => {
  // Hand-made 3-class case (rows = truth, columns = predicted):
  //          A  B  C
  //     A [  5, 1, 0 ]   support 6
  //     B [  2, 3, 1 ]   support 6
  //     C [  0, 0, 4 ]   support 4
  // column sums 7, 4, 5; correct 12 of 16.
  const truth = [0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 2, 2, 2, 2];
  const pred = [0, 0, 0, 0, 0, 1, 0, 0, 1, 1, 1, 2, 2, 2, 2, 2];
  const cm = confusionMatrix(truth, pred, 3);

  it('counts truth in rows and predictions in columns', () => {
    expect(cm).toEqual([
      [5, 1, 0],
      [2, 3, 1],
      [0, 0, 4],
    ]);
  });

  it('gives the hand-computed precision, recall, F1, accuracy and macro-F1', () => {
    const m = metricsFromConfusion(cm, ['A', 'B', 'C']);
    expect(m.overallAccuracy).toBeCloseTo(12 / 16, 12);
    const [a, b, c] = m.perClass;
    expect(a).toMatchObject({ name: 'A', support: 6 });
    expect(a!.precision).toBeCloseTo(5 / 7, 12);
    expect(a!.recall).toBeCloseTo(5 / 6, 12);
    expect(a!.f1).toBeCloseTo((2 * 5) / (2 * 5 + 2 + 1), 12); // 2TP / (2TP + FP + FN) = 10/13
    expect(b!.precision).toBeCloseTo(3 / 4, 12);
    expect(b!.recall).toBeCloseTo(3 / 6, 12);
    expect(b!.f1).toBeCloseTo(6 / 10, 12);
    expect(c!.precision).toBeCloseTo(4 / 5, 12);
    expect(c!.recall).toBe(1);
    expect(c!.f1).toBeCloseTo(8 / 9, 12);
    expect(m.macroF1).toBeCloseTo((10 / 13 + 6 / 10 + 8 / 9) / 3, 12);
  });

  it('reports 0, not NaN, for a class that is never predicted, and skips classes absent everywhere', () => {
    const m = metricsFromConfusion(
      [
        [2, 0, 0],
        [1, 0, 0],
        [0, 0, 0],
      ],
      ['A', 'B', 'C'],
    );
    expect(m.perClass[1]).toMatchObject({ precision: 0, recall: 0, f1: 0, support: 1 });
    // C has no samples and no predictions: macro-F1 averages A and B only.
    expect(m.macroF1).toBeCloseTo((0.8 + 0) / 2, 12);
  });

  it('adds matrices and takes row argmax (first index wins ties)', () => {
    expect(addMatrices([[1, 2]], [[3, 4]])).toEqual([[4, 6]]);
    expect(Array.from(argmaxRows([0.2, 0.5, 0.3, 0.4, 0.4, 0.2], 2, 3))).toEqual([1, 0]);
  });

  it('rejects out-of-range class indices', () => {
    expect(() => confusionMatrix([0, 3], [0, 1], 3)).toThrow('class index out of range at 1');
  });
});
