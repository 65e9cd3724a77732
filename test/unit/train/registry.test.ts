/** The models directory: a card that disagrees with its ONNX file is refused with the reason, never served. */
import { describe, expect, it } from 'vitest';
import { copyFileSync, existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { ModelRegistry } from '../../../server/inference/registry.js';
import { checkModel } from '../../../server/inference/ort-classifier.js';
import { GranaryError } from '../../../server/errors.js';
import { ModelCheckMemo } from '../../../server/inference/check-memo.js';

const MODELS = resolve(import.meta.dirname, '../../../models');

describe('model registry', () => {
  it('serves a consistent model and refuses a card whose input width disagrees with its ONNX file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'granary-models-'));
    copyFileSync(join(MODELS, 'granary-mlp-ndvi-evi.onnx'), join(dir, 'granary-mlp-ndvi-evi.onnx'));
    copyFileSync(join(MODELS, 'granary-mlp-ndvi-evi.json'), join(dir, 'granary-mlp-ndvi-evi.json'));
    // The NDVI+EVI card (46 inputs) beside the 6-band network (138 inputs), under the card's id.
    const onnx = readFileSync(join(MODELS, 'granary-mlp-6band.onnx'));
    writeFileSync(join(dir, 'mismatch.onnx'), onnx);
    const card = JSON.parse(readFileSync(join(MODELS, 'granary-mlp-ndvi-evi.json'), 'utf8'));
    card.id = 'mismatch';
    card.file = { ...card.file, name: 'mismatch.onnx', sha256: createHash('sha256').update(onnx).digest('hex'), bytes: onnx.length };
    writeFileSync(join(dir, 'mismatch.json'), JSON.stringify(card));
    const registry = new ModelRegistry(dir, (e) => checkModel(e.session));
    expect((await registry.list()).map((m) => m.id)).toEqual(['granary-mlp-ndvi-evi']);
    expect(registry.problems).toEqual([{ file: 'mismatch.json', error: 'card says 46 inputs, model expects 138' }]);
    await expect(registry.get('mismatch')).rejects.toThrow('model "mismatch" is installed but refused: card says 46 inputs, model expects 138');
  });
});

describe('model registry checks', () => {
  it('checks a model when it is first asked for (get: that model; list: every model), once, and not a model it was never asked for', async () => {
    const checked: string[] = [];
    const registry = new ModelRegistry(MODELS, async (e) => void checked.push(e.id));
    expect((await registry.get()).id).toBe('granary-mlp-ndvi-evi');
    expect(checked).toEqual(['granary-mlp-ndvi-evi']);
    await registry.get('granary-mlp-ndvi-evi');
    expect(checked).toEqual(['granary-mlp-ndvi-evi']);
    const all = (await registry.list()).map((m) => m.id).sort();
    expect(all.length).toBeGreaterThan(1);
    expect([...checked].sort()).toEqual(all);
    // the default's entry without a check, for priming
    const fresh = new ModelRegistry(MODELS, async () => {
      throw new Error('must not be checked');
    });
    expect((await fresh.peekDefault())?.id).toBe('granary-mlp-ndvi-evi');
  });

  it('a check that fails because the pool is overloaded refuses nothing: the next request checks again', async () => {
    let calls = 0;
    const registry = new ModelRegistry(MODELS, async () => {
      if (calls++ === 0) throw new GranaryError('overloaded', 'the interactive processing queue is full');
    });
    await expect(registry.get()).rejects.toThrow('queue is full');
    expect(registry.problems).toEqual([]);
    expect((await registry.get()).id).toBe('granary-mlp-ndvi-evi');
    expect(calls).toBe(2);
  });
});

describe('model check memo', () => {
  it('a pass is remembered across registries (processes) for the same card and model; a changed card is checked again', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'granary-memo-')), 'derived', 'model-checks.json');
    let checks = 0;
    const make = () => new ModelRegistry(MODELS, async () => void checks++, new ModelCheckMemo(file, () => 'code-1'));
    await make().get();
    expect(checks).toBe(1);
    for (let i = 0; i < 100 && !existsSync(file); i++) await new Promise((r) => setTimeout(r, 10));
    await make().get();
    expect(checks).toBe(1);
    // other checking code: checked again
    await new ModelRegistry(MODELS, async () => void checks++, new ModelCheckMemo(file, () => 'code-2')).get();
    expect(checks).toBe(2);
    // a card changed (another copy of the models directory with one field edited): checked again
    const dir = mkdtempSync(join(tmpdir(), 'granary-models-'));
    copyFileSync(join(MODELS, 'granary-mlp-ndvi-evi.onnx'), join(dir, 'granary-mlp-ndvi-evi.onnx'));
    const card = JSON.parse(readFileSync(join(MODELS, 'granary-mlp-ndvi-evi.json'), 'utf8'));
    card.title = `${card.title} (edited)`;
    writeFileSync(join(dir, 'granary-mlp-ndvi-evi.json'), JSON.stringify(card));
    await new ModelRegistry(dir, async () => void checks++, new ModelCheckMemo(file, () => 'code-1')).get();
    expect(checks).toBe(3);
  });
});
