/**
 * Tiny ONNX models for the model-cost tests, built with onnx-proto: an MLP (Gemm-Relu-Gemm-Softmax)
 * and a random forest (ai.onnx.ml TreeEnsembleClassifier, complete trees), each with a card of the
 * shared schema (variables x steps, standardize normalisation).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import onnxProto from 'onnx-proto';

// onnx-proto is CommonJS: its namespace is the default export's `onnx`.
const { onnx } = onnxProto as unknown as { onnx: typeof import('onnx-proto').onnx };

const FLOAT = 1;
const INT64 = 7;
const ATTR = { FLOAT: 1, INT: 2, STRING: 3, FLOATS: 6, INTS: 7, STRINGS: 8 } as const;

function valueInfo(name: string, elemType: number, dims: Array<number | string>) {
  return onnx.ValueInfoProto.create({
    name,
    type: onnx.TypeProto.create({
      tensorType: onnx.TypeProto.Tensor.create({ elemType, shape: onnx.TensorShapeProto.create({ dim: dims.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d })) }) }),
    }),
  });
}

function weights(name: string, dims: number[], seed: number) {
  const n = dims.reduce((a, b) => a * b, 1);
  return onnx.TensorProto.create({ name, dims, dataType: FLOAT, floatData: Array.from({ length: n }, (_, i) => Math.sin(i * 12.9898 + seed) * 0.2) });
}

function encode(graph: InstanceType<typeof onnx.GraphProto>, ml: boolean): Uint8Array {
  const opsetImport = [{ domain: '', version: 13 }, ...(ml ? [{ domain: 'ai.onnx.ml', version: 1 }] : [])];
  return onnx.ModelProto.encode(onnx.ModelProto.create({ irVersion: 7, opsetImport, graph, producerName: 'granary-test' })).finish();
}

export function mlpOnnx(features: number, hidden: number, classes: number): Uint8Array {
  const graph = onnx.GraphProto.create({
    name: 'mlp',
    node: [
      onnx.NodeProto.create({ opType: 'Gemm', input: ['x', 'W1', 'b1'], output: ['h'] }),
      onnx.NodeProto.create({ opType: 'Relu', input: ['h'], output: ['r'] }),
      onnx.NodeProto.create({ opType: 'Gemm', input: ['r', 'W2', 'b2'], output: ['z'] }),
      onnx.NodeProto.create({ opType: 'Softmax', input: ['z'], output: ['probabilities'], attribute: [onnx.AttributeProto.create({ name: 'axis', type: ATTR.INT, i: 1 })] }),
    ],
    initializer: [weights('W1', [features, hidden], 1), weights('b1', [hidden], 2), weights('W2', [hidden, classes], 3), weights('b2', [classes], 4)],
    input: [valueInfo('x', FLOAT, ['N', features])],
    output: [valueInfo('probabilities', FLOAT, ['N', classes])],
  });
  return encode(graph, false);
}

function forestOnnx(features: number, trees: number, depth: number, classes: number): Uint8Array {
  const ints = (name: string, v: number[]) => onnx.AttributeProto.create({ name, type: ATTR.INTS, ints: v });
  const floats = (name: string, v: number[]) => onnx.AttributeProto.create({ name, type: ATTR.FLOATS, floats: v });
  const nodeTree: number[] = [], nodeId: number[] = [], feat: number[] = [], value: number[] = [], modes: Uint8Array[] = [], tTrue: number[] = [], tFalse: number[] = [];
  const cTree: number[] = [], cNode: number[] = [], cId: number[] = [], cW: number[] = [];
  const internal = 2 ** depth - 1;
  const total = 2 ** (depth + 1) - 1;
  const enc = new TextEncoder();
  for (let t = 0; t < trees; t++) {
    for (let i = 0; i < total; i++) {
      const leaf = i >= internal;
      nodeTree.push(t);
      nodeId.push(i);
      feat.push(leaf ? 0 : (t * 7 + i * 13) % features);
      value.push(leaf ? 0 : Math.sin(t + i) * 0.5);
      modes.push(enc.encode(leaf ? 'LEAF' : 'BRANCH_LEQ'));
      tTrue.push(leaf ? 0 : 2 * i + 1);
      tFalse.push(leaf ? 0 : 2 * i + 2);
      if (leaf) {
        for (let c = 0; c < classes; c++) {
          cTree.push(t);
          cNode.push(i);
          cId.push(c);
          cW.push((c === (t + i) % classes ? 1 : 0) / trees);
        }
      }
    }
  }
  const node = onnx.NodeProto.create({
    opType: 'TreeEnsembleClassifier',
    domain: 'ai.onnx.ml',
    input: ['x'],
    output: ['label', 'probabilities'],
    attribute: [
      ints('classlabels_int64s', Array.from({ length: classes }, (_, c) => c)),
      ints('nodes_treeids', nodeTree),
      ints('nodes_nodeids', nodeId),
      ints('nodes_featureids', feat),
      floats('nodes_values', value),
      onnx.AttributeProto.create({ name: 'nodes_modes', type: ATTR.STRINGS, strings: modes }),
      ints('nodes_truenodeids', tTrue),
      ints('nodes_falsenodeids', tFalse),
      ints('class_treeids', cTree),
      ints('class_nodeids', cNode),
      ints('class_ids', cId),
      floats('class_weights', cW),
      onnx.AttributeProto.create({ name: 'post_transform', type: ATTR.STRING, s: enc.encode('NONE') }),
    ],
  });
  const graph = onnx.GraphProto.create({
    name: 'forest',
    node: [node],
    input: [valueInfo('x', FLOAT, ['N', features])],
    output: [valueInfo('label', INT64, ['N']), valueInfo('probabilities', FLOAT, ['N', classes])],
  });
  return encode(graph, true);
}

const VARIABLES = ['ndvi', 'evi'];
const STEPS = 23;
export const F = VARIABLES.length * STEPS;
export const CLASSES = ['Cerrado', 'Forest', 'Pasture', 'Soy_Corn', 'Soy_Fallow'];

function card(id: string, title: string): Record<string, unknown> {
  return {
    id,
    title,
    inputs: { variables: VARIABLES, steps: STEPS, layout: 'variable-major', normalisation: { type: 'standardize', mean: Array(F).fill(0.5), std: Array(F).fill(0.2) } },
    classes: CLASSES.map((name, i) => ({ id: i, name, color: '#' + (0x202020 * (i + 1)).toString(16).padStart(6, '0').slice(-6) })),
  };
}

/** Writes <dir>/granary-mlp-ndvi-evi.{json,onnx} and <dir>/baselines/rf-baseline.{json,onnx}. */
export function writeTinyModels(dir: string, opts: { hidden?: number; trees?: number } = {}): void {
  mkdirSync(join(dir, 'baselines'), { recursive: true });
  writeFileSync(join(dir, 'granary-mlp-ndvi-evi.json'), JSON.stringify(card('granary-mlp-ndvi-evi', 'test MLP')));
  writeFileSync(join(dir, 'granary-mlp-ndvi-evi.onnx'), mlpOnnx(F, opts.hidden ?? 32, CLASSES.length));
  writeFileSync(join(dir, 'baselines', 'rf-baseline.json'), JSON.stringify(card('rf-baseline', 'test random forest')));
  writeFileSync(join(dir, 'baselines', 'rf-baseline.onnx'), forestOnnx(F, opts.trees ?? 50, 6, CLASSES.length));
}
