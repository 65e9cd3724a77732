/** Verifies that a card agrees with its ONNX file: input width and class count (runs in a worker). */
import * as ort from 'onnxruntime-node';
import { loadSession, type SessionSpec } from './ort-classifier.js';

export async function checkModel(spec: SessionSpec): Promise<void> {
  let session: ort.InferenceSession;
  try {
    session = await loadSession(spec);
  } catch (e) {
    throw new Error(`the ONNX file cannot be loaded: ${(e as Error).message}`);
  }
  const inputName = spec.inputName ?? session.inputNames[0];
  if (!inputName || !session.inputNames.includes(inputName)) throw new Error(`the model has no input "${spec.inputName}" (inputs: ${session.inputNames.join(', ')})`);
  const meta = session.inputMetadata.find((m) => m.name === inputName) as { shape?: Array<number | string> } | undefined;
  const width = meta?.shape?.[1];
  if (typeof width === 'number' && width !== spec.features) {
    throw new Error(`card says ${spec.features} inputs (variables x steps), the model expects ${width}`);
  }
  // One dummy row settles both the input width (when symbolic) and the class count.
  let out: ort.InferenceSession.ReturnType;
  try {
    out = await session.run({ [inputName]: new ort.Tensor('float32', new Float32Array(spec.features), [1, spec.features]) });
  } catch (e) {
    throw new Error(`card says ${spec.features} inputs, but the model refuses a row of that width: ${(e as Error).message.split('\n')[0]}`);
  }
  const outName = spec.outputName && out[spec.outputName] ? spec.outputName : (session.outputNames.find((o) => /prob/i.test(o)) ?? session.outputNames[session.outputNames.length - 1]!);
  const n = (out[outName]!.data as ArrayLike<number>).length;
  if (n !== spec.classes) throw new Error(`card lists ${spec.classes} classes, the model outputs ${n} values per pixel (${outName})`);
}
