/** Imports INMET archive files into the weather store: parse, aggregate to days, one transaction per file. */
import { readFile } from 'node:fs/promises';
import { createHash } from 'node:crypto';
import { basename } from 'node:path';
import { parseInmetFile, type RowProblem, type StationMeta } from './inmet.js';
import { dailyFromHourly } from './daily.js';
import type { WritableWeatherStore } from './store.js';

interface ImportReport {
  file: string;
  station: StationMeta;
  hourlyRows: number;
  days: number;
  inserted: number;
  replaced: number;
  problems: RowProblem[];
}

/** Files above this are refused before reading (a year of hourly rows is ~0.8 MB). */
export const MAX_FILE_BYTES = 64 * 1024 * 1024;

export async function importInmetFile(store: WritableWeatherStore, path: string): Promise<ImportReport> {
  const bytes = await readFile(path);
  const file = basename(path);
  const parsed = parseInmetFile(bytes, file);
  const days = dailyFromHourly(parsed.rows);
  const sha256 = createHash('sha256').update(bytes).digest('hex');
  const { inserted, replaced } = await store.importDaily(parsed.station, days, { file, sha256, problems: parsed.problems.length });
  return { file, station: parsed.station, hourlyRows: parsed.rows.length, days: days.length, inserted, replaced, problems: parsed.problems };
}
