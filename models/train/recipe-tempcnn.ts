/**
 * The TempCNN recipe: standardise per variable, train `ensemble` independently seeded TempCNNs,
 * fold each one's batch norms into its weights and round to float32 (what the ONNX file holds).
 * The released model averages the members' class probabilities.
 */
import { deriveSeed } from '../contract/prng.js';
import { applyStandardization, type Standardization } from '../contract/standardize.js';
import { foldBatchNorm, predictFolded, roundFoldedToFloat32, type FoldedTempCnn } from './tempcnn.js';
import { trainTempCnn, type ClassWeighting } from './train-tempcnn.js';

export interface TempCnnRecipe {
  filters: number[];
  kernel: number;
  dense: number;
  dropout: number;
  ensemble: number;
  epochs: number;
  batchSize: number;
  learningRate: number;
  weightDecay: number;
  classWeighting: ClassWeighting;
  shift: number;
  warp: number;
  noise: number;
}

export const DEFAULT_TEMPCNN_RECIPE: TempCnnRecipe = {
  filters: [16, 16],
  kernel: 5,
  dense: 32,
  dropout: 0.2,
  ensemble: 1,
  epochs: 40,
  batchSize: 32,
  learningRate: 2e-3,
  weightDecay: 1e-4,
  classWeighting: 'none',
  shift: 0,
  warp: 0,
  noise: 0,
};

interface FittedTempCnn {
  standardization: Standardization;
  members: FoldedTempCnn[];
}

const round6 = (x: number): number => Math.round(x * 1e6) / 1e6;

/**
 * One mean and std per variable over all its dates, written out per feature (the card's format):
 * the series keep their shape, so a shift or warp in standardised units is one in physical units.
 */
function fitVariableStandardization(X: Float32Array, n: number, V: number, T: number): Standardization {
  const F = V * T;
  const mean: number[] = [];
  const std: number[] = [];
  for (let v = 0; v < V; v++) {
    let s = 0;
    for (let i = 0; i < n; i++) for (let t = 0; t < T; t++) s += X[i * F + v * T + t] as number;
    const m = s / (n * T);
    let ss = 0;
    for (let i = 0; i < n; i++) {
      for (let t = 0; t < T; t++) {
        const d = (X[i * F + v * T + t] as number) - m;
        ss += d * d;
      }
    }
    const sd = round6(Math.sqrt(ss / (n * T)));
    for (let t = 0; t < T; t++) {
      mean.push(round6(m));
      std.push(sd > 1e-6 ? sd : 1);
    }
  }
  return { mean, std };
}

export function fitTempCnn(X: Float32Array, y: Int32Array, n: number, V: number, T: number, C: number, r: TempCnnRecipe, seed: number): FittedTempCnn {
  const standardization = fitVariableStandardization(X, n, V, T);
  const Xs = applyStandardization(X, n, standardization);
  const members = Array.from({ length: r.ensemble }, (_, e) =>
    roundFoldedToFloat32(
      foldBatchNorm(
        trainTempCnn(Xs, y, n, V, T, C, {
          filters: r.filters,
          kernel: r.kernel,
          dense: r.dense,
          dropout: r.dropout,
          epochs: r.epochs,
          batchSize: r.batchSize,
          learningRate: r.learningRate,
          weightDecay: r.weightDecay,
          classWeighting: r.classWeighting,
          shift: r.shift,
          warp: r.warp,
          noise: r.noise,
          seed: deriveSeed(seed, e),
        }),
      ),
    ),
  );
  return { standardization, members };
}

/** Mean of the members' class probabilities [n, C] for raw (physical-unit) rows. */
export function predictTempCnnRecipe(m: FittedTempCnn, X: Float32Array, n: number): Float64Array {
  const Xs = applyStandardization(X, n, m.standardization);
  const probs = m.members.map((net) => predictFolded(net, Xs, n));
  const out = new Float64Array(probs[0]?.length ?? 0);
  for (const p of probs) for (let i = 0; i < out.length; i++) out[i] = (out[i] as number) + (p[i] as number) / probs.length;
  return out;
}
