/**
 * `granary train`: cross-validate the MLP and the random-forest baseline on identical
 * location-grouped folds, print them side by side, then fit both on all the public samples and write
 *   <outDir>/<modelId>.onnx + .json                  the released MLP and its card
 *   <baselineDir>/<baselineId>.onnx + .json          the forest (ai.onnx.ml TreeEnsembleClassifier)
 * Everything is seeded and single-threaded, and the card's date comes from the data, so the same
 * command writes byte-identical files.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ModelCard } from '../contract/model-card.js';
import { buildCard, limitations, metricsBlock, seasonRange, STEPS, stringifyCard } from './card.js';
import { crossValidate, type CvResult } from './cross-validate.js';
import { exportForestOnnx } from './export-forest-onnx.js';
import { exportMlpOnnx } from './export-mlp-onnx.js';
import { featureMatrix, labelIndices, sortedLabels } from '../contract/features.js';
import { writeFileAtomic } from './files.js';
import { groupedStratifiedFolds } from './folds.js';
import { deriveSeed } from '../contract/prng.js';
import {
  DEFAULT_FOREST_RECIPE,
  DEFAULT_MLP_RECIPE,
  fitForest,
  fitMlp,
  predictForest,
  predictMlp,
  type ForestRecipe,
  type MlpRecipe,
} from './recipe.js';
import { confusionTable, sideBySideTable } from './report.js';
import { readSamples, readTimeseries } from '../contract/samples.js';

export interface TrainOptions {
  variables: string[];
  modelId: string;
  seed: number;
  folds: number;
  outDir: string;
  samplesCsv: string;
  timeseriesCsv: string;
  /** Overrides the recipe's epoch count (tests use a few). */
  epochs?: number;
  log?: (s: string) => void;
  /** Recipe overrides (ensemble size, hidden widths, ...). */
  mlp?: Partial<MlpRecipe>;
  forest?: Partial<ForestRecipe>;
  /** Where the forest baseline goes; default <outDir>/baselines; null = do not write it. */
  baselineDir?: string | null;
  version?: string;
}

export interface TrainResult {
  card: ModelCard;
  onnxPath: string;
  cardPath: string;
  cv: { mlp: CvResult; forest: CvResult };
  baseline?: { card: ModelCard; onnxPath: string; cardPath: string };
}

const INPUT = 'features';
const OUTPUT = 'probabilities';

export async function train(opts: TrainOptions): Promise<TrainResult> {
  const log = opts.log ?? ((s: string) => console.log(s));
  const t0 = Date.now();
  const elapsed = (): string => `${((Date.now() - t0) / 1000).toFixed(1)} s`;
  const mlpRecipe: MlpRecipe = { ...DEFAULT_MLP_RECIPE, ...opts.mlp, ...(opts.epochs !== undefined ? { epochs: opts.epochs } : {}) };
  const forestRecipe: ForestRecipe = { ...DEFAULT_FOREST_RECIPE, ...opts.forest };
  const { variables, seed, folds: k } = opts;
  if (variables.length === 0) throw new Error('train: no variables');

  const samplesText = readFileSync(opts.samplesCsv, 'utf8');
  const seriesText = readFileSync(opts.timeseriesCsv, 'utf8');
  const samples = readSamples(samplesText);
  const X = featureMatrix(samples, readTimeseries(seriesText, variables), variables, STEPS);
  const classNames = sortedLabels(samples);
  const y = labelIndices(samples, classNames);
  const n = samples.length;
  const F = variables.length * STEPS;
  const C = classNames.length;
  const foldOf = groupedStratifiedFolds(samples.map((s) => s.locationId), y, C, k, seed);
  const locations = new Set(samples.map((s) => s.locationId)).size;
  log(`${opts.modelId}: ${n} samples, ${locations} locations, ${C} classes, ${F} features (${variables.join(',')} x ${STEPS})`);

  const hidden = mlpRecipe.hidden;
  const mlpLabel = `MLP ${[F, ...hidden, C].join('-')}` + (mlpRecipe.ensemble > 1 ? ` x${mlpRecipe.ensemble} seeds` : '');
  const forestLabel = `RF ${forestRecipe.trees} trees`;
  const data = { X, y, n };
  const cvForest = crossValidate(data, F, classNames, foldOf, k, (tr, Xte, nte, f) => {
    const forest = fitForest(tr.X, tr.y, tr.n, F, C, forestRecipe, deriveSeed(seed, 2, f));
    log(`  ${forestLabel}: fold ${f + 1}/${k} done (${elapsed()})`);
    return predictForest(forest, Xte, nte);
  });
  const cvMlp = crossValidate(data, F, classNames, foldOf, k, (tr, Xte, nte, f) => {
    const m = fitMlp(tr.X, tr.y, tr.n, F, C, mlpRecipe, deriveSeed(seed, 1, f));
    log(`  ${mlpLabel}: fold ${f + 1}/${k} done (${elapsed()})`);
    return predictMlp(m, Xte, nte);
  });
  log(`\nLocation-grouped ${k}-fold CV, seed ${seed}, same folds for both:\n`);
  log(sideBySideTable({ label: mlpLabel, cv: cvMlp }, { label: forestLabel, cv: cvForest }));
  log(`\nMLP confusion matrix (rows: reference, columns: predicted):\n${confusionTable(cvMlp.confusionMatrix, classNames)}\n`);

  // Final fits on all public samples.
  const classCounts = Object.fromEntries(classNames.map((c, i) => [c, y.filter((v) => v === i).length]));
  const lim = limitations(variables, classCounts, seasonRange(samples));
  const finalMlp = fitMlp(X, y, n, F, C, mlpRecipe, deriveSeed(seed, 1, 1000));
  const mlpOnnx = exportMlpOnnx(finalMlp.net, {
    inputName: INPUT,
    outputName: OUTPUT,
    graphName: opts.modelId,
    docString: `${opts.modelId}: crop-type MLP, inputs ${variables.join(',')} x ${STEPS} (variable-major, standardised per the model card)`,
  });
  const common = {
    version: opts.version ?? '1.0.0',
    variables,
    inputName: INPUT,
    outputName: OUTPUT,
    classNames,
    folds: k,
    seed,
    samples,
    samplesCsv: samplesText,
    timeseriesCsv: seriesText,
    limitations: lim,
  };
  const card = buildCard({
    ...common,
    id: opts.modelId,
    title: `Crop type (${C} classes) from a MODIS ${variables.join('+').toUpperCase()} season, MLP`,
    family: 'mlp',
    description:
      `${mlpLabel}: ${mlpRecipe.ensemble} independently seeded Dense-ReLU nets ${[F, ...hidden, C].join('-')} merged into one ` +
      `${[F, ...hidden.map((h) => h * mlpRecipe.ensemble), C].join('-')} net (block-diagonal inner layers, averaged logits), softmax output`,
    hyperparameters: { ...mlpRecipe, seed },
    normalisation: { type: 'standardize', mean: finalMlp.standardization.mean, std: finalMlp.standardization.std },
    metrics: metricsBlock(mlpLabel, cvMlp),
    baseline: metricsBlock(forestLabel, cvForest),
    onnx: mlpOnnx,
  });
  const onnxPath = join(opts.outDir, `${opts.modelId}.onnx`);
  const cardPath = join(opts.outDir, `${opts.modelId}.json`);
  writeFileAtomic(onnxPath, mlpOnnx);
  writeFileAtomic(cardPath, stringifyCard(card));
  log(`wrote ${onnxPath} (${mlpOnnx.length} bytes) and ${cardPath} (${elapsed()})`);

  const result: TrainResult = { card, onnxPath, cardPath, cv: { mlp: cvMlp, forest: cvForest } };
  const baselineDir = opts.baselineDir === undefined ? join(opts.outDir, 'baselines') : opts.baselineDir;
  if (baselineDir !== null) {
    const id = opts.modelId.includes('-mlp-') ? opts.modelId.replace('-mlp-', '-rf-') : `${opts.modelId}-rf`;
    const forest = fitForest(X, y, n, F, C, forestRecipe, deriveSeed(seed, 2, 1000));
    const forestOnnx = exportForestOnnx(forest, {
      inputName: INPUT,
      outputName: OUTPUT,
      graphName: id,
      docString: `${id}: random-forest baseline for ${opts.modelId}, raw physical-unit inputs`,
    });
    const bCard = buildCard({
      ...common,
      id,
      title: `Crop type (${C} classes) from a MODIS ${variables.join('+').toUpperCase()} season, random-forest baseline`,
      family: 'random-forest',
      description: `${forestLabel} (CART, Gini, bootstrap, ${forestRecipe.maxFeatures || Math.round(Math.sqrt(F))} features per split), mean of leaf class frequencies; ai.onnx.ml TreeEnsembleClassifier`,
      hyperparameters: { ...forestRecipe, seed },
      normalisation: { type: 'none' },
      metrics: metricsBlock(forestLabel, cvForest),
      onnx: forestOnnx,
    });
    const bOnnx = join(baselineDir, `${id}.onnx`);
    const bCardPath = join(baselineDir, `${id}.json`);
    writeFileAtomic(bOnnx, forestOnnx);
    writeFileAtomic(bCardPath, stringifyCard(bCard));
    log(`wrote ${bOnnx} (${forestOnnx.length} bytes) and ${bCardPath} (${elapsed()})`);
    result.baseline = { card: bCard, onnxPath: bOnnx, cardPath: bCardPath };
  }
  return result;
}
