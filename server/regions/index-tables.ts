/**
 * Pure indexing of parsed CSV rows into the lookup structures of server/analytics/tables.ts, with
 * the join diagnostics (unmatched keys each side, name mismatches, PAM zeros read as unknown).
 */
import type { CropObservation, CropStatisticsIndex, PopulationIndex, PriceIndex, RegionRef } from '../analytics/tables.js';
import { columnName, readNumber, type TableConfig } from './config.js';

type Rows = ReadonlyArray<Readonly<Record<string, string>>>;
type Of<K extends TableConfig['kind']> = Extract<TableConfig, { kind: K }>;

export interface TableJoinReport {
  table: string;
  kind: TableConfig['kind'];
  file: string;
  rows: number;
  /** distinct key values in the table */
  keys: number;
  /** key values with no region (region-keyed tables only) */
  unmatchedTableKeys: string[];
  /** region ids with no row in the table */
  regionsWithoutRows: string[];
  /** rows skipped because a required field was empty or unparsable */
  rowsSkipped: number;
  /** regions whose name differs from the table's name column after normalisation (accents, case, " - UF" suffix) */
  nameMismatches: Array<{ id: string; regionName: string; tableName: string }>;
}

/** "Sorriso - MT" / "SORRISO" / "Sorriso" compare equal; accents are folded. */
function normaliseName(s: string): string {
  return s
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/\s+-\s+[A-Z]{2}$/i, '')
    .replace(/\s+/g, ' ')
    .trim()
    .toLowerCase();
}

function baseReport(t: TableConfig, rows: Rows): TableJoinReport {
  return { table: t.name, kind: t.kind, file: t.file, rows: rows.length, keys: 0, unmatchedTableKeys: [], regionsWithoutRows: [], rowsSkipped: 0, nameMismatches: [] };
}

function checkColumns(t: TableConfig, header: ReadonlyArray<string>): void {
  const wanted = [t.key, ...Object.values(t.columns).filter((c) => c !== undefined).map((c) => columnName(c))];
  const missing = wanted.filter((c) => !header.includes(c));
  if (missing.length > 0) throw new Error(`table ${t.name} (${t.file}): columns ${missing.join(', ')} not found; header is ${header.join(', ')}`);
}

function joinKeys(report: TableJoinReport, keys: Map<string, string | undefined>, regions: ReadonlyArray<RegionRef>): void {
  const ids = new Set(regions.map((r) => r.id));
  report.keys = keys.size;
  report.unmatchedTableKeys = [...keys.keys()].filter((k) => !ids.has(k)).sort();
  report.regionsWithoutRows = regions.filter((r) => !keys.has(r.id)).map((r) => r.id);
  for (const r of regions) {
    const tn = keys.get(r.id);
    if (tn !== undefined && normaliseName(tn) !== normaliseName(r.name)) report.nameMismatches.push({ id: r.id, regionName: r.name, tableName: tn });
  }
}

export function indexPopulation(t: Of<'population'>, header: ReadonlyArray<string>, rows: Rows, regions: ReadonlyArray<RegionRef>): { index: PopulationIndex; report: TableJoinReport } {
  checkColumns(t, header);
  const report = baseReport(t, rows);
  const byRegion = new Map<string, Map<number, number>>();
  const names = new Map<string, string | undefined>();
  let lo = Infinity;
  let hi = -Infinity;
  for (const row of rows) {
    const key = (row[t.key] ?? '').trim();
    const year = readNumber(row, t.columns.year);
    const pop = readNumber(row, t.columns.population);
    if (!key || year === null || pop === null) {
      report.rowsSkipped++;
      continue;
    }
    if (!byRegion.has(key)) byRegion.set(key, new Map());
    byRegion.get(key)!.set(year, pop);
    if (!names.has(key)) names.set(key, t.columns.name ? row[columnName(t.columns.name)] : undefined);
    lo = Math.min(lo, year);
    hi = Math.max(hi, year);
  }
  joinKeys(report, names, regions);
  return { index: { source: t.source ?? t.file, byRegion, yearRange: [lo, hi] }, report };
}

export interface ZeroCounts {
  /** crop code -> year -> rows whose 0s were read as unknown */
  [crop: string]: Record<string, number>;
}

export function indexCropStatistics(
  t: Of<'crop-statistics'>,
  header: ReadonlyArray<string>,
  rows: Rows,
  regions: ReadonlyArray<RegionRef>,
): { index: CropStatisticsIndex; report: TableJoinReport; zerosAsUnknown: ZeroCounts } {
  checkColumns(t, header);
  const report = baseReport(t, rows);
  const crops = new Map<string, Map<string, Map<number, CropObservation>>>();
  const yearRange = new Map<string, [number, number]>();
  const names = new Map<string, string | undefined>();
  const zeros: ZeroCounts = {};
  const unknownZeros = t.zeroMeans === 'unknown';
  for (const row of rows) {
    const key = (row[t.key] ?? '').trim();
    const crop = (row[columnName(t.columns.crop)] ?? '').trim();
    const year = readNumber(row, t.columns.year);
    if (!key || !crop || year === null) {
      report.rowsSkipped++;
      continue;
    }
    const y = readNumber(row, t.columns.yieldKgHa);
    const p = readNumber(row, t.columns.productionT);
    const a = readNumber(row, t.columns.plantedAreaHa);
    const hasZero = y === 0 || p === 0 || a === 0;
    const zeroAsUnknown = unknownZeros && hasZero;
    const obs: CropObservation = {
      // a yield of 0 is never a usable yield (0 kg over 0 ha is undefined), whatever zeroMeans says
      yieldKgHa: y === 0 ? null : y,
      productionT: p === 0 && unknownZeros ? null : p,
      plantedAreaHa: a === 0 && unknownZeros ? null : a,
      zeroAsUnknown,
    };
    if (zeroAsUnknown) {
      const byYear = (zeros[crop] ??= {});
      byYear[String(year)] = (byYear[String(year)] ?? 0) + 1;
    }
    if (!crops.has(crop)) crops.set(crop, new Map());
    const byRegion = crops.get(crop)!;
    if (!byRegion.has(key)) byRegion.set(key, new Map());
    byRegion.get(key)!.set(year, obs);
    const r = yearRange.get(crop);
    yearRange.set(crop, r ? [Math.min(r[0], year), Math.max(r[1], year)] : [year, year]);
    if (!names.has(key)) names.set(key, t.columns.name ? row[columnName(t.columns.name)] : undefined);
  }
  joinKeys(report, names, regions);
  return { index: { source: t.source ?? t.file, zeroMeans: t.zeroMeans, crops, yearRange }, report, zerosAsUnknown: zeros };
}

export function indexPrices(t: Of<'prices'>, header: ReadonlyArray<string>, rows: Rows): { index: PriceIndex; report: TableJoinReport } {
  checkColumns(t, header);
  const report = baseReport(t, rows);
  const series = new Map<string, Map<string, number>>();
  for (const name of Object.keys(t.columns)) series.set(name, new Map());
  const months = new Set<string>();
  for (const row of rows) {
    const month = (row[t.key] ?? '').trim();
    if (!/^\d{4}-\d{2}$/.test(month)) {
      report.rowsSkipped++;
      continue;
    }
    months.add(month);
    for (const [name, ref] of Object.entries(t.columns)) {
      const v = readNumber(row, ref);
      if (v !== null) series.get(name)!.set(month, v); // empty cell = not available
    }
  }
  report.keys = months.size;
  return { index: { source: t.source ?? t.file, unit: t.unit, note: t.note ?? '', series }, report };
}
