/**
 * `granary train ablate`: the data-centric steps, each measured on its own, then combined, in
 * location-grouped k-fold CV (the folds of `granary train`: groupedStratifiedFolds on the original
 * labels, seed 20240607, NDVI+EVI), written to models/train/ablation-ndvi-evi.json, which
 * `granary train --arch tempcnn` copies into the card's metrics.experiments.
 *
 *   node bin/granary.js train ablate [--model tempcnn|mlp] [--steps a,b] [--folds 5] [--epochs n]
 *                                    [--repeats r] [--first-repeat r0] [--seed n] [--out file]
 *   npm run ablate -- [same options]
 *
 * Every variant is scored on the ORIGINAL labels of the held-out folds (the labels as published),
 * also when it was trained on the reviewed labels of the label audit, so every row is comparable
 * with the card's figures. Repeat 0 uses the per-fold seeds of granary train (deriveSeed(seed, 3, f)
 * for the TempCNN, deriveSeed(seed, 1, f) for the MLP): its rows are the card's own numbers when
 * the recipe is the card's. Repeats r > 0 derive other training seeds on the same folds, to show
 * how much of a difference is seed noise (--first-repeat 1 --repeats 2 runs repeats 1 and 2 only).
 */
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { featureMatrix, labelIndices, sortedLabels } from '../contract/features.js';
import type { Experiment } from '../contract/model-card.js';
import { deriveSeed } from '../contract/prng.js';
import { readSamples, readTimeseries } from '../contract/samples.js';
import { applyDecisions, parseDecisions, scoreOn } from './audit-retrain.js';
import { calibrateOutOfFold } from './calibrate.js';
import { STEPS } from './card.js';
import { takeRows } from './cross-validate.js';
import { DEFAULT_SAMPLES, DEFAULT_SEED, DEFAULT_TIMESERIES, repoRoot } from './defaults.js';
import { writeFileAtomic } from './files.js';
import { groupedStratifiedFolds, splitIndices } from './folds.js';
import { DEFAULT_MLP_RECIPE, fitMlp, predictMlp, type MlpRecipe } from './recipe.js';
import { DEFAULT_TEMPCNN_RECIPE, fitTempCnn, predictTempCnnRecipe, type TempCnnRecipe } from './recipe-tempcnn.js';

const ABLATION_FILE = fileURLToPath(new URL('./ablation-ndvi-evi.json', import.meta.url));
const REVIEWED_DECISIONS = `${repoRoot}fixtures/labels/audit/label-decisions.reviewed.csv`;

interface Variant {
  model: 'tempcnn' | 'mlp';
  /** Changes from the model's default recipe (DEFAULT_TEMPCNN_RECIPE / DEFAULT_MLP_RECIPE). */
  change: Partial<TempCnnRecipe> | Partial<MlpRecipe>;
  /** Train on the labels reviewed by the label audit (drop / relabel), score on the original ones. */
  reviewed?: boolean;
  /** Add phenology channels (phenologyChannels) to the inputs. */
  phenology?: boolean;
  note: string;
}

/** The steps; keys are what the card shows. Combinations come last and name their parts. */
const STEPS_TRIED: Record<string, Variant> = {
  'tempcnn (no augmentation, unweighted)': { model: 'tempcnn', change: {}, note: 'TempCNN conv 16-16 k5, dense 32, dropout 0.2, 40 epochs, one seed' },
  'class weights sqrt(n / (C n_c))': { model: 'tempcnn', change: { classWeighting: 'sqrt-balanced' }, note: 'class-balanced loss (softened)' },
  'class weights n / (C n_c)': { model: 'tempcnn', change: { classWeighting: 'balanced' }, note: 'class-balanced loss (full inverse frequency)' },
  'shift one composite (p = 0.5)': { model: 'tempcnn', change: { shift: 0.5 }, note: 'temporal augmentation: whole season one 16-day composite earlier or later' },
  'time warp (|a| <= 1.5 steps)': { model: 'tempcnn', change: { warp: 1.5 }, note: 'temporal augmentation: smooth warp of the dates' },
  'Gaussian noise (0.03 sd)': { model: 'tempcnn', change: { noise: 0.03 }, note: 'augmentation: noise on the standardised values' },
  'reviewed labels': { model: 'tempcnn', change: {}, reviewed: true, note: 'trained on the labels reviewed by the label audit (38 relabelled, 21 dropped), scored on the original labels' },
  'phenology channels': { model: 'tempcnn', change: {}, phenology: true, note: 'each series also as a fraction of its own seasonal amplitude, (x - min) / (max - min): the curve TIMESAT thresholds for start/end of season' },
  'sqrt weights + reviewed labels': { model: 'tempcnn', change: { classWeighting: 'sqrt-balanced' }, reviewed: true, note: 'combination' },
  'sqrt weights + phenology channels': { model: 'tempcnn', change: { classWeighting: 'sqrt-balanced' }, phenology: true, note: 'combination' },
  'sqrt weights + reviewed labels + phenology channels': { model: 'tempcnn', change: { classWeighting: 'sqrt-balanced' }, reviewed: true, phenology: true, note: 'combination' },
  'mlp (shipped recipe)': { model: 'mlp', change: {}, note: 'MLP 46-64-32-9 x3 seeds, 60 epochs (the default model)' },
  'mlp class weights sqrt(n / (C n_c))': { model: 'mlp', change: { classWeighting: 'sqrt-balanced' }, note: 'class-balanced loss (softened)' },
  'mlp input noise (0.03 sd)': { model: 'mlp', change: { inputNoise: 0.03 }, note: 'augmentation: noise on the standardised values' },
  'mlp reviewed labels': { model: 'mlp', change: {}, reviewed: true, note: 'trained on the reviewed labels, scored on the original labels' },
};

export interface AblationResult {
  overallAccuracy: number;
  macroF1: number;
  perClassF1: Record<string, number>;
  /** Cross-fitted ECE after temperature scaling (models/train/calibrate.ts), 15 bins. */
  eceCalibrated?: number;
  /** One {OA, macro-F1} per repeat (training seeds), when repeats > 1; the top-level figures are the first repeat's. */
  repeats?: Array<{ overallAccuracy: number; macroF1: number }>;
  seconds?: number;
  /** The command that produced this row. */
  command?: string;
  /** The command of repeats run separately (--first-repeat), merged into `repeats`. */
  repeatsCommand?: string;
}

export interface AblationFile {
  command: string;
  folds: number;
  seed: number;
  epochs?: { tempcnn: number; mlp: number };
  load?: string;
  results: Record<string, AblationResult>;
}

function readAblation(file = ABLATION_FILE): AblationFile | null {
  return existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as AblationFile) : null;
}

/**
 * Phenology channels: for every variable, the series as a fraction of its own seasonal amplitude,
 * (x - min) / (max - min) over the 23 dates (0.5 where the series is flat). TIMESAT's start and end
 * of season are where this curve crosses a threshold (20 % in server/phenology); the conv layers see
 * it directly instead of having to learn a per-pixel normalisation. Rows [n, V*T] -> [n, 2V*T].
 */
export function phenologyChannels(X: Float32Array, n: number, V: number, T: number): Float32Array {
  const F = V * T;
  const out = new Float32Array(n * 2 * F);
  for (let i = 0; i < n; i++) {
    out.set(X.subarray(i * F, i * F + F), i * 2 * F);
    for (let v = 0; v < V; v++) {
      let lo = Infinity;
      let hi = -Infinity;
      for (let t = 0; t < T; t++) {
        const x = X[i * F + v * T + t] as number;
        if (x < lo) lo = x;
        if (x > hi) hi = x;
      }
      const span = hi - lo;
      for (let t = 0; t < T; t++) {
        out[i * 2 * F + F + v * T + t] = span > 1e-9 ? ((X[i * F + v * T + t] as number) - lo) / span : 0.5;
      }
    }
  }
  return out;
}

/** The card's experiments list: each TempCNN step, `kept` if the release recipe uses it. */
export function experimentsFor(release: TempCnnRecipe, file = ABLATION_FILE): Experiment[] {
  const a = readAblation(file);
  if (!a) return [];
  const round4 = (x: number): number => Math.round(x * 1e4) / 1e4;
  return Object.entries(STEPS_TRIED)
    .filter(([step, s]) => s.model === 'tempcnn' && a.results[step])
    .map(([step, s]) => {
      const r = a.results[step] as AblationResult;
      const kept =
        !s.reviewed &&
        !s.phenology &&
        Object.entries(s.change).every(([k, v]) => JSON.stringify(release[k as keyof TempCnnRecipe]) === JSON.stringify(v));
      return { step, overallAccuracy: round4(r.overallAccuracy), macroF1: round4(r.macroF1), kept, note: s.note };
    });
}

interface AblationData {
  classNames: string[];
  X: Float32Array;
  V: number;
  yOrig: Int32Array;
  /** reviewed label index per sample, -1 = dropped by the review */
  yRev: Int32Array;
  foldOf: Int32Array;
}

function loadAblationData(samplesCsv: string, timeseriesCsv: string, decisionsCsv: string, k: number, seed: number): AblationData {
  const variables = ['ndvi', 'evi'];
  const samples = readSamples(readFileSync(samplesCsv, 'utf8'));
  const X = featureMatrix(samples, readTimeseries(readFileSync(timeseriesCsv, 'utf8'), variables), variables, STEPS);
  const classNames = sortedLabels(samples);
  const yOrig = labelIndices(samples, classNames);
  const { rows } = parseDecisions(readFileSync(decisionsCsv, 'utf8'), samples, classNames);
  const reviewed = applyDecisions(samples, rows);
  const idx = new Map(classNames.map((c, i) => [c, i]));
  const yRev = Int32Array.from(reviewed.labels, (l) => (l === null ? -1 : (idx.get(l) as number)));
  // The folds come from the original labels, exactly as in granary train.
  const foldOf = groupedStratifiedFolds(samples.map((s) => s.locationId), yOrig, classNames.length, k, seed);
  return { classNames, X, V: variables.length, yOrig, yRev, foldOf };
}

/** Out-of-fold probabilities [n, C] of one variant with one repeat's training seeds. */
function runVariant(d: AblationData, v: Variant, k: number, seed: number, repeat: number, epochs: { tempcnn: number; mlp: number }): Float64Array {
  const C = d.classNames.length;
  const n = d.yOrig.length;
  const V = v.phenology ? 2 * d.V : d.V;
  const X = v.phenology ? phenologyChannels(d.X, n, d.V, STEPS) : d.X;
  const F = V * STEPS;
  const yTrain = v.reviewed ? d.yRev : d.yOrig;
  const oof = new Float64Array(n * C);
  for (let f = 0; f < k; f++) {
    const { train, test } = splitIndices(d.foldOf, f);
    if (test.length === 0) continue;
    const tr = Int32Array.from(Array.from(train).filter((i) => (yTrain[i] as number) >= 0));
    const Xtr = takeRows(X, F, tr);
    const ytr = Int32Array.from(tr, (i) => yTrain[i] as number);
    const Xte = takeRows(X, F, test);
    let P: Float64Array;
    if (v.model === 'tempcnn') {
      const base = deriveSeed(seed, 3, f);
      const recipe: TempCnnRecipe = { ...DEFAULT_TEMPCNN_RECIPE, epochs: epochs.tempcnn, ...(v.change as Partial<TempCnnRecipe>) };
      P = predictTempCnnRecipe(fitTempCnn(Xtr, ytr, tr.length, V, STEPS, C, recipe, repeat === 0 ? base : deriveSeed(base, repeat)), Xte, test.length);
    } else {
      const base = deriveSeed(seed, 1, f);
      const recipe: MlpRecipe = { ...DEFAULT_MLP_RECIPE, epochs: epochs.mlp, ...(v.change as Partial<MlpRecipe>) };
      P = predictMlp(fitMlp(Xtr, ytr, tr.length, F, C, recipe, repeat === 0 ? base : deriveSeed(base, repeat)), Xte, test.length);
    }
    test.forEach((row, j) => oof.set(P.subarray(j * C, j * C + C), row * C));
  }
  return oof;
}

const ABLATE_USAGE = `usage: granary train ablate [--model tempcnn|mlp|all] [--steps prefix,prefix] [--folds 5] [--epochs n]
                            [--mlp-epochs n] [--repeats 1] [--first-repeat 0] [--seed n] [--out file] [--decisions csv]
Runs the data-centric steps (models/train/ablate.ts STEPS_TRIED) in location-grouped k-fold CV on
NDVI+EVI, scored on the original labels, and merges the results into --out
(default models/train/ablation-ndvi-evi.json). Steps:
${Object.keys(STEPS_TRIED).map((s) => `  ${s}`).join('\n')}`;

export async function main(argv: string[], log: (s: string) => void = (s) => console.log(s)): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        model: { type: 'string' },
        steps: { type: 'string' },
        folds: { type: 'string' },
        epochs: { type: 'string' },
        'mlp-epochs': { type: 'string' },
        repeats: { type: 'string' },
        'first-repeat': { type: 'string' },
        seed: { type: 'string' },
        out: { type: 'string' },
        decisions: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (e) {
    console.error(`${(e as Error).message}\n${ABLATE_USAGE}`);
    return 2;
  }
  if (values.help) {
    log(ABLATE_USAGE);
    return 0;
  }
  const int = (name: string, raw: string | undefined, fallback: number, min: number): number => {
    if (raw === undefined) return fallback;
    const x = Number(raw);
    if (!Number.isInteger(x) || x < min) throw new Error(`--${name} must be an integer >= ${min}, got "${raw}"`);
    return x;
  };
  try {
    const k = int('folds', values.folds, 5, 2);
    const seed = int('seed', values.seed, DEFAULT_SEED, 0);
    const repeats = int('repeats', values.repeats, 1, 1);
    const firstRepeat = int('first-repeat', values['first-repeat'], 0, 0);
    const epochs = { tempcnn: int('epochs', values.epochs, DEFAULT_TEMPCNN_RECIPE.epochs, 1), mlp: int('mlp-epochs', values['mlp-epochs'], DEFAULT_MLP_RECIPE.epochs, 1) };
    const model = values.model ?? 'tempcnn';
    if (!['tempcnn', 'mlp', 'all'].includes(model)) throw new Error(`--model must be tempcnn, mlp or all, got "${model}"`);
    const only = (values.steps ?? '').split(',').map((s) => s.trim()).filter(Boolean);
    const chosen = Object.entries(STEPS_TRIED).filter(
      ([step, v]) => (model === 'all' || v.model === model) && (only.length === 0 || only.some((o) => step.startsWith(o))),
    );
    if (chosen.length === 0) throw new Error(`no step matches --model ${model} --steps ${values.steps ?? ''}`);
    const out = values.out ?? ABLATION_FILE;
    const d = loadAblationData(DEFAULT_SAMPLES, DEFAULT_TIMESERIES, values.decisions ?? REVIEWED_DECISIONS, k, seed);
    const C = d.classNames.length;
    const prev = readAblation(out);
    const file: AblationFile =
      prev && prev.folds === k && prev.seed === seed && prev.epochs?.tempcnn === epochs.tempcnn && prev.epochs?.mlp === epochs.mlp
        ? prev
        : { command: '', folds: k, seed, epochs, results: {} };
    file.command = `node bin/granary.js train ablate ${argv.map((a) => (/[\s,]/.test(a) ? JSON.stringify(a) : a)).join(' ')}`.trim();
    log(`location-grouped ${k}-fold CV, seed ${seed}, NDVI+EVI, ${d.yOrig.length} samples; scored on the original labels; ${repeats} repeat(s)`);
    for (const [step, v] of chosen) {
      const t0 = Date.now();
      const reps: Array<{ overallAccuracy: number; macroF1: number }> = [];
      let first: AblationResult | null = null;
      for (let r = firstRepeat; r < firstRepeat + repeats; r++) {
        const oof = runVariant(d, v, k, seed, r, epochs);
        const cv = scoreOn(oof, d.yOrig, C, d.classNames);
        reps.push({ overallAccuracy: cv.overallAccuracy, macroF1: cv.macroF1 });
        if (r === firstRepeat) {
          const cal = calibrateOutOfFold(oof, d.yOrig, d.foldOf, k, C);
          first = {
            overallAccuracy: cv.overallAccuracy,
            macroF1: cv.macroF1,
            perClassF1: Object.fromEntries(cv.perClass.map((c) => [c.name, c.f1])),
            eceCalibrated: Math.round(cal.after.ece * 1e4) / 1e4,
          };
        }
      }
      const res = first as AblationResult;
      if (repeats > 1) res.repeats = reps;
      res.seconds = Math.round((Date.now() - t0) / 1000);
      res.command = file.command;
      file.results[step] = res;
      const spread = repeats > 1 ? ` (repeats OA ${reps.map((x) => x.overallAccuracy.toFixed(4)).join('/')}, macro-F1 ${reps.map((x) => x.macroF1.toFixed(4)).join('/')})` : '';
      log(`${step}: OA ${res.overallAccuracy.toFixed(4)}, macro-F1 ${res.macroF1.toFixed(4)}, ECE ${(100 * (res.eceCalibrated ?? 0)).toFixed(2)} %${spread}, ${res.seconds} s`);
      writeFileAtomic(out, JSON.stringify(file, null, 2) + '\n');
    }
    return 0;
  } catch (e) {
    console.error(`granary train ablate: ${(e as Error).message}`);
    return 1;
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  main(process.argv.slice(2)).then((code) => (process.exitCode = code));
}
