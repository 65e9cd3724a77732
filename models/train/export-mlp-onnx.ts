/**
 * Writes an Mlp as ONNX (IR 8, opset 17): features [N, F] float32 -> (MatMul, Add, Relu)* ->
 * MatMul, Add -> Softmax -> probabilities [N, C]. Weights are float32 initializers.
 * Normalisation is NOT in the graph: the model card carries it and classify() applies it.
 */
import type { Mlp } from './mlp.js';
import { encodeModel, floatTensor, node, onnx, OPSET, valueInfo } from './onnx-build.js';

interface MlpExportNames {
  inputName: string;
  outputName: string;
  graphName: string;
  docString: string;
}

export function exportMlpOnnx(m: Mlp, names: MlpExportNames): Uint8Array {
  const L = m.W.length;
  const F = m.sizes[0] as number;
  const C = m.sizes[L] as number;
  const FLOAT = onnx.TensorProto.DataType.FLOAT;
  const initializer = [];
  const nodes = [];
  let x = names.inputName;
  for (let l = 0; l < L; l++) {
    const inW = m.sizes[l] as number;
    const outW = m.sizes[l + 1] as number;
    initializer.push(floatTensor(`W${l}`, [inW, outW], m.W[l] as Float64Array));
    initializer.push(floatTensor(`b${l}`, [outW], m.b[l] as Float64Array));
    nodes.push(node('MatMul', [x, `W${l}`], [`mm${l}`], `matmul${l}`));
    const last = l === L - 1;
    const z = last ? 'logits' : `z${l}`;
    nodes.push(node('Add', [`mm${l}`, `b${l}`], [z], `add${l}`));
    if (!last) {
      nodes.push(node('Relu', [z], [`h${l}`], `relu${l}`));
      x = `h${l}`;
    }
  }
  nodes.push(node('Softmax', ['logits'], [names.outputName], 'softmax', [{ name: 'axis', type: onnx.AttributeProto.AttributeType.INT, i: 1 }]));
  return encodeModel(
    {
      name: names.graphName,
      node: nodes,
      initializer,
      input: [valueInfo(names.inputName, FLOAT, ['N', F])],
      output: [valueInfo(names.outputName, FLOAT, ['N', C])],
    },
    [{ domain: '', version: OPSET }],
    names.docString,
  );
}
