/** Pure parts of the label audit: thresholds and flags, peaks, medians, the review rule, the shipped audit files. */
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { classMedianCurves, confidentLearning, countPeaks, median, rmse } from '../../../models/train/audit.js';
import { reviewDecisions, reviewSuspect, type SuspectEvidence } from '../../../models/train/audit-review.js';
import { parseCsv } from '../../../models/contract/csv.js';

describe('confident learning', () => {
  it('uses per-class mean self-confidence as thresholds and flags when another class clears its own', () => {
    // 3 classes; rows = samples: probabilities, given label
    const rows: Array<[number[], number]> = [
      [[0.9, 0.05, 0.05], 0],
      [[0.7, 0.2, 0.1], 0],
      [[0.2, 0.75, 0.05], 0], // p0 < t0 (0.6), p1 = 0.75 >= t1 -> flagged, likely 1
      [[0.1, 0.8, 0.1], 1],
      [[0.3, 0.7, 0.0], 1],
      [[0.5, 0.3, 0.2], 1], // p1 0.3 < t1 0.6; p0 0.5 < t0 0.6; p2 0.2 < t2 -> not flagged (doubt without an alternative)
      [[0.0, 0.1, 0.9], 2],
      [[0.05, 0.05, 0.9], 2],
    ];
    const P = rows.flatMap((r) => r[0]);
    const y = rows.map((r) => r[1]);
    const r = confidentLearning(P, y, rows.length, 3);
    expect(r.thresholds.map((t) => Number(t.toFixed(4)))).toEqual([0.6, 0.6, 0.9]);
    expect(r.flags).toEqual([{ index: 2, given: 0, likely: 1 }]);
  });

  it('picks the most probable of the qualifying classes, and ignores empty classes', () => {
    const P = [0.1, 0.45, 0.45, 0, /**/ 1, 0, 0, 0, /**/ 0, 1, 0, 0, /**/ 0, 0, 1, 0, /**/ 0.05, 0.5, 0.45, 0];
    const y = [0, 0, 1, 2, 0];
    const r = confidentLearning(P, y, 5, 4);
    expect(Number.isNaN(r.thresholds[3]!)).toBe(true);
    // sample 0: t1 = 1, t2 = 1: 0.45 clears neither; sample 4 likewise
    expect(r.flags).toEqual([]);
    const P2 = [0.1, 0.5, 0.4, 0, /**/ 1, 0, 0, 0, /**/ 0, 0.5, 0, 0.5, /**/ 0, 0, 0.4, 0];
    const r2 = confidentLearning(P2, [0, 0, 1, 2], 4, 4);
    // t1 = 0.5, t2 = 0.4: sample 0 (given 0, p0 0.1 < t0 0.55) -> both 1 and 2 qualify, 1 is more probable
    expect(r2.flags).toEqual([{ index: 0, given: 0, likely: 1 }]);
  });
});

describe('curves', () => {
  const single = [0.3, 0.35, 0.5, 0.7, 0.85, 0.88, 0.86, 0.8, 0.7, 0.55, 0.4, 0.32, 0.3, 0.3, 0.3, 0.3, 0.3, 0.3, 0.3, 0.3, 0.3, 0.3, 0.3];
  const double = [0.25, 0.3, 0.5, 0.75, 0.85, 0.8, 0.55, 0.45, 0.6, 0.78, 0.8, 0.7, 0.5, 0.35, 0.3, 0.3, 0.3, 0.3, 0.3, 0.3, 0.3, 0.3, 0.3];
  it('counts growing-season peaks: one for a single season, two for a double crop, none for a flat curve', () => {
    expect(countPeaks(single)).toBe(1);
    expect(countPeaks(double)).toBe(2);
    expect(countPeaks(new Array(23).fill(0.85))).toBe(0);
    expect(countPeaks(new Array(23).fill(0.2).map((v, i) => v + (i === 10 ? 0.05 : 0)))).toBe(0);
  });

  it('medians per class and step; rmse', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 2, 3])).toBe(2.5);
    const series = [[[1, 2]], [[3, 4]], [[10, 10]]];
    const m = classMedianCurves(series, [0, 0, 1], 3, 1, 2);
    expect(m[0]).toEqual([[2, 3]]);
    expect(m[1]).toEqual([[10, 10]]);
    expect(Number.isNaN(m[2]![0]![0]!)).toBe(true);
    expect(rmse([[0, 0]], [[3, 4]])).toBeCloseTo(Math.sqrt(12.5), 12);
  });
});

describe('review rule v1', () => {
  const e = (over: Partial<SuspectEvidence>): SuspectEvidence => ({
    sample_id: '1', given_label: 'Soy_Corn', likely_label: 'Soy_Millet', p_given: 0.02, p_likely: 0.97,
    rmse_given: 0.12, rmse_likely: 0.06, peaks_sample: 2, peaks_given: 2, peaks_likely: 2, ...over,
  });
  it('relabels when the model is sure and the curves agree, drops when uncertain between two, keeps otherwise', () => {
    expect(reviewSuspect(e({}))).toMatchObject({ decision: 'relabel', newLabel: 'Soy_Millet' });
    expect(reviewSuspect(e({ p_likely: 0.85 }))).toMatchObject({ decision: 'drop', newLabel: '' });
    expect(reviewSuspect(e({ peaks_sample: 1 }))).toMatchObject({ decision: 'drop' });
    expect(reviewSuspect(e({ rmse_likely: 0.2 }))).toMatchObject({ decision: 'keep' });
    expect(reviewSuspect(e({})).note).toMatch(/^rule v1: relabel .*p\(likely\)=0\.970/);
  });

  it('fills only blank decisions and keeps a reviewer\'s own', () => {
    const template = 'sample_id,given_label,likely_label,decision,new_label,reviewer,note\n1,Soy_Corn,Soy_Millet,,,,\n2,Soy_Corn,Soy_Millet,keep,,alice,field visit 2016\n';
    const ev = new Map([['1', e({})], ['2', e({ sample_id: '2' })]]);
    const { text, counts } = reviewDecisions(template, ev, 'bob');
    const rows = parseCsv(text).rows;
    expect(rows[0]!.slice(0, 6)).toEqual(['1', 'Soy_Corn', 'Soy_Millet', 'relabel', 'Soy_Millet', 'bob']);
    expect(rows[1]).toEqual(['2', 'Soy_Corn', 'Soy_Millet', 'keep', '', 'alice', 'field visit 2016']);
    expect(counts).toMatchObject({ relabel: 1, 'already decided': 1 });
  });
});

describe('the committed audit of the shipped model (fixtures/labels/audit)', () => {
  const dir = join(resolve(import.meta.dirname, '../../..'), 'fixtures/labels/audit');
  it('is consistent: report, suspects, template and reviewed decisions describe the same samples', () => {
    const report = JSON.parse(readFileSync(join(dir, 'audit-report.json'), 'utf8'));
    const fc = JSON.parse(readFileSync(join(dir, 'suspect-samples.geojson'), 'utf8'));
    const template = parseCsv(readFileSync(join(dir, 'label-decisions.csv'), 'utf8'));
    const reviewed = parseCsv(readFileSync(join(dir, 'label-decisions.reviewed.csv'), 'utf8'));
    expect(report.samples).toBe(1682);
    // the audit's out-of-fold CV is the shipped card's CV (same folds, seeds and recipe)
    const card = JSON.parse(readFileSync(join(dir, '../../../models/granary-mlp-ndvi-evi.json'), 'utf8'));
    expect(report.cv).toEqual({ overallAccuracy: card.metrics.overallAccuracy, macroF1: card.metrics.macroF1 });
    const ids = fc.features.map((f: { properties: { sample_id: string } }) => f.properties.sample_id);
    expect(ids).toHaveLength(report.flagged);
    expect(template.rows.map((r) => r[0])).toEqual(ids);
    expect(reviewed.rows.map((r) => r[0])).toEqual(ids);
    for (const r of reviewed.rows) {
      expect(['keep', 'drop', 'relabel']).toContain(r[3]);
      expect(r[5]).not.toBe('');
      expect(r[6]).toMatch(/^rule v1: /);
      if (r[3] === 'relabel') expect(r[4]).toBe(r[2]);
    }
  });
});
