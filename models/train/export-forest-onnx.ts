/**
 * Writes a Forest as an `ai.onnx.ml` TreeEnsembleClassifier (ml opset 3) so onnxruntime can run the
 * baseline and a benchmark can compare its per-pixel cost with the MLP's.
 * Outputs: `label` int64 [N] and `probabilities` float [N, C] (no ZipMap, so it is a plain tensor):
 * each leaf contributes its class distribution / T, summed over trees = the mean of the trees.
 */
import type { Forest } from './forest.js';
import { attr, encodeModel, ML_OPSET, node, onnx, OPSET, valueInfo } from './onnx-build.js';

interface ForestExportNames {
  inputName: string;
  outputName: string;
  graphName: string;
  docString: string;
}

export function exportForestOnnx(f: Forest, names: ForestExportNames): Uint8Array {
  const treeIds: number[] = [];
  const nodeIds: number[] = [];
  const featureIds: number[] = [];
  const modes: string[] = [];
  const values: number[] = [];
  const trueIds: number[] = [];
  const falseIds: number[] = [];
  const classTree: number[] = [];
  const classNode: number[] = [];
  const classIds: number[] = [];
  const classWeights: number[] = [];
  const T = f.trees.length;
  f.trees.forEach((t, ti) => {
    t.feature.forEach((feat, ni) => {
      treeIds.push(ti);
      nodeIds.push(ni);
      if (feat < 0) {
        featureIds.push(0);
        modes.push('LEAF');
        values.push(0);
        trueIds.push(0);
        falseIds.push(0);
        (t.value[ni] as number[]).forEach((p, c) => {
          if (p === 0) return; // absent entries count as 0; keeps the file small
          classTree.push(ti);
          classNode.push(ni);
          classIds.push(c);
          classWeights.push(p / T);
        });
      } else {
        featureIds.push(feat);
        modes.push('BRANCH_LEQ');
        values.push(t.threshold[ni] as number);
        trueIds.push(t.left[ni] as number);
        falseIds.push(t.right[ni] as number);
      }
    });
  });
  const FLOAT = onnx.TensorProto.DataType.FLOAT;
  const INT64 = onnx.TensorProto.DataType.INT64;
  const ensemble = node(
    'TreeEnsembleClassifier',
    [names.inputName],
    ['label', names.outputName],
    'forest',
    [
      attr('classlabels_int64s', Array.from({ length: f.numClasses }, (_, i) => i)),
      attr('nodes_treeids', treeIds),
      attr('nodes_nodeids', nodeIds),
      attr('nodes_featureids', featureIds),
      attr('nodes_modes', modes),
      attr('nodes_values', { floats: values }),
      attr('nodes_truenodeids', trueIds),
      attr('nodes_falsenodeids', falseIds),
      attr('class_treeids', classTree),
      attr('class_nodeids', classNode),
      attr('class_ids', classIds),
      attr('class_weights', { floats: classWeights }),
      attr('post_transform', 'NONE'),
    ],
    'ai.onnx.ml',
  );
  return encodeModel(
    {
      name: names.graphName,
      node: [ensemble],
      input: [valueInfo(names.inputName, FLOAT, ['N', f.numFeatures])],
      output: [valueInfo('label', INT64, ['N']), valueInfo(names.outputName, FLOAT, ['N', f.numClasses])],
    },
    [
      { domain: '', version: OPSET },
      { domain: 'ai.onnx.ml', version: ML_OPSET },
    ],
    names.docString,
  );
}
