/**
 * The data-centric steps, each measured on its own: location-grouped 5-fold CV (the folds of
 * `granary train`, seed 20240607, NDVI+EVI) of the TempCNN recipe with one change at a time, written
 * to models/train/ablation-ndvi-evi.json, which `granary train --arch tempcnn` copies into the card.
 *
 *   node --import tsx models/train/ablate.ts [step ...]     (default: every step; ~2 CPU-minutes each)
 *
 * Every step uses the seeds of granary train's TempCNN cross-validation (deriveSeed(seed, 3, fold)),
 * so the figures are reproducible and comparable with the card's.
 */
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { featureMatrix, labelIndices, sortedLabels } from '../contract/features.js';
import type { Experiment } from '../contract/model-card.js';
import { deriveSeed } from '../contract/prng.js';
import { readSamples, readTimeseries } from '../contract/samples.js';
import { STEPS } from './card.js';
import { DEFAULT_SAMPLES, DEFAULT_SEED, DEFAULT_TIMESERIES } from './defaults.js';
import { crossValidate } from './cross-validate.js';
import { writeFileAtomic } from './files.js';
import { groupedStratifiedFolds } from './folds.js';
import { DEFAULT_TEMPCNN_RECIPE, fitTempCnn, predictTempCnnRecipe, type TempCnnRecipe } from './recipe-tempcnn.js';

export const ABLATION_FILE = fileURLToPath(new URL('./ablation-ndvi-evi.json', import.meta.url));

/** One change from DEFAULT_TEMPCNN_RECIPE per step. */
export const STEPS_TRIED: Record<string, { change: Partial<TempCnnRecipe>; note: string }> = {
  'tempcnn (no augmentation, unweighted)': { change: {}, note: 'TempCNN conv 16-16 k5, dense 32, dropout 0.2, 40 epochs, one seed' },
  'class weights sqrt(n / (C n_c))': { change: { classWeighting: 'sqrt-balanced' }, note: 'class-balanced loss (softened)' },
  'shift one composite (p = 0.5)': { change: { shift: 0.5 }, note: 'temporal augmentation: whole season one 16-day composite earlier or later' },
  'time warp (|a| <= 1.5 steps)': { change: { warp: 1.5 }, note: 'temporal augmentation: smooth warp of the dates' },
  'Gaussian noise (0.03 sd)': { change: { noise: 0.03 }, note: 'augmentation: noise on the standardised values' },
};

export interface AblationFile {
  command: string;
  folds: number;
  seed: number;
  results: Record<string, { overallAccuracy: number; macroF1: number; perClassF1: Record<string, number> }>;
}

export function readAblation(): AblationFile | null {
  return existsSync(ABLATION_FILE) ? (JSON.parse(readFileSync(ABLATION_FILE, 'utf8')) as AblationFile) : null;
}

/** The card's experiments list: each step beside the plain TempCNN, `kept` if the release recipe uses it. */
export function experimentsFor(release: TempCnnRecipe): Experiment[] {
  const a = readAblation();
  if (!a) return [];
  const round4 = (x: number): number => Math.round(x * 1e4) / 1e4;
  return Object.entries(STEPS_TRIED)
    .filter(([step]) => a.results[step])
    .map(([step, s]) => {
      const r = a.results[step] as AblationFile['results'][string];
      const kept = Object.entries(s.change).every(([k, v]) => JSON.stringify(release[k as keyof TempCnnRecipe]) === JSON.stringify(v));
      return { step, overallAccuracy: round4(r.overallAccuracy), macroF1: round4(r.macroF1), kept, note: s.note };
    });
}

async function main(only: string[]): Promise<void> {
  const variables = ['ndvi', 'evi'];
  const samples = readSamples(readFileSync(DEFAULT_SAMPLES, 'utf8'));
  const X = featureMatrix(samples, readTimeseries(readFileSync(DEFAULT_TIMESERIES, 'utf8'), variables), variables, STEPS);
  const names = sortedLabels(samples);
  const y = labelIndices(samples, names);
  const C = names.length;
  const k = 5;
  const seed = DEFAULT_SEED;
  const foldOf = groupedStratifiedFolds(samples.map((s) => s.locationId), y, C, k, seed);
  const file: AblationFile = readAblation() ?? { command: 'node --import tsx models/train/ablate.ts', folds: k, seed, results: {} };
  for (const [step, s] of Object.entries(STEPS_TRIED)) {
    if (only.length > 0 && !only.some((o) => step.startsWith(o))) continue;
    const recipe = { ...DEFAULT_TEMPCNN_RECIPE, ...s.change };
    const cv = crossValidate({ X, y, n: samples.length }, variables.length * STEPS, names, foldOf, k, (tr, Xte, nte, f) =>
      predictTempCnnRecipe(fitTempCnn(tr.X, tr.y, tr.n, variables.length, STEPS, C, recipe, deriveSeed(seed, 3, f)), Xte, nte),
    );
    file.results[step] = { overallAccuracy: cv.overallAccuracy, macroF1: cv.macroF1, perClassF1: Object.fromEntries(cv.perClass.map((c) => [c.name, c.f1])) };
    console.log(`${step}: OA ${cv.overallAccuracy.toFixed(4)}, macro-F1 ${cv.macroF1.toFixed(4)}`);
    writeFileAtomic(ABLATION_FILE, JSON.stringify(file, null, 2) + '\n');
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  main(process.argv.slice(2)).catch((e) => {
    console.error(e);
    process.exitCode = 1;
  });
}
