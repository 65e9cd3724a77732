import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { validateCard } from '../../../models/contract/model-card.js';
import { train, type TrainOptions } from '../../../models/train/train.js';
import { tempDir, writeSubset } from './helpers.js';

const sha = (path: string): string => createHash('sha256').update(readFileSync(path)).digest('hex');

describe('training is reproducible', () => {
  it('writes byte-identical models and cards for the same command', async () => {
    const dir = tempDir('repro');
    const csv = writeSubset(dir, (id) => id % 6 === 0);
    const opts = (out: string): TrainOptions => ({
      variables: ['ndvi', 'evi'],
      modelId: 'repro-mlp-ndvi-evi',
      seed: 5,
      folds: 2,
      epochs: 2,
      mlp: { ensemble: 2 },
      forest: { trees: 3 },
      outDir: join(dir, out),
      log: () => {},
      ...csv,
    });
    const a = await train(opts('a'));
    const b = await train(opts('b'));
    expect(sha(a.onnxPath)).toBe(sha(b.onnxPath));
    expect(sha(a.cardPath)).toBe(sha(b.cardPath));
    expect(sha(a.baseline!.onnxPath)).toBe(sha(b.baseline!.onnxPath));
    expect(sha(a.baseline!.cardPath)).toBe(sha(b.baseline!.cardPath));

    // the card records the file it describes, and the baseline went to baselines/ with the rf id
    const card = validateCard(JSON.parse(readFileSync(a.cardPath, 'utf8')));
    expect(card.file).toEqual({ name: 'repro-mlp-ndvi-evi.onnx', sha256: sha(a.onnxPath), bytes: readFileSync(a.onnxPath).length });
    expect(card.metrics.baseline?.model).toBe('RF 3 trees');
    expect(a.baseline!.onnxPath).toBe(join(dir, 'a', 'baselines', 'repro-rf-ndvi-evi.onnx'));
    // atomic writes leave no temporary files behind
    expect(readdirSync(join(dir, 'a')).sort()).toEqual(['baselines', 'repro-mlp-ndvi-evi.json', 'repro-mlp-ndvi-evi.onnx', 'repro-mlp-ndvi-evi.reliability.png']);

    // a different seed gives a different model
    const c = await train({ ...opts('c'), seed: 6, baselineDir: null });
    expect(sha(c.onnxPath)).not.toBe(sha(a.onnxPath));
  });

  it('TempCNN: byte-identical ONNX and card for the same seed, calibrated, different for another seed', async () => {
    const dir = tempDir('repro-tcnn');
    const csv = writeSubset(dir, (id) => id % 8 === 0);
    const opts = (out: string, seed = 5): TrainOptions => ({
      variables: ['ndvi', 'evi'],
      modelId: 'repro-tempcnn-ndvi-evi',
      arch: 'tempcnn',
      seed,
      folds: 2,
      epochs: 2,
      mlp: { ensemble: 1 },
      tempcnn: { filters: [4, 4], dense: 8, ensemble: 2, shift: 0.5, warp: 1, noise: 0.02 },
      forest: { trees: 2 },
      outDir: join(dir, out),
      log: () => {},
      ...csv,
    });
    const a = await train(opts('a'));
    const b = await train(opts('b'));
    expect(sha(a.onnxPath)).toBe(sha(b.onnxPath));
    expect(sha(a.cardPath)).toBe(sha(b.cardPath));
    const card = validateCard(JSON.parse(readFileSync(a.cardPath, 'utf8')));
    expect(card.architecture.family).toBe('tempcnn');
    expect(card.metrics.comparisons?.[0]?.model).toMatch(/^MLP /);
    expect(card.calibration?.temperature).toBeGreaterThan(0);
    expect(card.calibration?.diagram).toBe('repro-tempcnn-ndvi-evi.reliability.png');
    // no forest written for a TempCNN run (the MLP run writes it)
    expect(readdirSync(join(dir, 'a')).sort()).toEqual(['repro-tempcnn-ndvi-evi.json', 'repro-tempcnn-ndvi-evi.onnx', 'repro-tempcnn-ndvi-evi.reliability.png']);
    const c = await train({ ...opts('c', 6) });
    expect(sha(c.onnxPath)).not.toBe(sha(a.onnxPath));
  });
});
