import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildCard, metricsBlock } from '../../../models/train/card.js';
import { exportMlpOnnx } from '../../../models/train/export-mlp-onnx.js';
import type { Mlp } from '../../../models/train/mlp.js';
import { readSamples } from '../../../models/contract/samples.js';
import { evaluate } from '../../../server/inference/evaluate.js';
import { tempDir } from './helpers.js';

const CLASSES = ['Cerrado', 'Fallow_Cotton', 'Forest', 'Pasture', 'Soy_Corn', 'Soy_Cotton', 'Soy_Fallow', 'Soy_Millet', 'Soy_Sunflower'];
const F = 46;
const C = CLASSES.length;

/**
 * A hand-made "model" with known answers: one MatMul whose logit for class c is 10 x NDVI at step c,
 * so a series peaking at step c is classified as class c.
 */
function peakModel(): Mlp {
  const W = new Float64Array(F * C);
  for (let c = 0; c < C; c++) W[c * C + c] = 10;
  return { sizes: [F, C], W: [W], b: [new Float64Array(C)] };
}

function series(id: number, peak: number): string {
  const rows: string[] = [];
  for (let t = 0; t < 23; t++) {
    const date = new Date(Date.UTC(2013, 8, 14 + 16 * t)).toISOString().slice(0, 10);
    rows.push(`${id},${date},${t === peak ? 0.9 : 0.1},0.3`);
  }
  return rows.join('\n');
}

describe('evaluate', () => {
  it('scores a model on CSV samples, counting unknown labels as errors', async () => {
    const dir = tempDir('eval');
    // label, NDVI peak step -> predicted class
    const cases: [string, number][] = [
      ['Cerrado', 0], // -> Cerrado, right
      ['Forest', 2], // -> Forest, right
      ['Forest', 3], // -> Pasture, wrong
      ['Pasture', 3], // -> Pasture, right
      ['Sugarcane', 4], // -> Soy_Corn, unknown label: wrong
    ];
    const samplesCsv = join(dir, 's.csv');
    const timeseriesCsv = join(dir, 't.csv');
    writeFileSync(samplesCsv, 'sample_id,location_id,longitude,latitude,start_date,end_date,label\n' + cases.map(([l], i) => `${i + 1},${i + 1},-55,-12,2013-09-14,2014-08-29,${l}`).join('\n') + '\n');
    writeFileSync(timeseriesCsv, 'sample_id,date,ndvi,evi\n' + cases.map(([, p], i) => series(i + 1, p)).join('\n') + '\n');

    const onnxBytes = exportMlpOnnx(peakModel(), { inputName: 'features', outputName: 'probabilities', graphName: 'peak', docString: '' });
    const modelPath = join(dir, 'peak.onnx');
    writeFileSync(modelPath, onnxBytes);
    const zero = Array.from({ length: C }, () => new Array<number>(C).fill(0));
    const dummy = metricsBlock('none', {
      overallAccuracy: 0,
      macroF1: 0,
      perClass: CLASSES.map((name) => ({ name, precision: 0, recall: 0, f1: 0, support: 0 })),
      confusionMatrix: zero,
    });
    const card = buildCard({
      id: 'peak',
      title: 'peak test model',
      version: '0.0.1',
      family: 'mlp',
      description: 'hand-made',
      hyperparameters: {},
      variables: ['ndvi', 'evi'],
      normalisation: { type: 'none' },
      inputName: 'features',
      outputName: 'probabilities',
      classNames: CLASSES,
      metrics: dummy,
      folds: 2,
      seed: 0,
      samples: readSamples('sample_id,label\n1,Forest\n'),
      samplesCsv: '',
      timeseriesCsv: '',
      onnx: onnxBytes,
      limitations: [],
    });

    const r = await evaluate({ modelPath, card, samplesCsv, timeseriesCsv });
    expect(r.n).toBe(5);
    expect(r.predictions.map((p) => p.predicted)).toEqual(['Cerrado', 'Forest', 'Pasture', 'Pasture', 'Soy_Corn']);
    expect(r.classOrder).toEqual([...CLASSES, 'Sugarcane']);
    expect(r.unknownLabels).toEqual([{ label: 'Sugarcane', count: 1 }]);
    expect(r.overallAccuracy).toBeCloseTo(3 / 5, 12);

    // the confusion matrix must equal the one built from the predictions above
    const idx = (name: string): number => r.classOrder.indexOf(name);
    const expected = Array.from({ length: C + 1 }, () => new Array<number>(C + 1).fill(0));
    r.predictions.forEach((p) => expected[idx(p.label)]![idx(p.predicted)]!++);
    expect(r.confusionMatrix).toEqual(expected);
    expect(r.confusionMatrix[idx('Sugarcane')]![idx('Soy_Corn')]).toBe(1);

    // macro-F1 over classes seen in reference or predictions: Cerrado 1, Forest 2/3, Pasture 2/3, Soy_Corn 0, Sugarcane 0
    expect(r.macroF1).toBeCloseTo((1 + 2 / 3 + 2 / 3 + 0 + 0) / 5, 12);
    expect(r.notes.join(' ')).toMatch(/1 of 5 samples have labels the model does not know \(Sugarcane 1\).*counted as errors/);

    // Calibration over the 4 samples with known labels: every top probability is
    // e^9 / (e^9 + 8 e^1) (logit 10 x 0.9 for the peak class, 10 x 0.1 for the others), 3 of 4 right.
    const top = Math.exp(9) / (Math.exp(9) + 8 * Math.exp(1));
    expect(r.calibration.samples).toBe(4);
    expect(r.calibration.temperature).toBeNull();
    expect(r.calibration.ece).toBeCloseTo(Math.abs(0.75 - top), 4);

    // Bootstrap over the 5 locations: the interval holds the point estimate and stays in [0, 1].
    expect(r.intervals.locations).toBe(5);
    expect(r.intervals.overallAccuracy[0]).toBeLessThanOrEqual(0.6);
    expect(r.intervals.overallAccuracy[1]).toBeGreaterThanOrEqual(0.6);
    expect(r.intervals.overallAccuracy[0]).toBeGreaterThanOrEqual(0);
    expect(r.intervals.overallAccuracy[1]).toBeLessThanOrEqual(1);
    expect(r.intervals.overallAccuracy[1]).toBeGreaterThan(r.intervals.overallAccuracy[0]);
    // Cerrado is predicted right whenever it is drawn: precision and recall 1 in every replicate that has it.
    const cerrado = r.intervals.perClass.find((c) => c.name === 'Cerrado')!;
    expect(cerrado.recall).toEqual([1, 1]);
    // a class never in the reference and never predicted has no interval
    expect(r.intervals.perClass.find((c) => c.name === 'Soy_Fallow')!.f1).toBeNull();

    // With a temperature in the card, evaluate scores the tempered probabilities (same classes, lower confidence).
    const t = await evaluate({ modelPath, card: { ...card, calibration: { method: 'temperature', temperature: 3, fittedOn: 'test', bins: 15, eceBefore: 0, eceAfter: 0, reliability: [] } }, samplesCsv, timeseriesCsv });
    expect(t.predictions.map((p) => p.predicted)).toEqual(r.predictions.map((p) => p.predicted));
    const tempered = Math.exp(3) / (Math.exp(3) + 8 * Math.exp(1 / 3));
    expect(t.predictions[0]!.probability).toBeCloseTo(tempered, 5);
    expect(t.calibration.temperature).toBe(3);
  });
});
