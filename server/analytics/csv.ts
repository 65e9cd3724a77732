/**
 * RFC 4180 CSV writer (hand-written: ~30 lines, and the rules below are the whole contract).
 * - header row, then one record per row; records end with CRLF (RFC 4180 §2.1)
 * - a field is quoted when it contains a comma, a double quote, CR or LF; quotes are doubled
 * - numbers are written unformatted (String(n), shortest round-trip); NaN/±Infinity, null and
 *   undefined are written as empty fields; booleans as true/false
 * - nested objects/arrays are not written: the caller flattens them (a TypeError says which column)
 * The result is a JS string; the caller encodes it as UTF-8 (no BOM is added).
 */

export type CsvValue = string | number | boolean | null | undefined;

export function csvField(value: unknown, column = '?'): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : '';
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (typeof value === 'bigint') return value.toString();
  if (typeof value !== 'string') throw new TypeError(`CSV column ${JSON.stringify(column)} holds a ${Array.isArray(value) ? 'array' : typeof value}; flatten nested values before writing`);
  return /[",\r\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

/**
 * `columns` fixes the header and order; by default the keys of the first row (later rows' extra
 * keys are ignored, missing ones are empty).
 */
export function toCsv(rows: ReadonlyArray<Readonly<Record<string, unknown>>>, columns?: ReadonlyArray<string>): string {
  const cols = columns ?? (rows[0] ? Object.keys(rows[0]) : []);
  const lines = [cols.map((c) => csvField(c, c)).join(',')];
  for (const row of rows) lines.push(cols.map((c) => csvField(row[c], c)).join(','));
  return lines.join('\r\n') + '\r\n';
}
