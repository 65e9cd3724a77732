import { describe, expect, it } from 'vitest';
import { applyTemperature, calibrationError } from '../../../models/contract/calibration.js';
import { mulberry32 } from '../../../models/contract/prng.js';
import { fitTemperature } from '../../../models/train/calibrate.js';

describe('temperature scaling', () => {
  it('T = 1 leaves probabilities as they are; T = 2 is softmax(log p / 2) by hand', () => {
    const P = [0.7, 0.2, 0.1, 0.5, 0.5, 0];
    expect([...applyTemperature(P, 2, 3, 1)].map((x) => +x.toFixed(6))).toEqual([0.7, 0.2, 0.1, 0.5, 0.5, 0]);
    const s = Math.sqrt(0.7) + Math.sqrt(0.2) + Math.sqrt(0.1);
    const t2 = applyTemperature(P, 2, 3, 2);
    expect(t2[0]).toBeCloseTo(Math.sqrt(0.7) / s, 6);
    expect(t2[2]).toBeCloseTo(Math.sqrt(0.1) / s, 6);
    expect(t2[5]).toBe(0); // a zero stays zero
    expect(() => applyTemperature(P, 2, 3, 0)).toThrow(/positive/);
  });

  it('recovers the temperature that made honest probabilities over-confident', () => {
    // Honest probabilities p (labels drawn from them), then sharpened as p^3 / sum: T should come back near 3.
    const rng = mulberry32(9);
    const n = 4000;
    const C = 4;
    const sharp = new Float64Array(n * C);
    const y = new Int32Array(n);
    for (let i = 0; i < n; i++) {
      const logits = Array.from({ length: C }, () => 2 * (rng() - 0.5) * 2);
      const e = logits.map(Math.exp);
      const s = e.reduce((a, b) => a + b, 0);
      const p = e.map((v) => v / s);
      let u = rng();
      let c = 0;
      while (c < C - 1 && u > p[c]!) u -= p[c++]!;
      y[i] = c;
      const q = p.map((v) => v ** 3);
      const qs = q.reduce((a, b) => a + b, 0);
      q.forEach((v, j) => (sharp[i * C + j] = v / qs));
    }
    const T = fitTemperature(sharp, y, n, C);
    expect(T).toBeGreaterThan(2.6);
    expect(T).toBeLessThan(3.4);
    const before = calibrationError(sharp, y, n, C).ece;
    const after = calibrationError(applyTemperature(sharp, n, C, T), y, n, C).ece;
    expect(before).toBeGreaterThan(0.1);
    expect(after).toBeLessThan(0.03);
  });
});

describe('expected calibration error', () => {
  it('matches a hand count on 4 samples in 2 bins', () => {
    // Top probabilities 0.9 (right), 0.8 (wrong) -> bin 2: conf 0.85, acc 0.5; 0.6 (right), 0.55 (right) -> bin 2 too.
    // With 2 bins (0..0.5, 0.5..1] all four fall in bin 2: conf 0.7125, acc 0.75 -> ECE 0.0375.
    const P = [0.9, 0.1, 0.2, 0.8, 0.6, 0.4, 0.45, 0.55];
    const y = [0, 0, 0, 1];
    const r = calibrationError(P, y, 4, 2, 2);
    expect(r.bins[0]!.count).toBe(0);
    expect(r.bins[1]!.count).toBe(4);
    expect(r.bins[1]!.confidence).toBeCloseTo(0.7125, 10);
    expect(r.bins[1]!.accuracy).toBeCloseTo(0.75, 10);
    expect(r.ece).toBeCloseTo(0.0375, 10);
  });
});
