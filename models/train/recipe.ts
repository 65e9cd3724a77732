/**
 * The two model recipes compared in cross-validation and fitted for release:
 * the MLP (standardise, train `ensemble` seeds, merge into one net, round to float32) and the
 * random-forest baseline (raw physical-unit features: trees need no scaling).
 * Defaults were chosen by location-grouped 5-fold CV on the public samples (models/README.md).
 */
import { mergeEnsemble } from './ensemble.js';
import { forestPredictProba, trainForest, type Forest } from './forest.js';
import { predictProba, roundToFloat32, type Mlp } from './mlp.js';
import { deriveSeed } from '../contract/prng.js';
import { applyStandardization, fitStandardization, type Standardization } from '../contract/standardize.js';
import { trainMlp, type MlpTrainOptions } from './train-mlp.js';

export interface MlpRecipe {
  hidden: number[];
  /** Number of independently seeded nets averaged (in logit space) into the released model. */
  ensemble: number;
  epochs: number;
  batchSize: number;
  learningRate: number;
  weightDecay: number;
  inputNoise: number;
  classWeighting: MlpTrainOptions['classWeighting'];
}

export const DEFAULT_MLP_RECIPE: MlpRecipe = {
  hidden: [64, 32],
  ensemble: 3,
  epochs: 60,
  batchSize: 32,
  learningRate: 1e-3,
  weightDecay: 1e-4,
  inputNoise: 0,
  classWeighting: 'none',
};

export interface ForestRecipe {
  trees: number;
  maxDepth: number;
  minSamplesLeaf: number;
  /** 0 = round(sqrt(features)). */
  maxFeatures: number;
}

export const DEFAULT_FOREST_RECIPE: ForestRecipe = { trees: 100, maxDepth: 30, minSamplesLeaf: 1, maxFeatures: 0 };

interface FittedMlp {
  standardization: Standardization;
  /** Merged ensemble, parameters rounded to float32 (what the ONNX file holds). */
  net: Mlp;
}

/** X are raw features [n, F]; y class indices. */
export function fitMlp(X: Float32Array, y: Int32Array, n: number, F: number, C: number, r: MlpRecipe, seed: number): FittedMlp {
  const standardization = fitStandardization(X, n, F);
  const Xs = applyStandardization(X, n, standardization);
  const members = Array.from({ length: r.ensemble }, (_, e) =>
    trainMlp(Xs, y, n, F, C, {
      hidden: r.hidden,
      epochs: r.epochs,
      batchSize: r.batchSize,
      learningRate: r.learningRate,
      weightDecay: r.weightDecay,
      inputNoise: r.inputNoise,
      classWeighting: r.classWeighting,
      seed: deriveSeed(seed, e),
    }).model,
  );
  return { standardization, net: roundToFloat32(mergeEnsemble(members)) };
}

export function predictMlp(m: FittedMlp, X: Float32Array, n: number): Float64Array {
  return predictProba(m.net, applyStandardization(X, n, m.standardization), n);
}

export function fitForest(X: Float32Array, y: Int32Array, n: number, F: number, C: number, r: ForestRecipe, seed: number): Forest {
  return trainForest(X, y, n, F, C, {
    trees: r.trees,
    maxDepth: r.maxDepth,
    minSamplesLeaf: r.minSamplesLeaf,
    maxFeatures: r.maxFeatures > 0 ? r.maxFeatures : Math.max(1, Math.round(Math.sqrt(F))),
    seed,
  });
}

export { forestPredictProba as predictForest };
