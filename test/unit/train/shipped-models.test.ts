import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { validateCard } from '../../../models/contract/model-card.js';
import { openSession } from '../../../server/inference/onnx-session.js';

// Every card shipped in models/ (and models/baselines/) must validate, match its ONNX file byte for
// byte, and agree with the model's tensor shapes.
const dirs = ['models', 'models/baselines'].filter((d) => existsSync(d));
const cards = dirs.flatMap((d) => readdirSync(d).filter((f) => f.endsWith('.json')).map((f) => join(d, f)));

describe('shipped model cards', () => {
  it('include the two released MLPs and their forest baselines', () => {
    for (const id of ['granary-mlp-ndvi-evi', 'granary-mlp-6band']) {
      expect(cards).toContain(join('models', `${id}.json`));
    }
    expect(cards.filter((c) => c.startsWith(join('models', 'baselines'))).length).toBeGreaterThanOrEqual(2);
  });

  it.each(cards)('%s validates and matches its ONNX file', async (path) => {
    const card = validateCard(JSON.parse(readFileSync(path, 'utf8')));
    const onnxPath = path.replace(/\.json$/, '.onnx');
    const bytes = readFileSync(onnxPath);
    expect(card.file.name).toBe(onnxPath.split('/').pop());
    expect(card.file.bytes).toBe(bytes.length);
    expect(card.file.sha256).toBe(createHash('sha256').update(bytes).digest('hex'));
    const s = await openSession(onnxPath, card);
    await s.release();
  });
});
