/**
 * `granary train ablate` (models/train/ablate.ts): the phenology channels by hand, and the command end
 * to end on a tiny setting (2 folds, 1 epoch) writing its JSON with the scored-on-original-labels rows.
 */
import { describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main, phenologyChannels, type AblationFile } from '../../../models/train/ablate.js';

describe('phenology channels', () => {
  it('append each series as a fraction of its own amplitude, 0.5 where flat', () => {
    // 1 sample, 2 variables x 3 dates: [0.2, 0.6, 0.4] and a flat [0.3, 0.3, 0.3]
    const out = phenologyChannels(Float32Array.of(0.2, 0.6, 0.4, 0.3, 0.3, 0.3), 1, 2, 3);
    expect(Array.from(out).map((v) => Math.round(v * 1e6) / 1e6)).toEqual([0.2, 0.6, 0.4, 0.3, 0.3, 0.3, 0, 1, 0.5, 0.5, 0.5, 0.5]);
  });
});

describe('granary train ablate', () => {
  it('runs a step end to end and records it with its command', async () => {
    const out = join(mkdtempSync(join(tmpdir(), 'granary-ablate-')), 'a.json');
    const lines: string[] = [];
    const code = await main(['--folds', '2', '--epochs', '1', '--steps', 'reviewed labels', '--out', out], (s) => lines.push(s));
    expect(code).toBe(0);
    const f = JSON.parse(readFileSync(out, 'utf8')) as AblationFile;
    expect(f.folds).toBe(2);
    expect(Object.keys(f.results)).toEqual(['reviewed labels']);
    const r = f.results['reviewed labels']!;
    expect(r.overallAccuracy).toBeGreaterThan(0.2); // 9 classes: chance is ~0.19 for the largest
    expect(Object.keys(r.perClassF1)).toHaveLength(9);
    expect(r.command).toContain('--steps "reviewed labels"');
    expect(lines.some((l) => l.startsWith('reviewed labels: OA '))).toBe(true);
  }, 120_000);

  it('refuses an unknown model and a step that matches nothing', async () => {
    const err = console.error;
    console.error = () => {};
    try {
      expect(await main(['--model', 'svm'])).toBe(1);
      expect(await main(['--steps', 'no such step'])).toBe(1);
      expect(await main(['--bogus'])).toBe(2);
    } finally {
      console.error = err;
    }
  });
});
