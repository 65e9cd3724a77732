/**
 * ONNX Runtime sessions, loaded once per worker thread and per model file (sha256), wrapped as a
 * `Classifier`: features in physical units -> the card's normalisation -> one batch -> probabilities.
 */
import * as ort from 'onnxruntime-node';
import type { Classifier } from '../pipeline/classify-window.js';

export interface Normalisation {
  type: 'standardize' | 'none';
  mean?: number[];
  std?: number[];
}

export interface SessionSpec {
  path: string;
  sha256: string;
  features: number;
  classes: number;
  normalisation: Normalisation;
  inputName?: string;
  outputName?: string;
  threads?: number;
}

const sessions = new Map<string, Promise<ort.InferenceSession>>();

export function loadSession(spec: SessionSpec): Promise<ort.InferenceSession> {
  const key = `${spec.sha256}|${spec.threads ?? 1}`;
  let s = sessions.get(key);
  if (!s) {
    s = ort.InferenceSession.create(spec.path, { executionProviders: ['cpu'], intraOpNumThreads: spec.threads ?? 1, interOpNumThreads: 1, graphOptimizationLevel: 'all' });
    s.catch(() => sessions.delete(key));
    sessions.set(key, s);
  }
  return s;
}

/** Applies the card's normalisation in place. Pure. */
export function normalise(features: Float32Array, F: number, norm: Normalisation): Float32Array {
  if (norm.type !== 'standardize' || !norm.mean || !norm.std) return features;
  const { mean, std } = norm;
  for (let i = 0; i < features.length; i++) {
    const f = i % F;
    features[i] = (features[i]! - mean[f]!) / (std[f]! || 1);
  }
  return features;
}

export function ortClassifier(spec: SessionSpec): Classifier {
  return async (features: Float32Array, n: number) => {
    const session = await loadSession(spec);
    const input = normalise(Float32Array.from(features), spec.features, spec.normalisation);
    const name = spec.inputName ?? session.inputNames[0]!;
    const out = await session.run({ [name]: new ort.Tensor('float32', input, [n, spec.features]) });
    const outName = spec.outputName && out[spec.outputName] ? spec.outputName : (session.outputNames.find((o) => /prob/i.test(o)) ?? session.outputNames[session.outputNames.length - 1]!);
    const t = out[outName]!;
    const data = t.data as Float32Array;
    if (data.length !== n * spec.classes) throw new Error(`model output ${outName} has ${data.length} values, expected ${n} x ${spec.classes}`);
    return data;
  };
}
