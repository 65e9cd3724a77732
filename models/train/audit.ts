/**
 * `granary labels audit`: find training labels the model finds implausible, in the manner of
 * confident learning (Northcutt, Jiang & Chuang, "Confident learning: estimating uncertainty in
 * dataset labels", JAIR 70, 2021):
 *
 *  1. out-of-fold class probabilities p_i from the location-grouped, class-stratified k-fold CV of
 *     `granary train` (same folds, same MLP recipe, same per-fold seeds: with the defaults these are
 *     exactly the predictions behind the shipped model card's CV figures);
 *  2. per-class thresholds t_j = mean self-confidence p_i[j] over the samples labelled j;
 *  3. sample i labelled j is flagged when p_i[j] < t_j and some k != j has p_i[k] >= t_k; its likely
 *     label is the argmax of p_i[k] over those k (the off-diagonal entries of CL's confident joint).
 *
 * Outputs (writeAuditOutputs): audit-report.json (per class: n, flagged, threshold, most common likely
 * labels), suspect-samples.geojson (points with the given and likely label, both probabilities and
 * the evidence: the sample's NDVI/EVI curves beside the median curves of both classes) and
 * label-decisions.csv (one row per suspect, decision blank: the file a reviewer fills in).
 * Nothing here writes to the source tables.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { COMPOSITE_DOY, STEPS } from './card.js';
import { crossValidate } from './cross-validate.js';
import { columnIndex, parseCsv } from '../contract/csv.js';
import { featureMatrix, labelIndices, sortedLabels } from '../contract/features.js';
import { writeFileAtomic } from './files.js';
import { groupedStratifiedFolds, splitIndices } from './folds.js';
import { deriveSeed } from '../contract/prng.js';
import { DEFAULT_MLP_RECIPE, fitMlp, predictMlp, type MlpRecipe } from './recipe.js';
import { readSamples, readTimeseries, type Sample, type SeriesBySample } from '../contract/samples.js';
import type { CvResult, LabelledSet } from './cross-validate.js';

/** Variables whose curves are shown as evidence (always read from the time-series CSV). */
const EVIDENCE_VARIABLES = ['ndvi', 'evi'] as const;

type FoldFitPredict = (train: LabelledSet, testX: Float32Array, testN: number, fold: number) => Float64Array;

/**
 * Out-of-fold probabilities [n * C]: each sample predicted once, by a model fitted on the other
 * folds (never on its location). Also returns the summed-confusion CV metrics of those predictions.
 */
function outOfFoldProbabilities(
  data: LabelledSet,
  F: number,
  classNames: readonly string[],
  foldOf: Int32Array,
  k: number,
  fitPredict: FoldFitPredict,
): { P: Float64Array; cv: CvResult } {
  const C = classNames.length;
  const P = new Float64Array(data.n * C).fill(NaN);
  const cv = crossValidate(data, F, classNames, foldOf, k, (tr, Xte, nte, f) => {
    const Pf = fitPredict(tr, Xte, nte, f);
    const { test } = splitIndices(foldOf, f);
    test.forEach((i, r) => P.set(Pf.subarray(r * C, (r + 1) * C), i * C));
    return Pf;
  });
  return { P, cv };
}

interface ConfidentLearningResult {
  /** t_j per class (NaN for a class without samples). */
  thresholds: number[];
  /** Flagged samples: index, given class, likely class. */
  flags: Array<{ index: number; given: number; likely: number }>;
}

/** Per-class thresholds and flags from out-of-fold probabilities P [n * C] and given labels y. Pure. */
export function confidentLearning(P: ArrayLike<number>, y: ArrayLike<number>, n: number, C: number): ConfidentLearningResult {
  const sum = new Float64Array(C);
  const cnt = new Float64Array(C);
  for (let i = 0; i < n; i++) {
    const j = y[i] as number;
    sum[j] = (sum[j] as number) + (P[i * C + j] as number);
    cnt[j] = (cnt[j] as number) + 1;
  }
  const thresholds = Array.from({ length: C }, (_, j) => ((cnt[j] as number) > 0 ? (sum[j] as number) / (cnt[j] as number) : NaN));
  const flags: ConfidentLearningResult['flags'] = [];
  for (let i = 0; i < n; i++) {
    const j = y[i] as number;
    if (!((P[i * C + j] as number) < (thresholds[j] as number))) continue;
    let likely = -1;
    let best = -Infinity;
    for (let c = 0; c < C; c++) {
      if (c === j) continue;
      const p = P[i * C + c] as number;
      // NaN thresholds (empty classes) never qualify
      if (p >= (thresholds[c] as number) && p > best) {
        best = p;
        likely = c;
      }
    }
    if (likely >= 0) flags.push({ index: i, given: j, likely });
  }
  return { thresholds, flags };
}

/** Median of each step over the rows of one class: curves[c][v][t] (NaN where a class has no samples). */
export function classMedianCurves(series: readonly (readonly (readonly number[])[])[], y: ArrayLike<number>, C: number, variables: number, steps: number): number[][][] {
  return Array.from({ length: C }, (_, c) => {
    const rows: number[] = [];
    for (let i = 0; i < series.length; i++) if (y[i] === c) rows.push(i);
    return Array.from({ length: variables }, (_, v) =>
      Array.from({ length: steps }, (_, t) => median(rows.map((i) => ((series[i] as number[][])[v] as number[])[t] as number))),
    );
  });
}

export function median(xs: number[]): number {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2;
}

/** Root mean square difference of two equally long curves (sets of curves, flattened). */
export function rmse(a: readonly (readonly number[])[], b: readonly (readonly number[])[]): number {
  let ss = 0;
  let n = 0;
  a.forEach((row, v) => row.forEach((x, t) => {
    const d = x - (((b[v] as number[])[t]) as number);
    ss += d * d;
    n++;
  }));
  return Math.sqrt(ss / Math.max(1, n));
}

/**
 * Growing-season peaks of an NDVI curve: local maxima of the 3-point moving average whose
 * topographic prominence is >= `minProminence` (default 0.1 NDVI) and whose value is >= 0.5.
 * A double crop (soy then maize, millet or cotton) shows 2, a single crop or pasture 1, an
 * evergreen forest usually 0 or 1. Pure.
 */
export function countPeaks(curve: readonly number[], minProminence = 0.1, minValue = 0.5): number {
  const n = curve.length;
  const s = curve.map((_, t) => {
    const a = curve[Math.max(0, t - 1)] as number;
    const b = curve[t] as number;
    const c = curve[Math.min(n - 1, t + 1)] as number;
    return (a + b + c) / 3;
  });
  let peaks = 0;
  for (let t = 0; t < n; t++) {
    const v = s[t] as number;
    const left = t === 0 ? -Infinity : (s[t - 1] as number);
    const right = t === n - 1 ? -Infinity : (s[t + 1] as number);
    // a plateau counts once, at its first step
    if (!(v > left && v >= right) || v < minValue) continue;
    let lmin = v;
    for (let u = t - 1; u >= 0 && (s[u] as number) <= v; u--) lmin = Math.min(lmin, s[u] as number);
    let rmin = v;
    for (let u = t + 1; u < n && (s[u] as number) <= v; u++) rmin = Math.min(rmin, s[u] as number);
    if (v - Math.max(lmin, rmin) >= minProminence) peaks++;
  }
  return peaks;
}

interface AuditInputs {
  samples: Sample[];
  /** longitude, latitude per sample id */
  coords: Map<string, [number, number]>;
  /** the model's variables (features) */
  variables: string[];
  X: Float32Array;
  /** NDVI and EVI per sample, for the evidence */
  evidence: SeriesBySample;
}

interface AuditOptions {
  folds: number;
  seed: number;
  mlp?: Partial<MlpRecipe>;
  log?: (s: string) => void;
}

export interface Suspect {
  index: number;
  sampleId: string;
  locationId: string;
  season: string;
  lon: number;
  lat: number;
  given: string;
  likely: string;
  pGiven: number;
  pLikely: number;
  /** curves [ndvi, evi] */
  curves: number[][];
  rmseGiven: number;
  rmseLikely: number;
  peaks: { sample: number; given: number; likely: number };
}

export interface AuditResult {
  classNames: string[];
  n: number;
  folds: number;
  seed: number;
  recipe: MlpRecipe;
  variables: string[];
  P: Float64Array;
  y: Int32Array;
  foldOf: Int32Array;
  cv: CvResult;
  thresholds: number[];
  suspects: Suspect[];
  /** medianCurves[c] = [ndvi[23], evi[23]] over samples labelled c */
  medianCurves: number[][][];
}

/** Reads the two CSVs (plus coordinates) for an audit. */
function readAuditInputs(samplesCsvText: string, timeseriesCsvText: string, variables: string[]): AuditInputs {
  const samples = readSamples(samplesCsvText);
  const t = parseCsv(samplesCsvText);
  const iId = columnIndex(t, 'sample_id');
  const iLon = t.header.indexOf('longitude');
  const iLat = t.header.indexOf('latitude');
  const coords = new Map<string, [number, number]>();
  for (const r of t.rows) coords.set((r[iId] ?? '').trim(), [iLon >= 0 ? Number(r[iLon]) : NaN, iLat >= 0 ? Number(r[iLat]) : NaN]);
  const X = featureMatrix(samples, readTimeseries(timeseriesCsvText, variables), variables, STEPS);
  const evidence = readTimeseries(timeseriesCsvText, [...EVIDENCE_VARIABLES]);
  return { samples, coords, variables, X, evidence };
}

/** The out-of-fold CV and confident learning on in-memory inputs. */
function runAudit(inp: AuditInputs, o: AuditOptions): AuditResult {
  const log = o.log ?? (() => {});
  const recipe: MlpRecipe = { ...DEFAULT_MLP_RECIPE, ...o.mlp };
  const { samples, X, variables } = inp;
  const classNames = sortedLabels(samples);
  const y = labelIndices(samples, classNames);
  const n = samples.length;
  const C = classNames.length;
  const F = variables.length * STEPS;
  // Exactly as `granary train`: folds on the location ids, per-fold seed deriveSeed(seed, 1, f).
  const foldOf = groupedStratifiedFolds(samples.map((s) => s.locationId), y, C, o.folds, o.seed);
  const t0 = Date.now();
  const { P, cv } = outOfFoldProbabilities({ X, y, n }, F, classNames, foldOf, o.folds, (tr, Xte, nte, f) => {
    const m = fitMlp(tr.X, tr.y, tr.n, F, C, recipe, deriveSeed(o.seed, 1, f));
    log(`  fold ${f + 1}/${o.folds} done (${((Date.now() - t0) / 1000).toFixed(0)} s)`);
    return predictMlp(m, Xte, nte);
  });
  const { thresholds, flags } = confidentLearning(P, y, n, C);
  const curvesOf = (s: Sample): number[][] => {
    const c = inp.evidence.get(s.sampleId);
    if (!c) throw new Error(`time-series CSV has no rows for sample ${s.sampleId}`);
    return c;
  };
  const allCurves = samples.map(curvesOf);
  const medianCurves = classMedianCurves(allCurves, y, C, EVIDENCE_VARIABLES.length, STEPS);
  const medianPeaks = medianCurves.map((mc) => countPeaks(mc[0] as number[]));
  const suspects = flags.map(({ index, given, likely }): Suspect => {
    const s = samples[index] as Sample;
    const curves = allCurves[index] as number[][];
    const [lon, lat] = inp.coords.get(s.sampleId) ?? [NaN, NaN];
    return {
      index,
      sampleId: s.sampleId,
      locationId: s.locationId,
      season: s.startDate && s.endDate ? `${s.startDate}/${s.endDate}` : '',
      lon,
      lat,
      given: classNames[given] as string,
      likely: classNames[likely] as string,
      pGiven: P[index * C + given] as number,
      pLikely: P[index * C + likely] as number,
      curves,
      rmseGiven: rmse(curves, medianCurves[given] as number[][]),
      rmseLikely: rmse(curves, medianCurves[likely] as number[][]),
      peaks: { sample: countPeaks(curves[0] as number[]), given: medianPeaks[given] as number, likely: medianPeaks[likely] as number },
    };
  });
  return { classNames, n, folds: o.folds, seed: o.seed, recipe, variables, P, y, foldOf, cv, thresholds, suspects, medianCurves };
}

interface AuditFileOptions extends AuditOptions {
  variables: string[];
  samplesCsv: string;
  timeseriesCsv: string;
}

export function auditFiles(o: AuditFileOptions): AuditResult {
  const inp = readAuditInputs(readFileSync(o.samplesCsv, 'utf8'), readFileSync(o.timeseriesCsv, 'utf8'), o.variables);
  return runAudit(inp, o);
}

const r3 = (x: number): number => Math.round(x * 1000) / 1000;
const r4 = (x: number): number => Math.round(x * 1e4) / 1e4;

interface ClassReport {
  name: string;
  n: number;
  flagged: number;
  flaggedShare: number;
  threshold: number;
  /** likely labels of this class's flagged samples, most common first */
  likelyLabels: Array<{ label: string; count: number }>;
  /** samples of other classes whose likely label is this class */
  flaggedInto: number;
}

function classReports(r: AuditResult): ClassReport[] {
  return r.classNames.map((name, j) => {
    const mine = r.suspects.filter((s) => s.given === name);
    const counts = new Map<string, number>();
    for (const s of mine) counts.set(s.likely, (counts.get(s.likely) ?? 0) + 1);
    const n = r.y.filter((c) => c === j).length;
    return {
      name,
      n,
      flagged: mine.length,
      flaggedShare: n > 0 ? r4(mine.length / n) : 0,
      threshold: r4(r.thresholds[j] as number),
      likelyLabels: [...counts].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])).map(([label, count]) => ({ label, count })),
      flaggedInto: r.suspects.filter((s) => s.likely === name).length,
    };
  });
}

export function auditReport(r: AuditResult, meta: { samplesCsv?: string; timeseriesCsv?: string; modelId?: string } = {}) {
  return {
    method:
      'confident learning (Northcutt et al. 2021) on out-of-fold probabilities: t_j = mean p(j) over samples labelled j; ' +
      'a sample labelled j is flagged when p(j) < t_j and some k != j has p(k) >= t_k; likely label = argmax of those p(k)',
    validation: `location-grouped, class-stratified ${r.folds}-fold cross-validation (the folds and per-fold seeds of granary train), seed ${r.seed}`,
    ...(meta.modelId ? { model: meta.modelId } : {}),
    variables: r.variables,
    recipe: r.recipe,
    ...(meta.samplesCsv ? { samplesCsv: meta.samplesCsv } : {}),
    ...(meta.timeseriesCsv ? { timeseriesCsv: meta.timeseriesCsv } : {}),
    samples: r.n,
    flagged: r.suspects.length,
    cv: { overallAccuracy: r4(r.cv.overallAccuracy), macroF1: r4(r.cv.macroF1) },
    classes: classReports(r),
    pairs: pairCounts(r),
  };
}

/** given -> likely pairs, most common first. */
function pairCounts(r: AuditResult): Array<{ given: string; likely: string; count: number }> {
  const m = new Map<string, number>();
  for (const s of r.suspects) m.set(`${s.given}\u0000${s.likely}`, (m.get(`${s.given}\u0000${s.likely}`) ?? 0) + 1);
  return [...m]
    .map(([k, count]) => {
      const [given, likely] = k.split('\u0000') as [string, string];
      return { given, likely, count };
    })
    .sort((a, b) => b.count - a.count || a.given.localeCompare(b.given) || a.likely.localeCompare(b.likely));
}

function suspectsGeojson(r: AuditResult) {
  const curveObj = (c: number[][]) => Object.fromEntries(EVIDENCE_VARIABLES.map((v, i) => [v, (c[i] as number[]).map(r3)]));
  const idx = new Map(r.classNames.map((c, i) => [c, i]));
  return {
    type: 'FeatureCollection',
    name: 'suspect-samples',
    description: 'Training samples whose given label the model finds implausible (granary labels audit); evidence: the sample\'s curves and the median curves of both classes',
    compositeDoy: COMPOSITE_DOY,
    features: r.suspects.map((s) => ({
      type: 'Feature',
      id: s.sampleId,
      geometry: { type: 'Point', coordinates: [r4(s.lon), r4(s.lat)] },
      properties: {
        sample_id: s.sampleId,
        location_id: s.locationId,
        season: s.season,
        given_label: s.given,
        likely_label: s.likely,
        p_given: r4(s.pGiven),
        p_likely: r4(s.pLikely),
        threshold_given: r4(r.thresholds[idx.get(s.given) as number] as number),
        threshold_likely: r4(r.thresholds[idx.get(s.likely) as number] as number),
        rmse_given: r4(s.rmseGiven),
        rmse_likely: r4(s.rmseLikely),
        peaks_sample: s.peaks.sample,
        peaks_given: s.peaks.given,
        peaks_likely: s.peaks.likely,
        evidence: {
          compositeDoy: COMPOSITE_DOY,
          sample: curveObj(s.curves),
          givenMedian: curveObj(r.medianCurves[idx.get(s.given) as number] as number[][]),
          likelyMedian: curveObj(r.medianCurves[idx.get(s.likely) as number] as number[][]),
        },
      },
    })),
  };
}

export const DECISION_COLUMNS = ['sample_id', 'given_label', 'likely_label', 'decision', 'new_label', 'reviewer', 'note'] as const;

function csvField(v: string): string {
  return /[",\n\r]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v;
}

export function csvLine(values: readonly string[]): string {
  return values.map(csvField).join(',');
}

/** The reviewable decisions file: one row per suspect, decision blank (blank = keep). */
function decisionsTemplate(r: AuditResult): string {
  const lines = [csvLine(DECISION_COLUMNS)];
  for (const s of r.suspects) lines.push(csvLine([s.sampleId, s.given, s.likely, '', '', '', `p(given)=${r3(s.pGiven)} p(likely)=${r3(s.pLikely)}`]));
  return lines.join('\n') + '\n';
}

export function writeAuditOutputs(r: AuditResult, outDir: string, meta: Parameters<typeof auditReport>[1] = {}): string[] {
  const files = [join(outDir, 'audit-report.json'), join(outDir, 'suspect-samples.geojson'), join(outDir, 'label-decisions.csv')];
  writeFileAtomic(files[0] as string, JSON.stringify(auditReport(r, meta), null, 2) + '\n');
  // one feature per line: small diffs when the audit is re-run
  const fc = suspectsGeojson(r);
  const { features, ...head } = fc;
  const headJson = JSON.stringify(head);
  const body = features.map((f) => JSON.stringify(f)).join(',\n');
  writeFileAtomic(files[1] as string, `${headJson.slice(0, -1)},"features":[\n${body}\n]}\n`);
  writeFileAtomic(files[2] as string, decisionsTemplate(r));
  return files;
}

/** Plain-text per-class table for the terminal. */
export function auditTable(r: AuditResult): string {
  const rows = classReports(r);
  const w = Math.max(14, ...rows.map((c) => c.name.length)) + 1;
  const lines = [
    `${'class'.padEnd(w)}${'n'.padStart(5)}${'t_j'.padStart(7)}${'flagged'.padStart(9)}${'%'.padStart(7)}  likely labels`,
    ...rows.map(
      (c) =>
        `${c.name.padEnd(w)}${String(c.n).padStart(5)}${c.threshold.toFixed(3).padStart(7)}${String(c.flagged).padStart(9)}${(100 * c.flaggedShare).toFixed(1).padStart(7)}  ` +
        c.likelyLabels.map((l) => `${l.label} ${l.count}`).join(', '),
    ),
    `${'total'.padEnd(w)}${String(r.n).padStart(5)}${''.padStart(7)}${String(r.suspects.length).padStart(9)}${((100 * r.suspects.length) / r.n).toFixed(1).padStart(7)}`,
  ];
  return lines.join('\n');
}
