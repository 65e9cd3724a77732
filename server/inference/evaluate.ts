/**
 * `granary evaluate`: run a model (ONNX + card) on labelled samples in the training CSV formats
 * (samples: sample_id,label,...; timeseries: sample_id,date,<variables>) and score it.
 *
 * Labels the model does not know are NOT dropped: they become extra rows of the confusion matrix
 * (after the model's classes, in classOrder), count as errors in overall accuracy, and count in
 * macro-F1 with F1 = 0. `unknownLabels` and `notes` say so, so a hold-out set with a new class
 * cannot look better than it is.
 */
import { readFileSync } from 'node:fs';
import type { InferenceSession } from 'onnxruntime-node';
import { featureMatrix } from '../../models/contract/features.js';
import { readSamples, readTimeseries } from '../../models/contract/samples.js';
import { argmaxRows, confusionMatrix, metricsFromConfusion, type ClassMetrics } from '../../models/contract/metrics.js';
import type { ModelCard } from '../../models/contract/model-card.js';
import { classify, openSession } from './onnx-session.js';
import { calibrationError, type ReliabilityBin } from '../../models/contract/calibration.js';
import { bootstrapIntervals, type BootstrapIntervals } from './bootstrap.js';

interface EvaluateOptions {
  modelPath: string;
  card: ModelCard;
  /** Paths of the two CSV files. */
  samplesCsv: string;
  timeseriesCsv: string;
  /** Reuse an open session instead of opening modelPath. */
  session?: InferenceSession;
  intraOpNumThreads?: number;
  /** Bootstrap replicates for the 95 % intervals (default 1000). */
  bootstrapReplicates?: number;
}

interface EvaluateResult {
  n: number;
  overallAccuracy: number;
  macroF1: number;
  perClass: ClassMetrics[];
  /** Rows = reference, columns = predicted, in classOrder: the model's classes, then unknown labels. */
  confusionMatrix: number[][];
  classOrder: string[];
  unknownLabels: { label: string; count: number }[];
  /** Per sample, in CSV order: reference label and predicted class name. */
  predictions: { sampleId: string; label: string; predicted: string; probability: number }[];
  notes: string[];
  /**
   * Calibration of the served (calibrated, if the card has a temperature) top-class probability on
   * the samples whose label the model knows: expected calibration error in 15 bins.
   */
  calibration: { ece: number; mce: number; temperature: number | null; samples: number; reliability: ReliabilityBin[] };
  /** 95 % intervals of overall accuracy, macro-F1 and per-class figures (bootstrap over locations). */
  intervals: BootstrapIntervals;
}

export async function evaluate(o: EvaluateOptions): Promise<EvaluateResult> {
  const { card } = o;
  const samples = readSamples(readFileSync(o.samplesCsv, 'utf8'));
  const { variables, steps } = card.inputs;
  const X = featureMatrix(samples, readTimeseries(readFileSync(o.timeseriesCsv, 'utf8'), variables), variables, steps);
  const n = samples.length;
  const names = card.classes.map((c) => c.name);
  const C = names.length;

  const session = o.session ?? (await openSession(o.modelPath, card, o.intraOpNumThreads ? { intraOpNumThreads: o.intraOpNumThreads } : {}));
  let P: Float32Array;
  try {
    P = await classify(session, card, X, n);
  } finally {
    if (!o.session) await session.release();
  }
  const pred = argmaxRows(P, n, C);

  const unknown = [...new Set(samples.map((s) => s.label).filter((l) => !names.includes(l)))].sort();
  const classOrder = [...names, ...unknown];
  const index = new Map(classOrder.map((c, i) => [c, i]));
  const truth = Int32Array.from(samples, (s) => index.get(s.label) as number);
  const cm = confusionMatrix(truth, pred, classOrder.length);
  const m = metricsFromConfusion(cm, classOrder);

  const unknownLabels = unknown.map((label) => ({ label, count: samples.filter((s) => s.label === label).length }));
  const notes: string[] = [];
  if (unknownLabels.length > 0) {
    const k = unknownLabels.reduce((a, u) => a + u.count, 0);
    notes.push(
      `${k} of ${n} samples have labels the model does not know (${unknownLabels.map((u) => `${u.label} ${u.count}`).join(', ')}): ` +
        'they are counted as errors in overall accuracy and as classes with F1 = 0 in macro-F1.',
    );
  }
  const missing = names.filter((c, i) => !samples.some((s) => s.label === c) && !pred.includes(i));
  if (missing.length > 0) notes.push(`Classes absent from the samples and never predicted, left out of macro-F1: ${missing.join(', ')}.`);

  const known: number[] = [];
  samples.forEach((_, i) => {
    if ((truth[i] as number) < C) known.push(i);
  });
  const Pk = new Float32Array(known.length * C);
  known.forEach((row, j) => Pk.set(P.subarray(row * C, row * C + C), j * C));
  const cal = calibrationError(Pk, Int32Array.from(known, (i) => truth[i] as number), known.length, C);
  const intervals = bootstrapIntervals(truth, pred, samples.map((s) => s.locationId), classOrder, o.bootstrapReplicates ?? 1000);

  return {
    n,
    overallAccuracy: m.overallAccuracy,
    macroF1: m.macroF1,
    perClass: m.perClass,
    confusionMatrix: cm,
    classOrder,
    unknownLabels,
    predictions: samples.map((s, i) => {
      const c = pred[i] as number;
      return { sampleId: s.sampleId, label: s.label, predicted: names[c] as string, probability: P[i * C + c] as number };
    }),
    notes,
    calibration: {
      ece: round4(cal.ece),
      mce: round4(cal.mce),
      temperature: card.calibration?.temperature ?? null,
      samples: known.length,
      reliability: cal.bins.map((b) => ({ ...b, confidence: round4(b.confidence), accuracy: round4(b.accuracy) })),
    },
    intervals,
  };
}

const round4 = (x: number): number => Math.round(x * 1e4) / 1e4;
