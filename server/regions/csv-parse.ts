/**
 * RFC 4180 CSV reader (hand-written to avoid a dependency for a ~50-line state machine): quoted
 * fields with doubled quotes, commas/CR/LF inside quotes, CRLF or LF record ends, a leading UTF-8
 * BOM, and a final record without a line end. Input is an already-decoded string (UTF-8 names like
 * "Cláudia" survive because decoding happens in the caller with `readFileSync(path, 'utf8')`).
 */

export interface CsvTable {
  header: string[];
  /** one object per record, keyed by header name; short records get '' for missing fields */
  rows: Array<Record<string, string>>;
}

export function parseCsvRecords(text: string): string[][] {
  const records: string[][] = [];
  let field = '';
  let record: string[] = [];
  let inQuotes = false;
  let i = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  let fieldStarted = false;
  const endField = () => {
    record.push(field);
    field = '';
    fieldStarted = false;
  };
  const endRecord = () => {
    endField();
    records.push(record);
    record = [];
  };
  for (; i < text.length; i++) {
    const ch = text[i]!;
    if (inQuotes) {
      if (ch === '"') {
        if (text[i + 1] === '"') {
          field += '"';
          i++;
        } else inQuotes = false;
      } else field += ch;
      continue;
    }
    if (ch === '"' && !fieldStarted) {
      inQuotes = true;
      fieldStarted = true;
    } else if (ch === ',') endField();
    else if (ch === '\n') endRecord();
    else if (ch === '\r') {
      if (text[i + 1] === '\n') i++;
      endRecord();
    } else {
      field += ch;
      fieldStarted = true;
    }
  }
  if (inQuotes) throw new SyntaxError('CSV ends inside a quoted field');
  if (fieldStarted || record.length > 0) endRecord();
  return records;
}

export function parseCsv(text: string): CsvTable {
  const records = parseCsvRecords(text);
  const header = records[0] ?? [];
  const rows = records.slice(1).filter((r) => !(r.length === 1 && r[0] === '')).map((r) => {
    const o: Record<string, string> = {};
    header.forEach((h, k) => (o[h] = r[k] ?? ''));
    return o;
  });
  return { header, rows };
}
