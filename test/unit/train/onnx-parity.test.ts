import { readFileSync } from 'node:fs';
import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { exportForestOnnx } from '../../../models/train/export-forest-onnx.js';
import { exportMlpOnnx } from '../../../models/train/export-mlp-onnx.js';
import { featureMatrix, labelIndices, sortedLabels } from '../../../models/contract/features.js';
import { forestPredictProba } from '../../../models/train/forest.js';
import { applyStandardization } from '../../../models/contract/standardize.js';
import { DEFAULT_MLP_RECIPE, fitForest, fitMlp, predictMlp } from '../../../models/train/recipe.js';
import { readSamples, readTimeseries } from '../../../models/contract/samples.js';
import { SAMPLES_CSV, TIMESERIES_CSV } from './helpers.js';
import { exportTempCnnOnnx } from '../../../models/train/export-tempcnn-onnx.js';
import { DEFAULT_TEMPCNN_RECIPE, fitTempCnn, predictTempCnnRecipe } from '../../../models/train/recipe-tempcnn.js';
import { foldBatchNorm, predictFolded, predictTempCnn } from '../../../models/train/tempcnn.js';
import { trainTempCnn } from '../../../models/train/train-tempcnn.js';

// 1 sample in 8 of the public set, all six variables.
const variables = ['ndvi', 'evi', 'blue', 'red', 'nir', 'mir'];
const samples = readSamples(readFileSync(SAMPLES_CSV, 'utf8')).filter((s) => Number(s.sampleId) % 8 === 0);
const X = featureMatrix(samples, readTimeseries(readFileSync(TIMESERIES_CSV, 'utf8'), variables), variables, 23);
const classes = sortedLabels(samples);
const y = labelIndices(samples, classes);
const n = samples.length;
const F = variables.length * 23;
const C = classes.length;
const names = { inputName: 'features', outputName: 'probabilities', graphName: 'test', docString: 'test' };

async function runOnnx(bytes: Uint8Array, input: Float32Array, rows: number): Promise<Float32Array> {
  const s = await ort.InferenceSession.create(bytes, { executionProviders: ['cpu'], intraOpNumThreads: 1 });
  try {
    const out = await s.run({ features: new ort.Tensor('float32', input, [rows, F]) });
    return out['probabilities']!.data as Float32Array;
  } finally {
    await s.release();
  }
}

describe('exported ONNX models agree with the TypeScript forward pass', () => {
  it('MLP (merged ensemble): same probabilities within 1e-5', async () => {
    const m = fitMlp(X, y, n, F, C, { ...DEFAULT_MLP_RECIPE, epochs: 5, ensemble: 2 }, 11);
    const onnxP = await runOnnx(exportMlpOnnx(m.net, names), applyStandardization(X, n, m.standardization), n);
    const tsP = predictMlp(m, X, n);
    expect(onnxP.length).toBe(n * C);
    let maxDiff = 0;
    for (let i = 0; i < tsP.length; i++) maxDiff = Math.max(maxDiff, Math.abs(onnxP[i]! - tsP[i]!));
    expect(maxDiff).toBeLessThan(1e-5);
  });

  it('random forest as TreeEnsembleClassifier: same probabilities within 1e-5', async () => {
    const forest = fitForest(X, y, n, F, C, { trees: 10, maxDepth: 30, minSamplesLeaf: 1, maxFeatures: 0 }, 5);
    const onnxP = await runOnnx(exportForestOnnx(forest, names), X, n);
    const tsP = forestPredictProba(forest, X, n);
    let maxDiff = 0;
    for (let i = 0; i < tsP.length; i++) maxDiff = Math.max(maxDiff, Math.abs(onnxP[i]! - tsP[i]!));
    expect(maxDiff).toBeLessThan(1e-5);
  });
});

describe('TempCNN: the exported ONNX graph agrees with the trainer', () => {
  const V = 2;
  const T = 23;
  const rows = featureMatrix(samples, readTimeseries(readFileSync(TIMESERIES_CSV, 'utf8'), ['ndvi', 'evi']), ['ndvi', 'evi'], T);
  const recipe = { ...DEFAULT_TEMPCNN_RECIPE, epochs: 3, ensemble: 2, filters: [8, 8], dense: 16, shift: 0.5, warp: 1, noise: 0.02 };

  it('Conv/Relu/MatMul/Softmax ensemble with folded batch norms: same probabilities as the trainer forward pass within 1e-5', async () => {
    const m = fitTempCnn(rows, y, n, V, T, C, recipe, 7);
    const s = await ort.InferenceSession.create(exportTempCnnOnnx(m.members, names), { executionProviders: ['cpu'], intraOpNumThreads: 1 });
    let onnxP: Float32Array;
    try {
      const out = await s.run({ features: new ort.Tensor('float32', applyStandardization(rows, n, m.standardization), [n, V * T]) });
      onnxP = out['probabilities']!.data as Float32Array;
    } finally {
      await s.release();
    }
    const tsP = predictTempCnnRecipe(m, rows, n);
    expect(onnxP.length).toBe(n * C);
    let maxDiff = 0;
    for (let i = 0; i < tsP.length; i++) maxDiff = Math.max(maxDiff, Math.abs(onnxP[i]! - tsP[i]!));
    expect(maxDiff).toBeLessThan(1e-5);
    // The trained net is not a constant: its predictions differ between samples of different classes.
    const argmax = new Set<number>();
    for (let i = 0; i < n; i++) argmax.add(tsP.subarray(i * C, i * C + C).indexOf(Math.max(...tsP.subarray(i * C, i * C + C))));
    expect(argmax.size).toBeGreaterThan(2);
  });

  it('batch-norm folding does not change the network (before float32 rounding)', () => {
    const Xs = Float64Array.from({ length: 10 * V * T }, (_, i) => Math.sin(i * 0.37));
    const net = trainTempCnn(Float32Array.from(Xs), Int32Array.from({ length: 10 }, (_, i) => i % C), 10, V, T, C, {
      ...recipe,
      seed: 3,
    });
    const a = predictTempCnn(net, Xs, 10);
    const b = predictFolded(foldBatchNorm(net), Xs, 10);
    for (let i = 0; i < a.length; i++) expect(Math.abs(a[i]! - b[i]!)).toBeLessThan(1e-12);
  });
});
