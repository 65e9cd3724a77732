import { describe, expect, it } from 'vitest';
import { mergeEnsemble } from '../../../models/train/ensemble.js';
import { backward, forwardAll, initMlp, parameters, predictProba, type Mlp } from '../../../models/train/mlp.js';
import { mulberry32, normal } from '../../../models/contract/prng.js';
import { trainMlp } from '../../../models/train/train-mlp.js';

const loss = (m: Mlp, X: Float64Array, y: number[], w: number[], n: number): number => backward(m, forwardAll(m, X, n), y, w, n).loss;

describe('MLP', () => {
  it('back-propagates the exact gradient (finite-difference check)', () => {
    const rng = mulberry32(3);
    const m = initMlp([5, 4, 3, 3], rng);
    // non-zero biases so that some ReLUs are off and some on
    for (const b of m.b) for (let i = 0; i < b.length; i++) b[i] = 0.3 * normal(rng);
    const n = 4;
    const X = Float64Array.from({ length: n * 5 }, () => normal(rng));
    const y = [0, 1, 2, 1];
    const w = [1, 2, 1, 0.5];
    const g = backward(m, forwardAll(m, X, n), y, w, n);
    const grads = [...g.gW, ...g.gb];
    parameters(m).forEach((p, k) => {
      for (let i = 0; i < p.length; i++) {
        const o = p[i]!;
        p[i] = o + 1e-6;
        const up = loss(m, X, y, w, n);
        p[i] = o - 1e-6;
        const down = loss(m, X, y, w, n);
        p[i] = o;
        expect(grads[k]![i]!).toBeCloseTo((up - down) / 2e-6, 6);
      }
    });
  });

  it('learns a separable problem', () => {
    const rng = mulberry32(1);
    const n = 200;
    const X = new Float32Array(n * 2);
    const y = new Int32Array(n);
    for (let i = 0; i < n; i++) {
      const c = i % 2;
      X[2 * i] = normal(rng) * 0.3 + (c ? 1 : -1);
      X[2 * i + 1] = normal(rng) * 0.3;
      y[i] = c;
    }
    const r = trainMlp(X, y, n, 2, 2, { hidden: [8], epochs: 30, batchSize: 16, learningRate: 0.01, weightDecay: 0, seed: 1, inputNoise: 0, classWeighting: 'none' });
    const P = predictProba(r.model, X, n);
    let correct = 0;
    for (let i = 0; i < n; i++) if ((P[2 * i + 1]! > 0.5 ? 1 : 0) === y[i]) correct++;
    expect(correct / n).toBeGreaterThan(0.97);
    expect(r.lossHistory[r.lossHistory.length - 1]!).toBeLessThan(r.lossHistory[0]!);
  });

  it('merges an ensemble into one net that outputs softmax(mean of member logits)', () => {
    const rng = mulberry32(9);
    const members = [0, 1, 2].map(() => initMlp([4, 5, 3, 2], rng));
    for (const m of members) for (const b of m.b) for (let i = 0; i < b.length; i++) b[i] = normal(rng);
    const merged = mergeEnsemble(members);
    expect(merged.sizes).toEqual([4, 15, 9, 2]);
    const n = 3;
    const X = Float64Array.from({ length: n * 4 }, () => normal(rng));
    const P = predictProba(merged, X, n);
    const logP = members.map((m) => predictProba(m, X, n).map(Math.log));
    for (let i = 0; i < n; i++) {
      const z = [0, 1].map((c) => logP.reduce((a, lp) => a + lp[i * 2 + c]!, 0) / 3);
      const e = z.map((v) => Math.exp(v - Math.max(...z)));
      const s = e[0]! + e[1]!;
      expect(P[i * 2]!).toBeCloseTo(e[0]! / s, 12);
    }
  });
});
