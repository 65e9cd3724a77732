/**
 * The two label CSVs of the sits 9-class set, read into typed records:
 *   samples:    sample_id,location_id,longitude,latitude,start_date,end_date,label[,coverage]
 *   timeseries: sample_id,date,<variable>...   (one row per 16-day composite)
 */
import { columnIndex, parseCsv } from './csv.js';

export interface Sample {
  sampleId: string;
  /** Samples of one location (several seasons) share this; falls back to sampleId if the column is absent. */
  locationId: string;
  label: string;
  startDate: string;
  endDate: string;
}

export function readSamples(csvText: string): Sample[] {
  const t = parseCsv(csvText);
  const iId = columnIndex(t, 'sample_id');
  const iLabel = columnIndex(t, 'label');
  const iLoc = t.header.indexOf('location_id');
  const iStart = t.header.indexOf('start_date');
  const iEnd = t.header.indexOf('end_date');
  const seen = new Set<string>();
  return t.rows.map((r, k) => {
    const sampleId = (r[iId] ?? '').trim();
    const label = (r[iLabel] ?? '').trim();
    if (sampleId === '') throw new Error(`samples CSV: row ${k + 2} has an empty sample_id`);
    if (label === '') throw new Error(`samples CSV: sample ${sampleId} has an empty label`);
    if (seen.has(sampleId)) throw new Error(`samples CSV: duplicate sample_id ${sampleId}`);
    seen.add(sampleId);
    return {
      sampleId,
      locationId: iLoc >= 0 ? (r[iLoc] ?? '').trim() || sampleId : sampleId,
      label,
      startDate: iStart >= 0 ? (r[iStart] ?? '').trim() : '',
      endDate: iEnd >= 0 ? (r[iEnd] ?? '').trim() : '',
    };
  });
}

/** Per sample, the values of each requested variable over time: series[v][t]. */
export type SeriesBySample = Map<string, number[][]>;

/**
 * Reads the time-series CSV for the given variables. Rows of one sample are put in date order
 * (ISO dates sort as strings), so the CSV's row order does not matter.
 */
export function readTimeseries(csvText: string, variables: readonly string[]): SeriesBySample {
  const t = parseCsv(csvText);
  const iId = columnIndex(t, 'sample_id');
  const iDate = columnIndex(t, 'date');
  const iVars = variables.map((v) => columnIndex(t, v));
  const rowsBySample = new Map<string, { date: string; values: number[] }[]>();
  t.rows.forEach((r, k) => {
    const id = (r[iId] ?? '').trim();
    const date = (r[iDate] ?? '').trim();
    const values = iVars.map((ci, vi) => {
      const raw = (r[ci] ?? '').trim();
      const x = raw === '' ? NaN : Number(raw);
      if (!Number.isFinite(x)) {
        throw new Error(`timeseries CSV: row ${k + 2} (sample ${id}, ${date}) has a non-numeric ${variables[vi]} "${raw}"`);
      }
      return x;
    });
    let list = rowsBySample.get(id);
    if (!list) rowsBySample.set(id, (list = []));
    list.push({ date, values });
  });
  const out: SeriesBySample = new Map();
  for (const [id, list] of rowsBySample) {
    list.sort((a, b) => (a.date < b.date ? -1 : a.date > b.date ? 1 : 0));
    out.set(
      id,
      variables.map((_, vi) => list.map((row) => row.values[vi] as number)),
    );
  }
  return out;
}
