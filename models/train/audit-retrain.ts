/**
 * `granary train --decisions <label-decisions.csv>`: retrain with reviewed labels.
 *
 * The decisions file (written by `granary labels audit`, filled in by a reviewer) says per flagged
 * sample keep | drop | relabel (+ new_label). They are applied to a copy in memory; the source
 * CSVs are never changed. Then the same location-grouped CV as `granary train` (folds computed
 * once, from the ORIGINAL labels of all samples, and the same per-fold seeds) is run twice:
 *
 *   before: the MLP fitted on the original labels of the training folds
 *   after:  the MLP fitted on the reviewed labels of the training folds (dropped samples left out)
 *
 * and both are scored on the held-out folds against both label sets:
 *
 *   before / original   the shipped model card's figure
 *   after  / reviewed   what a naive "after" would report. Optimistic: the reviewed labels were
 *                       chosen with these same out-of-fold predictions (a relabelled sample becomes
 *                       "correct" by construction, a dropped one leaves the test set)
 *   after  / original   the after-model against the labels as published (all samples)
 *   before / reviewed   the before-model against the reviewed labels
 *
 * The model comparison that does not depend on which labels are believed is "same labels, other
 * model": before vs after on the original labels, and before vs after on the reviewed labels.
 * Finally the MLP is fitted on all reviewed samples and written to `outDir` (never over the
 * shipped model unless asked), with a copy of the reviewed samples CSV for provenance.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { addMatrices, argmaxRows, confusionMatrix, metricsFromConfusion } from '../contract/metrics.js';
import { buildCard, limitations, metricsBlock, seasonRange, STEPS, stringifyCard } from './card.js';
import type { CvResult } from './cross-validate.js';
import { takeRows } from './cross-validate.js';
import { columnIndex, parseCsv } from '../contract/csv.js';
import { exportMlpOnnx } from './export-mlp-onnx.js';
import { featureMatrix, labelIndices, sortedLabels } from '../contract/features.js';
import { sha256, writeFileAtomic } from './files.js';
import { groupedStratifiedFolds, splitIndices } from './folds.js';
import { deriveSeed } from '../contract/prng.js';
import { DEFAULT_MLP_RECIPE, fitMlp, predictMlp, type MlpRecipe } from './recipe.js';
import { readSamples, readTimeseries, type Sample } from '../contract/samples.js';
import { csvLine } from './audit.js';

type Decision = 'keep' | 'drop' | 'relabel';

interface DecisionRow {
  sampleId: string;
  decision: Decision;
  newLabel: string | null;
  reviewer: string;
  note: string;
}

/**
 * Parses label-decisions.csv. A blank decision means keep (not yet reviewed). A given_label that
 * does not match the sample's label in the samples CSV is an error (the decisions were made on
 * another version of the data), as are unknown sample ids, duplicates and relabels to unknown classes.
 */
export function parseDecisions(text: string, samples: readonly Sample[], classNames: readonly string[]): { rows: DecisionRow[]; unreviewed: number } {
  const t = parseCsv(text);
  const iId = columnIndex(t, 'sample_id');
  const iDec = columnIndex(t, 'decision');
  const col = (name: string) => t.header.indexOf(name);
  const iNew = col('new_label');
  const iGiven = col('given_label');
  const iRev = col('reviewer');
  const iNote = col('note');
  const byId = new Map(samples.map((s) => [s.sampleId, s]));
  const known = new Set(classNames);
  const seen = new Set<string>();
  const rows: DecisionRow[] = [];
  let unreviewed = 0;
  t.rows.forEach((r, k) => {
    const line = k + 2;
    const sampleId = (r[iId] ?? '').trim();
    const s = byId.get(sampleId);
    if (!s) throw new Error(`decisions line ${line}: sample_id "${sampleId}" is not in the samples CSV`);
    if (seen.has(sampleId)) throw new Error(`decisions line ${line}: sample ${sampleId} is decided twice`);
    seen.add(sampleId);
    const given = iGiven >= 0 ? (r[iGiven] ?? '').trim() : '';
    if (given !== '' && given !== s.label) {
      throw new Error(`decisions line ${line}: sample ${sampleId} has given_label ${given} but the samples CSV says ${s.label} (decisions made on other data?)`);
    }
    const raw = (r[iDec] ?? '').trim().toLowerCase();
    if (raw === '') unreviewed++;
    const decision = (raw === '' ? 'keep' : raw) as Decision;
    if (!['keep', 'drop', 'relabel'].includes(decision)) throw new Error(`decisions line ${line}: decision "${raw}" is not keep, drop or relabel`);
    let newLabel: string | null = null;
    if (decision === 'relabel') {
      newLabel = iNew >= 0 ? (r[iNew] ?? '').trim() : '';
      if (!known.has(newLabel)) throw new Error(`decisions line ${line}: relabel of ${sampleId} needs new_label, one of ${classNames.join(', ')} (got "${newLabel}")`);
      if (newLabel === s.label) throw new Error(`decisions line ${line}: relabel of ${sampleId} to its own label ${newLabel}`);
    }
    rows.push({ sampleId, decision, newLabel, reviewer: iRev >= 0 ? (r[iRev] ?? '').trim() : '', note: iNote >= 0 ? (r[iNote] ?? '').trim() : '' });
  });
  return { rows, unreviewed };
}

interface ReviewedLabels {
  /** reviewed label per original sample, null if dropped */
  labels: Array<string | null>;
  dropped: number;
  relabelled: number;
  kept: number;
}

export function applyDecisions(samples: readonly Sample[], rows: readonly DecisionRow[]): ReviewedLabels {
  const byId = new Map(rows.map((r) => [r.sampleId, r]));
  let dropped = 0;
  let relabelled = 0;
  let kept = 0;
  const labels = samples.map((s) => {
    const d = byId.get(s.sampleId);
    if (!d || d.decision === 'keep') {
      if (d) kept++;
      return s.label;
    }
    if (d.decision === 'drop') {
      dropped++;
      return null;
    }
    relabelled++;
    return d.newLabel;
  });
  return { labels, dropped, relabelled, kept };
}

/** Summed confusion matrix and metrics of predictions P [n * C] against `truth` (-1 = leave out). */
export function scoreOn(P: Float64Array, truth: Int32Array, C: number, classNames: readonly string[]): CvResult {
  const keep: number[] = [];
  truth.forEach((t, i) => {
    if (t >= 0) keep.push(i);
  });
  const pred = argmaxRows(P, P.length / C, C);
  let cm = Array.from({ length: C }, () => new Array<number>(C).fill(0));
  cm = addMatrices(cm, confusionMatrix(Int32Array.from(keep, (i) => truth[i] as number), Int32Array.from(keep, (i) => pred[i] as number), C));
  return { ...metricsFromConfusion(cm, classNames), confusionMatrix: cm };
}

interface CompareResult {
  classNames: string[];
  n: number;
  counts: { dropped: number; relabelled: number; kept: number; unreviewed: number };
  beforeOriginal: CvResult;
  afterReviewed: CvResult;
  afterOriginal: CvResult;
  beforeReviewed: CvResult;
  /** out-of-fold probabilities of both models, [n * C] */
  Pbefore: Float64Array;
  Pafter: Float64Array;
}

interface CompareInputs {
  samples: Sample[];
  X: Float32Array;
  F: number;
  reviewed: ReviewedLabels;
  unreviewed: number;
  folds: number;
  seed: number;
  recipe: MlpRecipe;
  log?: (s: string) => void;
}

/** Before/after CV on the same folds (computed from the original labels), pure apart from logging. */
export function compareBeforeAfter(o: CompareInputs): CompareResult {
  const log = o.log ?? (() => {});
  const { samples, X, F, recipe, seed, folds: k } = o;
  const classNames = sortedLabels(samples);
  const C = classNames.length;
  const n = samples.length;
  const yOrig = labelIndices(samples, classNames);
  const idx = new Map(classNames.map((c, i) => [c, i]));
  const yRev = Int32Array.from(o.reviewed.labels, (l) => (l === null ? -1 : (idx.get(l) as number)));
  const foldOf = groupedStratifiedFolds(samples.map((s) => s.locationId), yOrig, C, k, seed);
  const Pbefore = new Float64Array(n * C);
  const Pafter = new Float64Array(n * C);
  const t0 = Date.now();
  for (let f = 0; f < k; f++) {
    const { train, test } = splitIndices(foldOf, f);
    if (test.length === 0) continue;
    const Xte = takeRows(X, F, test);
    const seedF = deriveSeed(seed, 1, f);
    const before = fitMlp(takeRows(X, F, train), Int32Array.from(train, (i) => yOrig[i] as number), train.length, F, C, recipe, seedF);
    const trainRev = Int32Array.from(Array.from(train).filter((i) => (yRev[i] as number) >= 0));
    const after = fitMlp(takeRows(X, F, trainRev), Int32Array.from(trainRev, (i) => yRev[i] as number), trainRev.length, F, C, recipe, seedF);
    const pb = predictMlp(before, Xte, test.length);
    const pa = predictMlp(after, Xte, test.length);
    test.forEach((i, r) => {
      Pbefore.set(pb.subarray(r * C, (r + 1) * C), i * C);
      Pafter.set(pa.subarray(r * C, (r + 1) * C), i * C);
    });
    log(`  fold ${f + 1}/${k}: before and after fitted (${((Date.now() - t0) / 1000).toFixed(0)} s)`);
  }
  return {
    classNames,
    n,
    counts: { dropped: o.reviewed.dropped, relabelled: o.reviewed.relabelled, kept: o.reviewed.kept, unreviewed: o.unreviewed },
    beforeOriginal: scoreOn(Pbefore, yOrig, C, classNames),
    afterReviewed: scoreOn(Pafter, yRev, C, classNames),
    afterOriginal: scoreOn(Pafter, yOrig, C, classNames),
    beforeReviewed: scoreOn(Pbefore, yRev, C, classNames),
    Pbefore,
    Pafter,
  };
}

const pct = (x: number): string => (100 * x).toFixed(1);

/** Side-by-side table: per-class F1 (support), OA and macro-F1 for the four model x label combinations. */
function comparisonTable(r: CompareResult): string {
  const cols: Array<[string, CvResult]> = [
    ['before/original', r.beforeOriginal],
    ['after/reviewed', r.afterReviewed],
    ['after/original', r.afterOriginal],
    ['before/reviewed', r.beforeReviewed],
  ];
  const w = Math.max(16, ...r.classNames.map((c) => c.length)) + 1;
  const cw = 17;
  const head = `${'F1 (%)'.padEnd(w)}${'n orig'.padStart(7)}${'n rev'.padStart(7)}${cols.map(([l]) => l.padStart(cw)).join('')}`;
  const rule = '-'.repeat(head.length);
  const rows = r.classNames.map(
    (c, i) =>
      `${c.padEnd(w)}${String(r.beforeOriginal.perClass[i]?.support ?? 0).padStart(7)}${String(r.afterReviewed.perClass[i]?.support ?? 0).padStart(7)}` +
      cols.map(([, cv]) => pct(cv.perClass[i]?.f1 ?? 0).padStart(cw)).join(''),
  );
  const total = (name: string, pick: (cv: CvResult) => number) => `${name.padEnd(w + 14)}${cols.map(([, cv]) => pct(pick(cv)).padStart(cw)).join('')}`;
  return [head, rule, ...rows, rule, total('overall accuracy', (cv) => cv.overallAccuracy), total('macro F1', (cv) => cv.macroF1)].join('\n');
}

const COMPARISON_NOTE = [
  'Reading the table: columns are <model>/<labels the held-out folds are scored against>.',
  '  before = fitted on the original labels; after = fitted on the reviewed labels (same folds, same seeds).',
  '  after/reviewed is optimistic: the decisions were made from these out-of-fold predictions, so a relabelled',
  '  sample is "right" by construction and a dropped one leaves the test set. Compare models on the SAME labels:',
  '  before/original vs after/original, and before/reviewed vs after/reviewed.',
].join('\n');

interface DecisionsTrainOptions {
  variables: string[];
  modelId: string;
  seed: number;
  folds: number;
  outDir: string;
  samplesCsv: string;
  timeseriesCsv: string;
  decisions: string;
  epochs?: number;
  mlp?: Partial<MlpRecipe>;
  version?: string;
  /** false: only the comparison, no final fit */
  fit?: boolean;
  log?: (s: string) => void;
}

interface DecisionsTrainResult extends CompareResult {
  onnxPath: string | null;
  cardPath: string | null;
  reviewedSamplesPath: string | null;
}

/** Writes the samples CSV with dropped rows removed and relabelled rows changed (a copy; the source stays). */
function reviewedSamplesCsv(samplesText: string, samples: readonly Sample[], reviewed: ReviewedLabels): string {
  const t = parseCsv(samplesText);
  const iId = columnIndex(t, 'sample_id');
  const iLabel = columnIndex(t, 'label');
  const byId = new Map(samples.map((s, i) => [s.sampleId, reviewed.labels[i] ?? null]));
  const lines = [csvLine(t.header)];
  for (const r of t.rows) {
    const label = byId.get((r[iId] ?? '').trim());
    if (label === null || label === undefined) continue;
    const row = [...r];
    row[iLabel] = label;
    lines.push(csvLine(row));
  }
  return lines.join('\n') + '\n';
}

export async function trainWithDecisions(o: DecisionsTrainOptions): Promise<DecisionsTrainResult> {
  const log = o.log ?? ((s: string) => console.log(s));
  const recipe: MlpRecipe = { ...DEFAULT_MLP_RECIPE, ...o.mlp, ...(o.epochs !== undefined ? { epochs: o.epochs } : {}) };
  const samplesText = readFileSync(o.samplesCsv, 'utf8');
  const seriesText = readFileSync(o.timeseriesCsv, 'utf8');
  const decisionsText = readFileSync(o.decisions, 'utf8');
  const samples = readSamples(samplesText);
  const X = featureMatrix(samples, readTimeseries(seriesText, o.variables), o.variables, STEPS);
  const classNames = sortedLabels(samples);
  const C = classNames.length;
  const F = o.variables.length * STEPS;
  const { rows, unreviewed } = parseDecisions(decisionsText, samples, classNames);
  const reviewed = applyDecisions(samples, rows);
  log(
    `${o.modelId}: ${samples.length} samples; decisions ${o.decisions}: ${rows.length} rows, ` +
      `${reviewed.relabelled} relabel, ${reviewed.dropped} drop, ${reviewed.kept} keep${unreviewed ? ` (${unreviewed} undecided rows count as keep)` : ''}`,
  );
  log(`MLP ${[F, ...recipe.hidden, C].join('-')} x${recipe.ensemble}, ${recipe.epochs} epochs; location-grouped ${o.folds}-fold CV, seed ${o.seed}`);
  const cmp = compareBeforeAfter({ samples, X, F, reviewed, unreviewed, folds: o.folds, seed: o.seed, recipe, log });
  log(`\nLocation-grouped ${o.folds}-fold CV before and after the reviewed labels (same folds):\n`);
  log(comparisonTable(cmp));
  log(`\n${COMPARISON_NOTE}\n`);
  if (o.fit === false) return { ...cmp, onnxPath: null, cardPath: null, reviewedSamplesPath: null };

  // Final fit on every reviewed sample.
  const keepIdx = Int32Array.from(reviewed.labels.flatMap((l, i) => (l === null ? [] : [i])));
  const revSamples = Array.from(keepIdx, (i) => ({ ...(samples[i] as Sample), label: reviewed.labels[i] as string }));
  const yRev = labelIndices(revSamples, classNames);
  const Xrev = takeRows(X, F, keepIdx);
  const fitted = fitMlp(Xrev, yRev, keepIdx.length, F, C, recipe, deriveSeed(o.seed, 1, 1000));
  const onnx = exportMlpOnnx(fitted.net, {
    inputName: 'features',
    outputName: 'probabilities',
    graphName: o.modelId,
    docString: `${o.modelId}: crop-type MLP on reviewed labels, inputs ${o.variables.join(',')} x ${STEPS} (variable-major, standardised per the model card)`,
  });
  const revCsv = reviewedSamplesCsv(samplesText, samples, reviewed);
  const classCounts = Object.fromEntries(classNames.map((c, i) => [c, yRev.filter((v) => v === i).length]));
  const label = `MLP ${[F, ...recipe.hidden, C].join('-')}` + (recipe.ensemble > 1 ? ` x${recipe.ensemble} seeds` : '') + ', reviewed labels';
  const card = buildCard({
    id: o.modelId,
    title: `Crop type (${C} classes) from a MODIS ${o.variables.join('+').toUpperCase()} season, MLP on reviewed labels`,
    version: o.version ?? '1.0.0',
    family: 'mlp',
    description: `${label}: ${recipe.ensemble} seeded Dense-ReLU nets merged into one (averaged logits), fitted after applying label decisions sha256 ${sha256(decisionsText)}`,
    hyperparameters: { ...recipe, seed: o.seed },
    variables: o.variables,
    normalisation: { type: 'standardize', mean: fitted.standardization.mean, std: fitted.standardization.std },
    inputName: 'features',
    outputName: 'probabilities',
    classNames,
    metrics: metricsBlock(`${label} (scored on reviewed labels; on the original labels OA ${cmp.afterOriginal.overallAccuracy.toFixed(4)}, macro-F1 ${cmp.afterOriginal.macroF1.toFixed(4)})`, cmp.afterReviewed),
    folds: o.folds,
    seed: o.seed,
    samples: revSamples,
    samplesCsv: revCsv,
    timeseriesCsv: seriesText,
    onnx,
    limitations: [
      `Labels reviewed with ${o.decisions} (${reviewed.relabelled} relabelled, ${reviewed.dropped} dropped); the CV figures are on the reviewed labels, which were chosen with the same out-of-fold predictions and are therefore optimistic.`,
      ...limitations(o.variables, classCounts, seasonRange(revSamples)),
    ],
  });
  const onnxPath = join(o.outDir, `${o.modelId}.onnx`);
  const cardPath = join(o.outDir, `${o.modelId}.json`);
  const reviewedSamplesPath = join(o.outDir, `${o.modelId}.reviewed-samples.csv`);
  writeFileAtomic(onnxPath, onnx);
  writeFileAtomic(cardPath, stringifyCard(card));
  writeFileAtomic(reviewedSamplesPath, revCsv);
  log(`wrote ${onnxPath}, ${cardPath} and ${reviewedSamplesPath}`);
  return { ...cmp, onnxPath, cardPath, reviewedSamplesPath };
}
