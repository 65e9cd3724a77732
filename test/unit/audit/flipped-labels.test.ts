/**
 * The label audit finds labels flipped on purpose in a copy of the public training data.
 *
 * 5 % of the 1682 samples (seeded: 84) get a label of the other kind: a natural-vegetation or
 * pasture sample (Forest, Cerrado, Pasture) becomes a random crop class and a crop sample a random
 * natural one. The audit runs as `granary labels audit` does (location-grouped 5-fold CV, confident
 * learning), with a lighter MLP for test time (1 net x 30 epochs instead of 3 x 60).
 * Measured at this seed: 63 of 84 flips found (recall 0.75), 57 of 1598 clean samples flagged (3.6 %;
 * about 4 % of the public labels are flagged even without flips, docs/data-centric.md).
 * Asserted: recall >= 0.6 and false alarms <= 5 % of the clean samples.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { auditFiles, writeAuditOutputs, type AuditResult } from '../../../models/train/audit.js';
import { parseCsv } from '../../../models/contract/csv.js';
import { csvLine } from '../../../models/train/audit.js';
import { mulberry32 } from '../../../models/contract/prng.js';

const REPO = resolve(import.meta.dirname, '../../..');
const SAMPLES = join(REPO, 'fixtures/labels/mt_9classes_samples_public.csv');
const SERIES = join(REPO, 'fixtures/labels/mt_9classes_timeseries_public.csv');
const NATURAL = ['Forest', 'Cerrado', 'Pasture'];
const CROPS = ['Soy_Corn', 'Soy_Cotton', 'Soy_Millet', 'Soy_Sunflower', 'Soy_Fallow', 'Fallow_Cotton'];

const dir = mkdtempSync(join(tmpdir(), 'granary-audit-flip-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Writes a copy of the samples CSV with `share` of the labels flipped to the other kind; returns the flipped ids. */
function flippedCopy(share: number, seed: number): { path: string; flipped: Map<string, { from: string; to: string }> } {
  const t = parseCsv(readFileSync(SAMPLES, 'utf8'));
  const iId = t.header.indexOf('sample_id');
  const iLabel = t.header.indexOf('label');
  const rng = mulberry32(seed);
  const flipped = new Map<string, { from: string; to: string }>();
  const rows = t.rows.map((r) => {
    if (rng() >= share) return r;
    const from = r[iLabel]!;
    const pool = NATURAL.includes(from) ? CROPS : NATURAL;
    const to = pool[Math.floor(rng() * pool.length)]!;
    flipped.set(r[iId]!, { from, to });
    const copy = [...r];
    copy[iLabel] = to;
    return copy;
  });
  const path = join(dir, 'samples-flipped.csv');
  writeFileSync(path, [csvLine(t.header), ...rows.map(csvLine)].join('\n') + '\n');
  return { path, flipped };
}

describe('label audit on deliberately flipped labels', () => {
  let result: AuditResult;
  let flipped: Map<string, { from: string; to: string }>;

  it('finds most flips with few false alarms', () => {
    const copy = flippedCopy(0.05, 42);
    flipped = copy.flipped;
    expect(flipped.size).toBe(84);
    result = auditFiles({ variables: ['ndvi', 'evi'], folds: 5, seed: 1, samplesCsv: copy.path, timeseriesCsv: SERIES, mlp: { epochs: 30, ensemble: 1 } });
    const flagged = new Set(result.suspects.map((s) => s.sampleId));
    const found = [...flipped.keys()].filter((id) => flagged.has(id)).length;
    const falseAlarms = [...flagged].filter((id) => !flipped.has(id)).length;
    const clean = result.n - flipped.size;
    const recall = found / flipped.size;
    const falseAlarmRate = falseAlarms / clean;
    console.log(`flipped ${flipped.size}, flagged ${flagged.size}: recall ${found}/${flipped.size} = ${recall.toFixed(3)}, false alarms ${falseAlarms}/${clean} = ${(100 * falseAlarmRate).toFixed(1)} %`);
    expect(recall).toBeGreaterThanOrEqual(0.6);
    expect(falseAlarmRate).toBeLessThanOrEqual(0.05);
    // a found flip's likely label is mostly its true class's kind
    const sameKind = result.suspects.filter((s) => flipped.has(s.sampleId)).filter((s) => NATURAL.includes(s.likely) === NATURAL.includes(flipped.get(s.sampleId)!.from)).length;
    expect(sameKind / found).toBeGreaterThanOrEqual(0.9);
  });

  it('writes the report, the suspect layer with evidence and the decisions template', () => {
    const out = join(dir, 'audit');
    const files = writeAuditOutputs(result, out);
    expect(files.map((f) => f.slice(out.length + 1))).toEqual(['audit-report.json', 'suspect-samples.geojson', 'label-decisions.csv']);
    const report = JSON.parse(readFileSync(files[0]!, 'utf8'));
    expect(report.flagged).toBe(result.suspects.length);
    expect(report.classes.reduce((a: number, c: { flagged: number }) => a + c.flagged, 0)).toBe(result.suspects.length);
    expect(report.classes.reduce((a: number, c: { n: number }) => a + c.n, 0)).toBe(result.n);
    for (const c of report.classes) {
      expect(c.threshold).toBeGreaterThan(0);
      expect(c.likelyLabels.reduce((a: number, l: { count: number }) => a + l.count, 0)).toBe(c.flagged);
    }
    const fc = JSON.parse(readFileSync(files[1]!, 'utf8'));
    expect(fc.features).toHaveLength(result.suspects.length);
    const f = fc.features[0];
    expect(f.geometry.type).toBe('Point');
    expect(Object.keys(f.properties)).toEqual(expect.arrayContaining(['sample_id', 'location_id', 'season', 'given_label', 'likely_label', 'p_given', 'p_likely', 'evidence']));
    expect(f.properties.p_given).toBeLessThan(f.properties.threshold_given);
    expect(f.properties.p_likely).toBeGreaterThanOrEqual(f.properties.threshold_likely - 1e-4);
    for (const k of ['sample', 'givenMedian', 'likelyMedian']) {
      expect(f.properties.evidence[k].ndvi).toHaveLength(23);
      expect(f.properties.evidence[k].evi).toHaveLength(23);
    }
    const decisions = parseCsv(readFileSync(files[2]!, 'utf8'));
    expect(decisions.header).toEqual(['sample_id', 'given_label', 'likely_label', 'decision', 'new_label', 'reviewer', 'note']);
    expect(decisions.rows).toHaveLength(result.suspects.length);
    expect(decisions.rows.every((r) => r[3] === '')).toBe(true);
    // the source table is untouched
    expect(readFileSync(SAMPLES, 'utf8')).not.toContain('samples-flipped');
  });
});
