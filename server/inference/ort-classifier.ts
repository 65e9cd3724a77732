/**
 * ONNX Runtime sessions, loaded once per worker thread and per model file (sha256), checked against
 * their card when opened, and wrapped as a `Classifier`. Opening, checking and classifying are the
 * trainer's own functions (onnx-session.ts), so a pixel is normalised exactly as in training.
 */
import type * as ort from 'onnxruntime-node';
import { openSession, classify } from './onnx-session.js';
import type { ModelCard } from '../../models/contract/model-card.js';
import type { Classifier } from '../pipeline/classify-window.js';

/** What a worker needs to run a model: plain data, sent with every task. */
export interface SessionSpec {
  path: string;
  sha256: string;
  card: ModelCard;
  threads?: number;
}

const sessions = new Map<string, Promise<ort.InferenceSession>>();

/** The session of a model file, opened and checked against its card once per thread. */
function loadSession(spec: SessionSpec): Promise<ort.InferenceSession> {
  const key = `${spec.sha256}|${spec.threads ?? 1}`;
  let s = sessions.get(key);
  if (!s) {
    s = openSession(spec.path, spec.card, { intraOpNumThreads: spec.threads ?? 1 });
    s.catch(() => sessions.delete(key));
    sessions.set(key, s);
  }
  return s;
}

/** Verifies that a card agrees with its ONNX file (input width, class count, tensor names). */
export async function checkModel(spec: SessionSpec): Promise<void> {
  await loadSession(spec);
}

export function ortClassifier(spec: SessionSpec): Classifier {
  return async (features: Float32Array, n: number) => classify(await loadSession(spec), spec.card, features, n);
}
