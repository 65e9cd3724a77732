/**
 * Stratified area estimation and accuracy from an error matrix of sample counts
 * (Olofsson et al. 2014, "Good practices for estimating area and assessing accuracy of land change",
 * Remote Sensing of Environment 148:42-57, eqs. 2-11). Hand-written: a few sums, no library needed.
 *
 * counts[i][j] = reference samples with map class i and reference class j (rows = map, the strata);
 * W_i = mapped area share of class i; p_ij = W_i n_ij / n_i.
 */

interface ErrorMatrixInput {
  classes: ReadonlyArray<string>;
  /** counts[i][j]: samples mapped as class i whose reference class is j */
  counts: ReadonlyArray<ReadonlyArray<number>>;
  /** mapped area of each map class, any unit (results are in the same unit) */
  mappedArea: ReadonlyArray<number>;
}

interface ClassAreaEstimate {
  class: string;
  mappedArea: number;
  /** samples in this map stratum, n_i. */
  sampleCount: number;
  /** estimated area proportion p_.j */
  proportion: number;
  proportionSe: number | null;
  adjustedArea: number;
  adjustedAreaSe: number | null;
  /** 1.96 x SE */
  ci95HalfWidth: number | null;
  ci95: [number, number] | null;
  userAccuracy: number | null;
  userAccuracySe: number | null;
  producerAccuracy: number | null;
  producerAccuracySe: number | null;
}

interface AreaEstimate {
  classes: string[];
  totalArea: number;
  weights: number[];
  /** p_ij, rows = map class, cols = reference class */
  proportions: number[][];
  perClass: ClassAreaEstimate[];
  overallAccuracy: number;
  overallAccuracySe: number | null;
  notes: string[];
  /** the notes as kinds (for words in other languages): an empty stratum assumed correct (its class index), a single-sample stratum */
  noteKinds: Array<{ kind: 'class-without-samples'; classIndex: number } | { kind: 'single-sample' }>;
}

interface EstimateOptions {
  /**
   * Map classes with mapped area but no samples: 'error' (default; no estimate is possible) or
   * 'assume-correct' (take the mapped area as right, zero variance; noted).
   */
  emptyStratum?: 'error' | 'assume-correct';
}

const Z95 = 1.96;

export function olofssonEstimate(input: ErrorMatrixInput, options: EstimateOptions = {}): AreaEstimate {
  const k = input.classes.length;
  if (k === 0) throw new RangeError('no classes');
  if (input.counts.length !== k || input.counts.some((row) => row.length !== k)) throw new RangeError(`counts must be a ${k} x ${k} matrix (classes: ${input.classes.join(', ')})`);
  if (input.mappedArea.length !== k) throw new RangeError(`mappedArea needs ${k} values, got ${input.mappedArea.length}`);
  for (const row of input.counts) for (const v of row) if (!(Number.isFinite(v) && v >= 0)) throw new RangeError(`sample counts must be finite and >= 0, got ${v}`);
  for (const a of input.mappedArea) if (!(Number.isFinite(a) && a >= 0)) throw new RangeError(`mapped areas must be finite and >= 0, got ${a}`);
  const total = input.mappedArea.reduce((s, a) => s + a, 0);
  if (!(total > 0)) throw new RangeError('total mapped area must be > 0');

  const notes: string[] = [];
  const noteKinds: AreaEstimate['noteKinds'] = [];
  const W = input.mappedArea.map((a) => a / total);
  const n = input.counts.map((row) => row.reduce((s, v) => s + v, 0));
  // q[i][j] = n_ij / n_i. (the within-stratum share); an empty stratum either fails or is assumed correct
  const q: number[][] = input.counts.map((row, i) => {
    if (n[i]! > 0) return row.map((v) => v / n[i]!);
    if (W[i] === 0) return row.map(() => 0);
    if ((options.emptyStratum ?? 'error') === 'error') throw new RangeError(`map class ${input.classes[i]} has mapped area but no samples; cannot estimate`);
    notes.push(`map class ${input.classes[i]} has no samples: its mapped area is assumed correct (no variance contribution)`);
    noteKinds.push({ kind: 'class-without-samples', classIndex: i });
    return row.map((_, j) => (j === i ? 1 : 0));
  });
  // Var terms need n_i. >= 2; with a single sample the SE is unknown (null).
  const varKnown = n.every((ni, i) => W[i] === 0 || ni >= 2 || ni === 0);
  if (!varKnown) {
    notes.push('a map class with mapped area has a single sample: standard errors are not estimable (null)');
    noteKinds.push({ kind: 'single-sample' });
  }
  const varFactor = (i: number): number => (n[i]! >= 2 ? 1 / (n[i]! - 1) : 0);

  const p = q.map((row, i) => row.map((v) => W[i]! * v));
  const colSum = (j: number): number => p.reduce((s, row) => s + row[j]!, 0);
  const rowSum = (i: number): number => p[i]!.reduce((s, v) => s + v, 0);

  const perClass: ClassAreaEstimate[] = input.classes.map((name, j) => {
    const pj = colSum(j);
    // eq. 10: SE(p_.j) = sqrt( sum_i W_i^2 q_ij (1 - q_ij) / (n_i. - 1) )
    let v = 0;
    for (let i = 0; i < k; i++) v += W[i]! * W[i]! * q[i]![j]! * (1 - q[i]![j]!) * varFactor(i);
    const se = varKnown ? Math.sqrt(v) : null;
    const area = total * pj;
    const areaSe = se === null ? null : total * se;
    const half = areaSe === null ? null : Z95 * areaSe;

    // user's accuracy of map class j (eq. 2) and its SE (eq. 6)
    const pjRow = rowSum(j);
    const U = pjRow > 0 ? p[j]![j]! / pjRow : null;
    const Use = U !== null && n[j]! >= 2 ? Math.sqrt((U * (1 - U)) / (n[j]! - 1)) : null;
    // producer's accuracy of reference class j (eq. 3) and its SE (eq. 7, with N_i. = mapped areas)
    const P = pj > 0 ? p[j]![j]! / pj : null;
    let Pse: number | null = null;
    if (P !== null && U !== null && varKnown) {
      const Nhat = input.mappedArea.reduce((s, Ni, i) => s + Ni * q[i]![j]!, 0);
      const Nj = input.mappedArea[j]!;
      let other = 0;
      for (let i = 0; i < k; i++) if (i !== j) other += input.mappedArea[i]! ** 2 * q[i]![j]! * (1 - q[i]![j]!) * varFactor(i);
      Pse = Math.sqrt((Nj * Nj * (1 - P) ** 2 * U * (1 - U) * varFactor(j) + P * P * other) / (Nhat * Nhat));
    }
    return {
      class: name,
      mappedArea: input.mappedArea[j]!,
      sampleCount: n[j]!,
      proportion: pj,
      proportionSe: se,
      adjustedArea: area,
      adjustedAreaSe: areaSe,
      ci95HalfWidth: half,
      ci95: half === null ? null : [area - half, area + half],
      userAccuracy: U,
      userAccuracySe: Use,
      producerAccuracy: P,
      producerAccuracySe: Pse,
    };
  });

  // overall accuracy (eq. 1) and its SE (eq. 5)
  let O = 0;
  let vO = 0;
  for (let i = 0; i < k; i++) {
    O += p[i]![i]!;
    const Ui = q[i]![i]!;
    vO += W[i]! * W[i]! * Ui * (1 - Ui) * varFactor(i);
  }
  return {
    classes: [...input.classes],
    totalArea: total,
    weights: W,
    proportions: p,
    perClass,
    overallAccuracy: O,
    overallAccuracySe: varKnown ? Math.sqrt(vO) : null,
    notes,
    noteKinds,
  };
}

interface CvAreaInput {
  /** mapped area (ha) per class name within the region, from the crop map */
  mappedAreaHa: Readonly<Record<string, number>>;
  /** class order of `confusion` */
  confusionClasses: ReadonlyArray<string>;
  /** cross-validation confusion matrix of sample counts */
  confusion: ReadonlyArray<ReadonlyArray<number>>;
  /** orientation of `confusion`: rows = predicted (map) class, or rows = reference (true) class */
  rowsAre: 'predicted' | 'reference';
}

interface CvClassArea {
  class: string;
  mappedAreaHa: number;
  adjustedAreaHa: number;
  seHa: number | null;
  ci95Ha: [number, number] | null;
  userAccuracy: number | null;
  producerAccuracy: number | null;
}

interface CvAreaResult {
  classes: CvClassArea[];
  overallAccuracy: number;
  notes: string[];
  method: string;
}

export const CV_AREA_METHOD =
  'model-based approximation: the Olofsson et al. (2014) stratified estimator applied to a cross-validation confusion matrix of training samples. ' +
  'Those samples are not a probability sample of this map, so the adjusted areas and intervals are indicative only, not design-based estimates.';

/**
 * Adjusted class areas for a region from its mapped areas and a cross-validation confusion matrix.
 * Mapped classes absent from the matrix are an error; matrix classes not mapped in the region get 0 ha.
 */
export function modelBasedAreaFromCv(input: CvAreaInput): CvAreaResult {
  const classes = [...input.confusionClasses];
  const missing = Object.keys(input.mappedAreaHa).filter((c) => !classes.includes(c) && (input.mappedAreaHa[c] ?? 0) > 0);
  if (missing.length > 0) throw new RangeError(`mapped classes ${missing.join(', ')} are not in the confusion matrix classes (${classes.join(', ')})`);
  const k = classes.length;
  if (input.confusion.length !== k || input.confusion.some((r) => r.length !== k)) throw new RangeError(`confusion must be ${k} x ${k} (classes: ${classes.join(', ')})`);
  const counts = input.rowsAre === 'predicted' ? input.confusion.map((r) => [...r]) : classes.map((_, i) => classes.map((__, j) => input.confusion[j]![i]!));
  const mappedArea = classes.map((c) => input.mappedAreaHa[c] ?? 0);
  const est = olofssonEstimate({ classes, counts, mappedArea }, { emptyStratum: 'assume-correct' });
  return {
    classes: est.perClass.map((c) => ({
      class: c.class,
      mappedAreaHa: c.mappedArea,
      adjustedAreaHa: c.adjustedArea,
      seHa: c.adjustedAreaSe,
      ci95Ha: c.ci95,
      userAccuracy: c.userAccuracy,
      producerAccuracy: c.producerAccuracy,
    })),
    overallAccuracy: est.overallAccuracy,
    notes: est.notes,
    method: CV_AREA_METHOD,
  };
}
