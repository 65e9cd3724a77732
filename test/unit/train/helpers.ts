/** Shared helpers for the training tests: a small labelled subset of the public CSVs. */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const SAMPLES_CSV = 'fixtures/labels/mt_9classes_samples_public.csv';
export const TIMESERIES_CSV = 'fixtures/labels/mt_9classes_timeseries_public.csv';

export function tempDir(prefix: string): string {
  return mkdtempSync(join(tmpdir(), `granary-${prefix}-`));
}

/** Writes the samples (and their series) whose sample_id satisfies `keep`; returns the two paths. */
export function writeSubset(dir: string, keep: (sampleId: number) => boolean): { samplesCsv: string; timeseriesCsv: string } {
  const pick = (path: string): string => {
    const [header, ...lines] = readFileSync(path, 'utf8').trimEnd().split('\n');
    return [header, ...lines.filter((l) => keep(Number(l.slice(0, l.indexOf(',')))))].join('\n') + '\n';
  };
  const samplesCsv = join(dir, 'samples.csv');
  const timeseriesCsv = join(dir, 'timeseries.csv');
  writeFileSync(samplesCsv, pick(SAMPLES_CSV));
  writeFileSync(timeseriesCsv, pick(TIMESERIES_CSV));
  return { samplesCsv, timeseriesCsv };
}
