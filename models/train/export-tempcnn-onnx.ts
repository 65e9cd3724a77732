/**
 * Writes a TempCNN ensemble (batch norms folded, models/train/tempcnn.ts) as ONNX (IR 8, opset 17):
 *   features [N, V*T] -> Reshape [N, V, T] -> per member: (Conv + bias -> Relu)* -> Flatten ->
 *   MatMul, Add -> Relu -> MatMul, Add -> Softmax; members' probabilities -> Mean -> probabilities [N, C].
 * The input is the card's variable-major row, which is a channels-first [V, T] sequence, so the
 * Reshape is free. Normalisation is NOT in the graph: the card carries it and classify() applies it.
 */
import type { FoldedTempCnn } from './tempcnn.js';
import { attr, encodeModel, floatTensor, node, onnx, OPSET, valueInfo } from './onnx-build.js';

type ITensor = ReturnType<typeof floatTensor>;

interface TempCnnExportNames {
  inputName: string;
  outputName: string;
  graphName: string;
  docString: string;
}

export function exportTempCnnOnnx(members: readonly FoldedTempCnn[], names: TempCnnExportNames): Uint8Array {
  const first = members[0];
  if (!first) throw new Error('exportTempCnnOnnx: no members');
  const { variables: V, steps: T, kernel: K, classes: C } = first.shape;
  const FLOAT = onnx.TensorProto.DataType.FLOAT;
  const initializer: ITensor[] = [{ name: 'seq_shape', dims: [3], dataType: onnx.TensorProto.DataType.INT64, int64Data: [-1, V, T] }];
  const nodes = [node('Reshape', [names.inputName, 'seq_shape'], ['seq'], 'reshape')];
  const pad = (K - 1) / 2;
  const outputs: string[] = [];
  members.forEach((m, e) => {
    if (m.shape.variables !== V || m.shape.steps !== T || m.shape.kernel !== K || m.shape.classes !== C) {
      throw new Error(`exportTempCnnOnnx: member ${e} has another shape`);
    }
    const p = `m${e}_`;
    let x = 'seq';
    let cin = V;
    m.conv.forEach((layer, l) => {
      const cout = layer.b.length;
      initializer.push(floatTensor(`${p}conv${l}_W`, [cout, cin, K], layer.W), floatTensor(`${p}conv${l}_b`, [cout], layer.b));
      nodes.push(
        node('Conv', [x, `${p}conv${l}_W`, `${p}conv${l}_b`], [`${p}conv${l}`], `${p}conv${l}`, [
          attr('kernel_shape', [K]),
          attr('pads', [pad, pad]),
          attr('strides', [1]),
          attr('dilations', [1]),
          attr('group', 1),
        ]),
        node('Relu', [`${p}conv${l}`], [`${p}relu${l}`], `${p}relu${l}`),
      );
      x = `${p}relu${l}`;
      cin = cout;
    });
    const H = m.fc.b.length;
    initializer.push(
      floatTensor(`${p}fc_W`, [cin * T, H], m.fc.W),
      floatTensor(`${p}fc_b`, [H], m.fc.b),
      floatTensor(`${p}out_W`, [H, C], m.out.W),
      floatTensor(`${p}out_b`, [C], m.out.b),
    );
    const prob = members.length === 1 ? names.outputName : `${p}prob`;
    nodes.push(
      node('Flatten', [x], [`${p}flat`], `${p}flatten`, [attr('axis', 1)]),
      node('MatMul', [`${p}flat`, `${p}fc_W`], [`${p}fc_mm`], `${p}fc_matmul`),
      node('Add', [`${p}fc_mm`, `${p}fc_b`], [`${p}fc_z`], `${p}fc_add`),
      node('Relu', [`${p}fc_z`], [`${p}fc_h`], `${p}fc_relu`),
      node('MatMul', [`${p}fc_h`, `${p}out_W`], [`${p}out_mm`], `${p}out_matmul`),
      node('Add', [`${p}out_mm`, `${p}out_b`], [`${p}logits`], `${p}out_add`),
      node('Softmax', [`${p}logits`], [prob], `${p}softmax`, [attr('axis', 1)]),
    );
    outputs.push(prob);
  });
  if (members.length > 1) nodes.push(node('Mean', outputs, [names.outputName], 'mean'));
  return encodeModel(
    {
      name: names.graphName,
      node: nodes,
      initializer,
      input: [valueInfo(names.inputName, FLOAT, ['N', V * T])],
      output: [valueInfo(names.outputName, FLOAT, ['N', C])],
    },
    [{ domain: '', version: OPSET }],
    names.docString,
  );
}
