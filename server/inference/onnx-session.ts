/**
 * Opening an ONNX crop classifier with onnxruntime-node (CPU) and running it on feature rows.
 * The model card is checked against the model when the session opens, so a card that promises
 * 46 inputs for a model that wants 138 fails at startup with a message saying exactly that,
 * not later with an opaque onnxruntime shape error in the middle of a tile.
 */
import type * as ort from 'onnxruntime-node';
import { applyStandardization } from '../../models/contract/standardize.js';
import { applyTemperature } from '../../models/contract/calibration.js';
import { featureCount, type ModelCard } from '../../models/contract/model-card.js';
import { importModule } from '../util/import-module.js';

interface OpenOptions {
  /** Threads onnxruntime may use inside one run (default 1: the server parallelises across requests). */
  intraOpNumThreads?: number;
}

type Ort = typeof import('onnxruntime-node');
let ortModule: Promise<Ort> | null = null;
/**
 * onnxruntime-node (a native library of some 20 MB) is loaded when the first session opens, not when
 * a worker process starts: imagery tiles never need it (README, performance: start-up).
 */
const loadOrt = (): Promise<Ort> => (ortModule ??= importModule<Ort>('onnxruntime-node'));

export async function openSession(onnxPath: string, card: ModelCard, o: OpenOptions = {}): Promise<ort.InferenceSession> {
  const ort = await loadOrt();
  const session = await ort.InferenceSession.create(onnxPath, {
    executionProviders: ['cpu'],
    intraOpNumThreads: o.intraOpNumThreads ?? 1,
    interOpNumThreads: 1,
    graphOptimizationLevel: 'all',
  });
  try {
    await checkCardAgainstModel(ort, session, card);
  } catch (e) {
    await session.release();
    throw e;
  }
  return session;
}

/** A fixed dimension from metadata, or undefined if it is symbolic or unknown. */
function fixedDim(meta: ort.InferenceSession.ValueMetadata | undefined, axis: number): number | undefined {
  if (!meta || !meta.isTensor) return undefined;
  const d = meta.shape[axis];
  return typeof d === 'number' && d > 0 ? d : undefined;
}

/**
 * Throws if the card and the model disagree on tensor names, input width (variables x steps) or
 * class count. Reads shapes from the session metadata; where a dimension is not fixed there, runs a
 * one-row batch of zeros and looks at what comes out.
 */
async function checkCardAgainstModel(ort: Ort, session: ort.InferenceSession, card: ModelCard): Promise<void> {
  const { inputName, outputName } = card.inputs;
  if (!session.inputNames.includes(inputName)) {
    throw new Error(`card says input "${inputName}", model inputs are: ${session.inputNames.join(', ')}`);
  }
  if (!session.outputNames.includes(outputName)) {
    throw new Error(`card says output "${outputName}", model outputs are: ${session.outputNames.join(', ')}`);
  }
  const F = featureCount(card);
  const C = card.classes.length;
  const inMeta = session.inputMetadata[session.inputNames.indexOf(inputName)];
  const outMeta = session.outputMetadata[session.outputNames.indexOf(outputName)];
  const modelF = fixedDim(inMeta, 1);
  if (modelF !== undefined && modelF !== F) {
    throw new Error(`card says ${F} inputs, model expects ${modelF}`);
  }
  let modelC = fixedDim(outMeta, 1);
  if (modelF === undefined || modelC === undefined) {
    let out: ort.Tensor | undefined;
    try {
      const res = await session.run({ [inputName]: new ort.Tensor('float32', new Float32Array(F), [1, F]) }, [outputName]);
      out = res[outputName];
    } catch (e) {
      throw new Error(`card says ${F} inputs, model rejected a 1 x ${F} batch: ${(e as Error).message}`);
    }
    modelC = out ? out.size : 0;
  }
  if (modelC !== C) throw new Error(`card says ${C} classes, model outputs ${modelC}`);
}

/**
 * Applies the card's normalisation, with the trainer's own float32 arithmetic (one implementation,
 * so the model sees at inference exactly what it saw in training).
 */
function normalise(card: ModelCard, features: Float32Array, n: number): Float32Array {
  const norm = card.inputs.normalisation;
  return norm.type === 'none' ? features : applyStandardization(features, n, norm);
}

/**
 * Class probabilities for n feature rows (variable-major, physical units, row-major [n, F]).
 * Returns n * classes float32 values, row-major, columns in the card's class order. When the card
 * has a calibration (temperature scaling fitted out of fold), the probabilities are the calibrated
 * ones: every consumer (crop and confidence tiles, the uncertainty layer, /api/point, evaluate)
 * sees the same numbers, and the arg-max class is unchanged.
 */
export async function classify(session: ort.InferenceSession, card: ModelCard, features: Float32Array, n: number): Promise<Float32Array> {
  const F = featureCount(card);
  if (features.length !== n * F) {
    throw new Error(`classify: ${features.length} values for ${n} rows of ${F} features`);
  }
  const C = card.classes.length;
  if (n === 0) return new Float32Array(0);
  const { Tensor } = await loadOrt();
  const input = new Tensor('float32', normalise(card, features, n), [n, F]);
  const res = await session.run({ [card.inputs.inputName]: input }, [card.inputs.outputName]);
  const out = res[card.inputs.outputName];
  if (!out || out.type !== 'float32' || out.size !== n * C) {
    throw new Error(`classify: model output "${card.inputs.outputName}" is not float32 [${n}, ${C}]`);
  }
  const P = out.data as Float32Array;
  const T = card.calibration?.temperature;
  return T !== undefined && T !== 1 ? applyTemperature(P, n, C, T) : P;
}
