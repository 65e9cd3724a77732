/**
 * The dashboard's CSV of yield-gap rows: the same columns, in the same order, as the API's
 * `/api/yield-gap?format=csv` (server/regions/rows.ts flatRow, FLAT_ROW_COLUMNS; the browser check compares
 * the two headers), numbers rounded to what the data supports, and two dialects:
 * - `intl`: RFC 4180 (comma, `.` decimals, no BOM), what GIS tools and scripts read;
 * - `pt-BR`: what Excel and LibreOffice in Brazilian Portuguese open correctly: `;` separator,
 *   decimal comma, UTF-8 byte-order mark (so accents survive), no thousands separators.
 * Text that a spreadsheet would run as a formula (= + - @, tab, CR at the start) is prefixed with `'`.
 */
import type { YieldGapRow } from './types';

type CsvDialect = 'intl' | 'pt-BR';

export const API_CSV_COLUMNS = [
  'regionId', 'name', 'crop', 'year', 'reportedYieldKgHa', 'actualYieldKgHa', 'attainableYieldKgHa', 'yieldGapKgHa', 'yieldGapPct', 'plantedAreaHa', 'productionT',
  'productionGapT', 'population', 'productionPerCapitaKg', 'priceUsdPerT', 'productionGapValueUsd', 'mappedAreaHa', 'mappedAreaCi95LowHa',
  'mappedAreaCi95HighHa', 'cropMapSceneId', 'cropMapModelId', 'cropMapRegionCoveredShare', 'priorityRank', 'priorityScore', 'windowStart',
  'windowEnd', 'attainablePercentile', 'populationYear', 'flags',
] as const;

/** Decimals kept per column (the inputs are whole kg/ha, hectares and tonnes from IBGE). */
const DIGITS: Record<string, number> = {
  reportedYieldKgHa: 1, actualYieldKgHa: 1, attainableYieldKgHa: 1, yieldGapKgHa: 1, yieldGapPct: 2, plantedAreaHa: 0, productionT: 0, productionGapT: 0,
  population: 0, productionPerCapitaKg: 1, priceUsdPerT: 2, productionGapValueUsd: 0, mappedAreaHa: 0, mappedAreaCi95LowHa: 0,
  mappedAreaCi95HighHa: 0, cropMapRegionCoveredShare: 4, priorityScore: 2,
};

interface RowExtras {
  mappedAreaCi95Ha?: [number, number] | null;
  cropMap?: { sceneId?: string; modelId?: string; regionCoveredShare?: number } | null;
  inputs?: { window?: [number, number]; attainableYield?: { percentile?: number }; population?: { yearUsed?: number } | null };
  priorityRank?: number | null;
  priorityScore?: number | null;
}

/** One record of the API's CSV from a JSON row (the server's flattening). */
export function flatRow(row: YieldGapRow): Record<string, unknown> {
  const r = row as YieldGapRow & RowExtras;
  const o: Record<string, unknown> = {};
  for (const c of API_CSV_COLUMNS) o[c] = (r as unknown as Record<string, unknown>)[c];
  o.mappedAreaCi95LowHa = r.mappedAreaCi95Ha?.[0] ?? null;
  o.mappedAreaCi95HighHa = r.mappedAreaCi95Ha?.[1] ?? null;
  o.cropMapSceneId = r.cropMap?.sceneId ?? null;
  o.cropMapModelId = r.cropMap?.modelId ?? null;
  o.cropMapRegionCoveredShare = r.cropMap?.regionCoveredShare ?? null;
  o.windowStart = r.inputs?.window?.[0] ?? null;
  o.windowEnd = r.inputs?.window?.[1] ?? null;
  o.attainablePercentile = r.inputs?.attainableYield?.percentile ?? null;
  o.populationYear = r.inputs?.population?.yearUsed ?? null;
  o.flags = r.flags.join('; ');
  return o;
}

function round(v: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(v * f) / f;
}

export function csvCell(v: unknown, column: string, dialect: CsvDialect): string {
  if (v === null || v === undefined) return '';
  let s: string;
  if (typeof v === 'number') {
    if (!Number.isFinite(v)) return '';
    const d = DIGITS[column];
    // toFixed never gives float noise (231.4749999999999) nor exponents for these magnitudes
    s = d === undefined ? String(v) : String(Number(round(v, d).toFixed(d)));
    if (dialect === 'pt-BR') s = s.replace('.', ',');
    return s;
  }
  s = typeof v === 'object' ? JSON.stringify(v) : String(v);
  if (/^[=+\-@\t\r]/.test(s)) s = `'${s}`;
  const sep = dialect === 'pt-BR' ? ';' : ',';
  return s.includes(sep) || /["\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export function toCsv(columns: readonly string[], rows: ReadonlyArray<Record<string, unknown>>, dialect: CsvDialect = 'intl'): string {
  const sep = dialect === 'pt-BR' ? ';' : ',';
  const lines = [columns.map((c) => csvCell(c, '', dialect)).join(sep), ...rows.map((r) => columns.map((c) => csvCell(r[c], c, dialect)).join(sep))];
  return (dialect === 'pt-BR' ? '\uFEFF' : '') + lines.join('\r\n') + '\r\n';
}
