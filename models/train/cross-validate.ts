/**
 * k-fold cross-validation over precomputed fold assignments: fit on the other folds, predict the
 * held-out one, and sum the per-fold confusion matrices into one (each sample is predicted exactly
 * once, by a model that never saw its location).
 */
import { addMatrices, argmaxRows, confusionMatrix, metricsFromConfusion, type ClassificationMetrics } from '../contract/metrics.js';
import { splitIndices } from './folds.js';

export interface LabelledSet {
  X: Float32Array;
  y: Int32Array;
  n: number;
}

export interface CvResult extends ClassificationMetrics {
  confusionMatrix: number[][];
}

interface CvRun extends CvResult {
  /** Out-of-fold class probabilities [n, C] (each row from the fold model that never saw it); 0 for rows in no fold. */
  oof: Float64Array;
}

/** Rows `idx` of a row-major [*, F] matrix. */
export function takeRows(X: Float32Array, F: number, idx: Int32Array): Float32Array {
  const out = new Float32Array(idx.length * F);
  idx.forEach((s, i) => out.set(X.subarray(s * F, s * F + F), i * F));
  return out;
}

type FitPredict = (train: LabelledSet, testX: Float32Array, testN: number, fold: number) => Float64Array;

export function crossValidate(
  data: LabelledSet,
  F: number,
  classNames: readonly string[],
  foldOf: Int32Array,
  k: number,
  fitPredict: FitPredict,
): CvRun {
  const C = classNames.length;
  let cm = Array.from({ length: C }, () => new Array<number>(C).fill(0));
  const oof = new Float64Array(data.n * C);
  for (let f = 0; f < k; f++) {
    const { train, test } = splitIndices(foldOf, f);
    if (test.length === 0) continue;
    const trainSet = { X: takeRows(data.X, F, train), y: Int32Array.from(train, (i) => data.y[i] as number), n: train.length };
    const P = fitPredict(trainSet, takeRows(data.X, F, test), test.length, f);
    test.forEach((row, j) => oof.set(P.subarray(j * C, j * C + C), row * C));
    const truth = Int32Array.from(test, (i) => data.y[i] as number);
    cm = addMatrices(cm, confusionMatrix(truth, argmaxRows(P, test.length, C), C));
  }
  return { ...metricsFromConfusion(cm, classNames), confusionMatrix: cm, oof };
}
