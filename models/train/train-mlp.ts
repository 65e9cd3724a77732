/**
 * Mini-batch training of an Mlp with AdamW, optional class weighting and optional Gaussian input
 * noise, for a fixed number of epochs. (The epoch count was chosen by cross-validation, see
 * models/README.md; a fixed count keeps the final fit on all samples identical in procedure to the
 * CV fits, with no data held back for early stopping.)
 * Single-threaded and seeded: the same data and options always give the same weights.
 */
import { AdamW } from './adam.js';
import { backward, forwardAll, initMlp, parameters, type Mlp } from './mlp.js';
import { mulberry32, normal, shuffleInPlace } from '../contract/prng.js';

export interface MlpTrainOptions {
  hidden: number[];
  /** Passes over the data. */
  epochs: number;
  batchSize: number;
  learningRate: number;
  weightDecay: number;
  seed: number;
  /** Std of Gaussian noise added to the standardised inputs of each batch (augmentation); 0 = none. */
  inputNoise: number;
  /** "sqrt-balanced": class weight sqrt(n / (C * n_c)), softening the imbalance (27 Fallow_Cotton vs 319 Soy_Cotton). */
  classWeighting: 'none' | 'sqrt-balanced';
}

interface MlpTrainResult {
  model: Mlp;
  /** Mean training loss per epoch. */
  lossHistory: number[];
}

function classWeights(y: Int32Array, C: number, mode: MlpTrainOptions['classWeighting']): Float64Array {
  const w = new Float64Array(C).fill(1);
  if (mode === 'none') return w;
  const counts = new Float64Array(C);
  for (const c of y) counts[c] = (counts[c] as number) + 1;
  for (let c = 0; c < C; c++) {
    const cnt = counts[c] as number;
    w[c] = cnt > 0 ? Math.sqrt(y.length / (C * cnt)) : 0;
  }
  return w;
}

/** Trains on standardised features X [n, F] with labels y (0..C-1). */
export function trainMlp(X: Float32Array, y: Int32Array, n: number, F: number, C: number, o: MlpTrainOptions): MlpTrainResult {
  const rng = mulberry32(o.seed);
  const model = initMlp([F, ...o.hidden, C], rng);
  const cw = classWeights(y, C, o.classWeighting);
  const decay = [...model.W.map(() => o.weightDecay), ...model.b.map(() => 0)];
  // The optimiser updates model's arrays in place.
  const opt = new AdamW(parameters(model), decay, { learningRate: o.learningRate });
  const order = Int32Array.from({ length: n }, (_, i) => i);
  const lossHistory: number[] = [];

  for (let epoch = 1; epoch <= o.epochs; epoch++) {
    shuffleInPlace(order, rng);
    let epochLoss = 0;
    for (let start = 0; start < n; start += o.batchSize) {
      const B = Math.min(o.batchSize, n - start);
      const xb = new Float64Array(B * F);
      const yb = new Int32Array(B);
      const wb = new Float64Array(B);
      for (let i = 0; i < B; i++) {
        const src = order[start + i] as number;
        for (let j = 0; j < F; j++) {
          const noise = o.inputNoise > 0 ? o.inputNoise * normal(rng) : 0;
          xb[i * F + j] = (X[src * F + j] as number) + noise;
        }
        const c = y[src] as number;
        yb[i] = c;
        wb[i] = cw[c] as number;
      }
      const { gW, gb, loss } = backward(model, forwardAll(model, xb, B), yb, wb, B);
      epochLoss += loss * B;
      opt.step([...gW, ...gb]);
    }
    lossHistory.push(epochLoss / n);
  }
  return { model, lossHistory };
}
