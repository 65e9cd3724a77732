import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { validateCard, type ModelCard } from '../../../models/contract/model-card.js';
import { classify, openSession } from '../../../server/inference/onnx-session.js';
import { encodeModel, floatTensor, node, onnx, OPSET, valueInfo } from '../../../models/train/onnx-build.js';
import { train } from '../../../models/train/train.js';
import { tempDir, writeSubset } from './helpers.js';

let card: ModelCard;
let onnxPath: string;
let dir: string;

beforeAll(async () => {
  dir = tempDir('card');
  const csv = writeSubset(dir, (id) => id % 10 === 0);
  const r = await train({
    variables: ['ndvi', 'evi'],
    modelId: 'test-mlp',
    seed: 3,
    folds: 2,
    epochs: 1,
    mlp: { ensemble: 1 },
    forest: { trees: 2 },
    outDir: join(dir, 'out'),
    baselineDir: null,
    log: () => {},
    ...csv,
  });
  card = r.card;
  onnxPath = r.onnxPath;
});

const withVariables = (c: ModelCard, variables: string[]): ModelCard => ({ ...c, inputs: { ...c.inputs, variables } });

describe('card against model', () => {
  it('opens a matching pair and classifies', async () => {
    const s = await openSession(onnxPath, card);
    const p = await classify(s, card, new Float32Array(2 * 46).fill(0.3), 2);
    expect(p.length).toBe(2 * card.classes.length);
    expect(p[0]! + p[1]! + p[2]! + p[3]! + p[4]! + p[5]! + p[6]! + p[7]! + p[8]!).toBeCloseTo(1, 5);
    await s.release();
  });

  it('refuses a card whose input width differs, saying both numbers', async () => {
    const bad = withVariables(card, ['ndvi', 'evi', 'blue', 'red', 'nir', 'mir']);
    await expect(openSession(onnxPath, bad)).rejects.toThrow(/^card says 138 inputs, model expects 46$/);
  });

  it('refuses a card whose class count differs', async () => {
    const bad = { ...card, classes: card.classes.slice(0, 8) };
    await expect(openSession(onnxPath, bad)).rejects.toThrow(/^card says 8 classes, model outputs 9$/);
  });

  it('refuses wrong tensor names', async () => {
    const bad = { ...card, inputs: { ...card.inputs, inputName: 'x' } };
    await expect(openSession(onnxPath, bad)).rejects.toThrow('card says input "x", model inputs are: features');
  });

  it('falls back to a 1-row run when the model does not declare its widths', async () => {
    // MatMul by a 46 x 9 matrix, but the declared input and output shapes are symbolic.
    const FLOAT = onnx.TensorProto.DataType.FLOAT;
    const bytes = encodeModel(
      {
        name: 'symbolic',
        node: [node('MatMul', ['features', 'W'], ['z'], 'mm'), node('Softmax', ['z'], ['probabilities'], 'sm')],
        initializer: [floatTensor('W', [46, 9], new Float32Array(46 * 9).fill(0.01))],
        input: [valueInfo('features', FLOAT, ['N', 'F'])],
        output: [valueInfo('probabilities', FLOAT, ['N', 'C'])],
      },
      [{ domain: '', version: OPSET }],
      'symbolic shapes',
    );
    const path = join(dir, 'symbolic.onnx');
    writeFileSync(path, bytes);
    const plain = { ...card, inputs: { ...card.inputs, normalisation: { type: 'none' as const } } };
    await expect(openSession(path, { ...plain, classes: card.classes.slice(0, 8) })).rejects.toThrow(/^card says 8 classes, model outputs 9$/);
    await expect(openSession(path, withVariables(plain, ['ndvi', 'evi', 'red']))).rejects.toThrow(/^card says 69 inputs, model rejected a 1 x 69 batch/);
    const ok = await openSession(path, plain);
    await ok.release();
  });
});

describe('validateCard', () => {
  it('accepts the trained card and names the bad field otherwise', () => {
    expect(validateCard(JSON.parse(JSON.stringify(card))).id).toBe('test-mlp');
    const broken = (f: (c: any) => void): unknown => {
      const c = JSON.parse(JSON.stringify(card));
      f(c);
      return c;
    };
    expect(() => validateCard(broken((c) => (c.inputs.steps = 'x')))).toThrow('model card: /inputs/steps');
    expect(() => validateCard(broken((c) => (c.classes[2].color = 'red')))).toThrow('model card: /classes/2/color');
    expect(() => validateCard(broken((c) => delete c.file))).toThrow(/model card: \(root\) must have required properties? file/);
    expect(() => validateCard(broken((c) => c.inputs.normalisation.mean.pop()))).toThrow(
      'model card: /inputs/normalisation/mean has 45 values, expected 46 (variables x steps)',
    );
    expect(() => validateCard(broken((c) => (c.classes[1].id = 5)))).toThrow('model card: /classes/1/id is 5, expected 1');
    expect(() => validateCard(broken((c) => delete c.inputs.units.evi))).toThrow('model card: /inputs/units has no entry for variable "evi"');
    expect(() => validateCard(broken((c) => c.metrics.confusionMatrix[0].push(1)))).toThrow('model card: /metrics/confusionMatrix/0 has 10 columns, expected 9');
  });
});
