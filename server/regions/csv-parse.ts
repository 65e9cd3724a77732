/**
 * The service's CSV reader (csv-parse): quoted fields with doubled quotes, commas/CR/LF inside
 * quotes, CRLF or LF record ends, a leading UTF-8 BOM, a final record without a line end, blank
 * lines skipped. Input is an already-decoded string (UTF-8 names like "Cláudia" survive because
 * decoding happens in the caller with `readFileSync(path, 'utf8')`).
 */
import { parse, CsvError } from 'csv-parse/sync';

interface CsvTable {
  header: string[];
  /** one object per record, keyed by header name; short records get '' for missing fields */
  rows: Array<Record<string, string>>;
}

export function parseCsvRecords(text: string): string[][] {
  try {
    return parse(text, { bom: true, record_delimiter: ['\r\n', '\n', '\r'], relax_column_count: true, relax_quotes: true, skip_empty_lines: true }) as string[][];
  } catch (e) {
    if (e instanceof CsvError && e.code === 'CSV_QUOTE_NOT_CLOSED') throw new SyntaxError(`CSV ends inside a quoted field (${e.message})`);
    throw e;
  }
}

export function parseCsv(text: string): CsvTable {
  return tableFromRecords(parseCsvRecords(text));
}

/** The header and keyed rows of parsed records (the first record is the header). */
export function tableFromRecords(records: string[][]): CsvTable {
  const header = records[0] ?? [];
  const rows = records.slice(1).map((r) => {
    const o: Record<string, string> = {};
    header.forEach((h, k) => (o[h] = r[k] ?? ''));
    return o;
  });
  return { header, rows };
}
