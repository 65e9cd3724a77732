/**
 * The service's CSV writer (csv-stringify), for every CSV it serves or writes:
 * - header row, then one record per row; records end with CRLF (RFC 4180 §2.1); UTF-8, no BOM
 * - a field is quoted when it contains a comma, a double quote, CR or LF; quotes are doubled
 * - numbers are written unformatted (String(n), shortest round-trip); NaN/±Infinity, null and
 *   undefined are written as empty fields; booleans as true/false
 * - text cells that a spreadsheet would run as a formula (first character = + - @ tab or CR) are
 *   prefixed with ' (OWASP "CSV injection"): field-report notes come from anonymous users
 * - nested objects/arrays are not written: the caller flattens them (a TypeError says which column)
 */
import { stringify } from 'csv-stringify/sync';

const FORMULA_START = /^[=+\-@\t\r]/;

/** OWASP's rule for text cells: a leading = + - @ tab or CR gets a ' so the cell opens as text. */
function neutraliseFormula(text: string): string {
  return FORMULA_START.test(text) ? `'${text}` : text;
}

function cell(value: unknown, column: string): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : '';
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (typeof value === 'bigint') return value.toString();
  if (typeof value !== 'string') throw new TypeError(`CSV column ${JSON.stringify(column)} holds a ${Array.isArray(value) ? 'array' : typeof value}; flatten nested values before writing`);
  return neutraliseFormula(value);
}

/** One CSV record (no line end) from raw values: numbers stay numbers, text is neutralised. */
export function csvRecord(values: ReadonlyArray<unknown>): string {
  return stringify([values.map((v, i) => cell(v, String(i)))], { record_delimiter: '\r\n', quoted_match: /[\r\n]/ }).replace(/\r\n$/, '');
}

/**
 * `columns` fixes the header and order; by default the keys of the first row (later rows' extra
 * keys are ignored, missing ones are empty).
 */
export function toCsv(rows: ReadonlyArray<Readonly<Record<string, unknown>>>, columns?: ReadonlyArray<string>): string {
  const cols = columns ?? (rows[0] ? Object.keys(rows[0]) : []);
  const records = [cols.map((c) => cell(c, c)), ...rows.map((row) => cols.map((c) => cell(row[c], c)))];
  return stringify(records, { record_delimiter: '\r\n', quoted_match: /[\r\n]/ });
}
