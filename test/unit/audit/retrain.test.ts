/**
 * `granary train --decisions`: parsing and applying the reviewed decisions to a copy in memory, the
 * before/after CV on the same folds (scored against both label sets), and the model written to --out.
 * A small subset and 2-epoch nets keep it fast; the figures for the shipped model are in docs/data-centric.md.
 */
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { applyDecisions, compareBeforeAfter, parseDecisions, trainWithDecisions } from '../../../models/train/audit-retrain.js';
import { main as trainMain } from '../../../models/train/cli.js';
import { featureMatrix, sortedLabels } from '../../../models/contract/features.js';
import { readSamples, readTimeseries } from '../../../models/contract/samples.js';
import { DEFAULT_MLP_RECIPE } from '../../../models/train/recipe.js';
import { validateCard } from '../../../models/contract/model-card.js';

const REPO = resolve(import.meta.dirname, '../../..');
const SAMPLES = join(REPO, 'fixtures/labels/mt_9classes_samples_public.csv');
const SERIES = join(REPO, 'fixtures/labels/mt_9classes_timeseries_public.csv');
const dir = mkdtempSync(join(tmpdir(), 'granary-retrain-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Every 5th sample of the public set (the location ids keep it location-grouped). */
function subset(): { samplesCsv: string; timeseriesCsv: string } {
  const pick = (path: string, name: string) => {
    const [header, ...lines] = readFileSync(path, 'utf8').trimEnd().split('\n');
    const out = join(dir, name);
    writeFileSync(out, [header, ...lines.filter((l) => Number(l.slice(0, l.indexOf(','))) % 5 === 0)].join('\n') + '\n');
    return out;
  };
  return { samplesCsv: pick(SAMPLES, 'samples.csv'), timeseriesCsv: pick(SERIES, 'timeseries.csv') };
}

const HEAD = 'sample_id,given_label,likely_label,decision,new_label,reviewer,note\n';

describe('decisions file', () => {
  const samples = readSamples(readFileSync(SAMPLES, 'utf8'));
  const names = sortedLabels(samples);
  const label = (id: string) => samples.find((s) => s.sampleId === id)!.label;

  it('applies drop and relabel to a copy; blank means keep', () => {
    const [a, b, c] = samples.map((s) => s.sampleId);
    const text = `${HEAD}${a},${label(a!)},Cerrado,drop,,me,x\n${b},${label(b!)},Forest,relabel,Forest,me,y\n${c},${label(c!)},Forest,,,,\n`;
    const { rows, unreviewed } = parseDecisions(text, samples, names);
    expect(unreviewed).toBe(1);
    const r = applyDecisions(samples, rows);
    expect([r.dropped, r.relabelled, r.kept]).toEqual([1, 1, 1]);
    expect(r.labels[0]).toBeNull();
    expect(r.labels[1]).toBe('Forest');
    expect(r.labels[2]).toBe(label(c!));
    expect(samples[1]!.label).not.toBe('Forest'); // the samples themselves are not changed
  });

  it('refuses unknown samples, duplicates, bad decisions, unknown new labels and labels that do not match the data', () => {
    const bad: Array<[string, RegExp]> = [
      [`${HEAD}99999,Pasture,Forest,drop,,,\n`, /99999.*not in the samples CSV/],
      [`${HEAD}1,${label('1')},Forest,drop,,,\n1,${label('1')},Forest,keep,,,\n`, /decided twice/],
      [`${HEAD}1,${label('1')},Forest,maybe,,,\n`, /not keep, drop or relabel/],
      [`${HEAD}1,${label('1')},Forest,relabel,Sugarcane,,\n`, /needs new_label, one of/],
      [`${HEAD}1,Soy_Fallow,Forest,drop,,,\n`, /given_label Soy_Fallow but the samples CSV says/],
    ];
    for (const [text, err] of bad) expect(() => parseDecisions(text, samples, names)).toThrow(err);
  });
});

describe('before / after cross-validation', () => {
  const csv = subset();
  const samples = readSamples(readFileSync(csv.samplesCsv, 'utf8'));
  const X = featureMatrix(samples, readTimeseries(readFileSync(csv.timeseriesCsv, 'utf8'), ['ndvi', 'evi']), ['ndvi', 'evi'], 23);
  const recipe = { ...DEFAULT_MLP_RECIPE, ensemble: 1, epochs: 2 };

  it('with no changes, after equals before exactly (same folds, same seeds)', () => {
    const reviewed = applyDecisions(samples, []);
    const r = compareBeforeAfter({ samples, X, F: 46, reviewed, unreviewed: 0, folds: 3, seed: 9, recipe });
    expect(r.afterReviewed).toEqual(r.beforeOriginal);
    expect(r.afterOriginal).toEqual(r.beforeOriginal);
    expect(r.beforeReviewed).toEqual(r.beforeOriginal);
  });

  it('scores dropped samples only against the original labels', () => {
    const names = sortedLabels(samples);
    const drop = samples.slice(0, 10);
    const relabel = samples.slice(10, 15);
    const text = HEAD + [...drop.map((s) => `${s.sampleId},${s.label},,drop,,,`), ...relabel.map((s) => `${s.sampleId},${s.label},,relabel,${s.label === 'Forest' ? 'Cerrado' : 'Forest'},,`)].join('\n') + '\n';
    const { rows } = parseDecisions(text, samples, names);
    const reviewed = applyDecisions(samples, rows);
    const r = compareBeforeAfter({ samples, X, F: 46, reviewed, unreviewed: 0, folds: 3, seed: 9, recipe });
    const total = (cv: typeof r.beforeOriginal) => cv.perClass.reduce((a, c) => a + c.support, 0);
    expect(total(r.beforeOriginal)).toBe(samples.length);
    expect(total(r.afterOriginal)).toBe(samples.length);
    expect(total(r.afterReviewed)).toBe(samples.length - 10);
    expect(total(r.beforeReviewed)).toBe(samples.length - 10);
    const forest = names.indexOf('Forest');
    const nForest = (cv: typeof r.beforeOriginal) => cv.perClass[forest]!.support;
    expect(nForest(r.afterReviewed)).toBe(nForest(r.beforeOriginal) - drop.filter((s) => s.label === 'Forest').length + relabel.filter((s) => s.label !== 'Forest').length - relabel.filter((s) => s.label === 'Forest').length);
  });

  it('granary train --decisions prints both tables and writes the reviewed model to --out, not models/', async () => {
    const out = join(dir, 'out');
    const decisions = join(dir, 'decisions.csv');
    const s0 = samples[0]!;
    writeFileSync(decisions, `${HEAD}${s0.sampleId},${s0.label},,drop,,me,test\n`);
    const lines: string[] = [];
    const modelsBefore = readdirSync(join(REPO, 'models')).sort();
    const code = await trainMain(['--decisions', decisions, '--out', out, '--epochs', '1', '--folds', '2', '--samples', csv.samplesCsv, '--timeseries', csv.timeseriesCsv], (s) => lines.push(s));
    expect(code).toBe(0);
    const log = lines.join('\n');
    expect(log).toMatch(/before\/original +after\/reviewed +after\/original +before\/reviewed/);
    expect(log).toMatch(/overall accuracy/);
    expect(log).toMatch(/after\/reviewed is optimistic/);
    expect(readdirSync(out).sort()).toEqual(['granary-mlp-ndvi-evi-reviewed.json', 'granary-mlp-ndvi-evi-reviewed.onnx', 'granary-mlp-ndvi-evi-reviewed.reviewed-samples.csv']);
    const card = validateCard(JSON.parse(readFileSync(join(out, 'granary-mlp-ndvi-evi-reviewed.json'), 'utf8')));
    expect(card.trainingData.samples).toBe(samples.length - 1);
    expect(readFileSync(join(out, 'granary-mlp-ndvi-evi-reviewed.reviewed-samples.csv'), 'utf8').split('\n').filter(Boolean)).toHaveLength(samples.length);
    expect(readdirSync(join(REPO, 'models')).sort()).toEqual(modelsBefore);
  });

  it('the programmatic form returns the four score sets', async () => {
    const decisions = join(dir, 'decisions2.csv');
    writeFileSync(decisions, HEAD);
    const r = await trainWithDecisions({ variables: ['ndvi', 'evi'], modelId: 'x-reviewed', seed: 3, folds: 2, outDir: join(dir, 'out2'), decisions, epochs: 1, mlp: { ensemble: 1 }, fit: false, log: () => {}, ...csv });
    expect(r.onnxPath).toBeNull();
    expect(r.afterReviewed.overallAccuracy).toBe(r.beforeOriginal.overallAccuracy);
  });
});
