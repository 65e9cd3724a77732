/**
 * Classification metrics from a confusion matrix. Pure functions, shared by training
 * (cross-validation) and `granary evaluate`.
 *
 * Convention: cm[i][j] = number of samples whose TRUE class is i and PREDICTED class is j
 * (rows = reference, columns = map/prediction).
 */

export interface ClassMetrics {
  name: string;
  precision: number;
  recall: number;
  f1: number;
  /** Number of reference samples of this class (row sum). */
  support: number;
}

export interface ClassificationMetrics {
  overallAccuracy: number;
  macroF1: number;
  perClass: ClassMetrics[];
}

/** Square k x k matrix from true and predicted class indices (both 0..k-1). */
export function confusionMatrix(truth: ArrayLike<number>, predicted: ArrayLike<number>, k: number): number[][] {
  if (truth.length !== predicted.length) {
    throw new Error(`confusionMatrix: ${truth.length} true labels but ${predicted.length} predictions`);
  }
  const cm = Array.from({ length: k }, () => new Array<number>(k).fill(0));
  for (let i = 0; i < truth.length; i++) {
    const t = truth[i] as number;
    const p = predicted[i] as number;
    if (!(t >= 0 && t < k && p >= 0 && p < k)) {
      throw new Error(`confusionMatrix: class index out of range at ${i} (true ${t}, predicted ${p}, k ${k})`);
    }
    const row = cm[t] as number[];
    row[p] = (row[p] as number) + 1;
  }
  return cm;
}

/** Element-wise sum of equally sized matrices (e.g. the per-fold matrices of a cross-validation). */
export function addMatrices(a: number[][], b: number[][]): number[][] {
  return a.map((row, i) => row.map((x, j) => x + ((b[i] as number[])[j] as number)));
}

/**
 * Overall accuracy, per-class precision/recall/F1 and macro-F1 (unweighted mean of per-class F1).
 * A ratio with a zero denominator is reported as 0 (scikit-learn's `zero_division=0`), so a class that
 * is never predicted has precision 0 rather than NaN. Macro-F1 averages over classes that occur
 * in the reference or in the predictions; a class absent from both does not count.
 */
export function metricsFromConfusion(cm: number[][], classNames: readonly string[]): ClassificationMetrics {
  const k = cm.length;
  if (classNames.length !== k) throw new Error(`metrics: ${classNames.length} class names for a ${k}x${k} matrix`);
  let total = 0;
  let correct = 0;
  const colSums = new Array<number>(k).fill(0);
  cm.forEach((row, i) => {
    if (row.length !== k) throw new Error(`metrics: confusion matrix row ${i} has ${row.length} columns, expected ${k}`);
    row.forEach((x, j) => {
      total += x;
      colSums[j] = (colSums[j] as number) + x;
      if (i === j) correct += x;
    });
  });
  const perClass = cm.map((row, i): ClassMetrics => {
    const tp = row[i] as number;
    const support = row.reduce((a, b) => a + b, 0);
    const predicted = colSums[i] as number;
    const precision = ratio(tp, predicted);
    const recall = ratio(tp, support);
    const f1 = ratio(2 * precision * recall, precision + recall);
    return { name: classNames[i] as string, precision, recall, f1, support };
  });
  const counted = perClass.filter((c, i) => c.support > 0 || (colSums[i] as number) > 0);
  return {
    overallAccuracy: ratio(correct, total),
    macroF1: counted.length === 0 ? 0 : counted.reduce((a, c) => a + c.f1, 0) / counted.length,
    perClass,
  };
}

function ratio(a: number, b: number): number {
  return b === 0 ? 0 : a / b;
}

/** Index of the largest value in each row of an n x k row-major matrix (first index wins ties). */
export function argmaxRows(values: ArrayLike<number>, n: number, k: number): Int32Array {
  const out = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    let best = 0;
    let bestV = values[i * k] as number;
    for (let j = 1; j < k; j++) {
      const v = values[i * k + j] as number;
      if (v > bestV) {
        bestV = v;
        best = j;
      }
    }
    out[i] = best;
  }
  return out;
}
