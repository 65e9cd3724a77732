/**
 * `granary train`: cross-validate the MLP and the random-forest baseline (and, with arch "tempcnn",
 * the TempCNN) on identical location-grouped folds, print them side by side, fit a temperature on
 * the released model's out-of-fold probabilities, then fit on all the public samples and write
 *   <outDir>/<modelId>.onnx + .json                  the released model and its card
 *   <outDir>/<modelId>.reliability.png               its reliability diagram (out of fold)
 *   <baselineDir>/<baselineId>.onnx + .json          the forest (ai.onnx.ml TreeEnsembleClassifier)
 * Everything is seeded and single-threaded, and the card's date comes from the data, so the same
 * command writes byte-identical files.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Experiment, ModelCard } from '../contract/model-card.js';
import { calibrateOutOfFold } from './calibrate.js';
import { exportTempCnnOnnx } from './export-tempcnn-onnx.js';
import { DEFAULT_TEMPCNN_RECIPE, fitTempCnn, predictTempCnnRecipe, type TempCnnRecipe } from './recipe-tempcnn.js';
import { reliabilityPng } from './reliability-diagram.js';
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
  /** The released model: the MLP (default) or a TempCNN (then the MLP is a comparison on the same folds). */
  arch?: 'mlp' | 'tempcnn';
  tempcnn?: Partial<TempCnnRecipe>;
  /** Data-centric / architecture steps measured on the same folds (models/train/ablate.ts), recorded in the card. */
  experiments?: Experiment[];
  /** Fit and write the temperature calibration (default true). */
  calibrate?: boolean;
  /** Where the forest baseline goes; default <outDir>/baselines; null = do not write it. */
  baselineDir?: string | null;
  version?: string;
}

interface TrainResult {
  card: ModelCard;
  onnxPath: string;
  cardPath: string;
  cv: { mlp: CvResult; forest: CvResult; tempcnn?: CvResult };
  diagramPath?: string;
  baseline?: { card: ModelCard; onnxPath: string; cardPath: string };
}

const round4 = (x: number): number => Math.round(x * 1e4) / 1e4;
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

  const arch = opts.arch ?? 'mlp';
  const tcRecipe: TempCnnRecipe = { ...DEFAULT_TEMPCNN_RECIPE, ...opts.tempcnn, ...(opts.epochs !== undefined ? { epochs: opts.epochs } : {}) };
  const V = variables.length;
  const tcLabel = `TempCNN conv ${tcRecipe.filters.join('-')} k${tcRecipe.kernel}, dense ${tcRecipe.dense}` + (tcRecipe.ensemble > 1 ? ` x${tcRecipe.ensemble} seeds` : '');
  let cvTc: ReturnType<typeof crossValidate> | undefined;
  if (arch === 'tempcnn') {
    cvTc = crossValidate(data, F, classNames, foldOf, k, (tr, Xte, nte, f) => {
      const m = fitTempCnn(tr.X, tr.y, tr.n, V, STEPS, C, tcRecipe, deriveSeed(seed, 3, f));
      log(`  ${tcLabel}: fold ${f + 1}/${k} done (${elapsed()})`);
      return predictTempCnnRecipe(m, Xte, nte);
    });
    log(`\n${sideBySideTable({ label: tcLabel, cv: cvTc }, { label: mlpLabel, cv: cvMlp })}`);
    log(`\nTempCNN confusion matrix:\n${confusionTable(cvTc.confusionMatrix, classNames)}\n`);
  }
  const mainCv = cvTc ?? cvMlp;
  const cal = opts.calibrate === false ? undefined : calibrateOutOfFold(mainCv.oof, y, foldOf, k, C);
  if (cal) {
    log(`calibration: T = ${cal.temperature}, out-of-fold ECE ${(cal.before.ece * 100).toFixed(2)} % -> ${(cal.after.ece * 100).toFixed(2)} % (cross-fitted)`);
  }

  // Final fits on all public samples.
  const classCounts = Object.fromEntries(classNames.map((c, i) => [c, y.filter((v) => v === i).length]));
  const lim = limitations(variables, classCounts, seasonRange(samples), cal !== undefined);
  const diagramName = `${opts.modelId}.reliability.png`;
  const calibration = cal && {
    method: 'temperature' as const,
    temperature: cal.temperature,
    fittedOn:
      `out-of-fold probabilities of the ${k}-fold location-grouped CV (negative log-likelihood); eceBefore/eceAfter and the ` +
      'reliability bins are out of fold and cross-fitted (each fold tempered with a T fitted on the other folds)',
    bins: cal.bins,
    eceBefore: round4(cal.before.ece),
    eceAfter: round4(cal.after.ece),
    reliability: cal.after.bins.map((b) => ({ lo: round4(b.lo), hi: round4(b.hi), count: b.count, confidence: round4(b.confidence), accuracy: round4(b.accuracy) })),
    diagram: diagramName,
  };
  let mainOnnx: Uint8Array;
  let normalisation: { type: 'standardize'; mean: number[]; std: number[] };
  if (arch === 'tempcnn') {
    const finalTc = fitTempCnn(X, y, n, V, STEPS, C, tcRecipe, deriveSeed(seed, 3, 1000));
    mainOnnx = exportTempCnnOnnx(finalTc.members, {
      inputName: INPUT,
      outputName: OUTPUT,
      graphName: opts.modelId,
      docString: `${opts.modelId}: crop-type TempCNN, inputs ${variables.join(',')} x ${STEPS} (variable-major = channels-first [V, T], standardised per the model card)`,
    });
    normalisation = { type: 'standardize', mean: finalTc.standardization.mean, std: finalTc.standardization.std };
  } else {
    const finalMlp = fitMlp(X, y, n, F, C, mlpRecipe, deriveSeed(seed, 1, 1000));
    mainOnnx = exportMlpOnnx(finalMlp.net, {
      inputName: INPUT,
      outputName: OUTPUT,
      graphName: opts.modelId,
      docString: `${opts.modelId}: crop-type MLP, inputs ${variables.join(',')} x ${STEPS} (variable-major, standardised per the model card)`,
    });
    normalisation = { type: 'standardize', mean: finalMlp.standardization.mean, std: finalMlp.standardization.std };
  }
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
    ...(arch === 'tempcnn'
      ? {
          title: `Crop type (${C} classes) from a MODIS ${variables.join('+').toUpperCase()} season, TempCNN`,
          family: 'tempcnn',
          description:
            `${tcLabel}: TempCNN (Pelletier et al. 2019): ${tcRecipe.filters.length} x [Conv1d kernel ${tcRecipe.kernel} over the ${STEPS} dates, ` +
            `batch norm, ReLU, dropout ${tcRecipe.dropout}], flatten, dense ${tcRecipe.dense} (batch norm, ReLU, dropout), softmax; ` +
            'batch norms folded into the weights; ' +
            (tcRecipe.ensemble > 1 ? `${tcRecipe.ensemble} seeds, mean of their probabilities` : 'one seed'),
          hyperparameters: { ...tcRecipe, seed },
          metrics: metricsBlock(tcLabel, mainCv),
          comparisons: [metricsBlock(mlpLabel, cvMlp)],
        }
      : {
          title: `Crop type (${C} classes) from a MODIS ${variables.join('+').toUpperCase()} season, MLP`,
          family: 'mlp',
          description:
            `${mlpLabel}: ${mlpRecipe.ensemble} independently seeded Dense-ReLU nets ${[F, ...hidden, C].join('-')} merged into one ` +
            `${[F, ...hidden.map((h) => h * mlpRecipe.ensemble), C].join('-')} net (block-diagonal inner layers, averaged logits), softmax output`,
          hyperparameters: { ...mlpRecipe, seed },
          metrics: metricsBlock(mlpLabel, cvMlp),
        }),
    normalisation,
    baseline: metricsBlock(forestLabel, cvForest),
    ...(opts.experiments ? { experiments: opts.experiments } : {}),
    ...(calibration ? { calibration } : {}),
    onnx: mainOnnx,
  });
  const onnxPath = join(opts.outDir, `${opts.modelId}.onnx`);
  const cardPath = join(opts.outDir, `${opts.modelId}.json`);
  writeFileAtomic(onnxPath, mainOnnx);
  writeFileAtomic(cardPath, stringifyCard(card));
  log(`wrote ${onnxPath} (${mainOnnx.length} bytes) and ${cardPath} (${elapsed()})`);

  const result: TrainResult = { card, onnxPath, cardPath, cv: { mlp: cvMlp, forest: cvForest, ...(cvTc ? { tempcnn: cvTc } : {}) } };
  if (cal) {
    const diagramPath = join(opts.outDir, diagramName);
    writeFileAtomic(diagramPath, await reliabilityPng({ title: `${opts.modelId}: reliability (out of fold)`, before: cal.before, after: cal.after, temperature: cal.temperature }));
    result.diagramPath = diagramPath;
  }
  const baselineDir = opts.baselineDir === undefined ? (arch === 'mlp' ? join(opts.outDir, 'baselines') : null) : opts.baselineDir;
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
      limitations: limitations(variables, classCounts, seasonRange(samples)),
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
