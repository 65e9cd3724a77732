/**
 * A small CSV reader (RFC 4180 subset: comma separator, optional double-quoted fields with "" escapes,
 * LF or CRLF line ends). Hand-written because the training CSVs are simple and adding a parser
 * dependency for them is not worth it; quotes are handled anyway so a user's CSV exported from a
 * spreadsheet still reads.
 */
interface CsvTable {
  header: string[];
  rows: string[][];
}

export function parseCsv(text: string): CsvTable {
  const records: string[][] = [];
  let field = '';
  let record: string[] = [];
  let inQuotes = false;
  let i = 0;
  // Strip a UTF-8 byte-order mark, which spreadsheet exports often add.
  if (text.charCodeAt(0) === 0xfeff) i = 1;
  for (; i < text.length; i++) {
    const ch = text[i];
    if (inQuotes) {
      if (ch === '"') {
        if (text[i + 1] === '"') {
          field += '"';
          i++;
        } else {
          inQuotes = false;
        }
      } else {
        field += ch;
      }
    } else if (ch === '"') {
      inQuotes = true;
    } else if (ch === ',') {
      record.push(field);
      field = '';
    } else if (ch === '\n' || ch === '\r') {
      if (ch === '\r' && text[i + 1] === '\n') i++;
      record.push(field);
      field = '';
      if (!(record.length === 1 && record[0] === '')) records.push(record);
      record = [];
    } else {
      field += ch;
    }
  }
  if (inQuotes) throw new Error('CSV: unterminated quoted field at end of input');
  if (field !== '' || record.length > 0) {
    record.push(field);
    records.push(record);
  }
  const header = records.shift();
  if (!header) throw new Error('CSV: empty input (no header row)');
  const width = header.length;
  records.forEach((r, k) => {
    if (r.length !== width) {
      throw new Error(`CSV: row ${k + 2} has ${r.length} fields, header has ${width}`);
    }
  });
  return { header: header.map((h) => h.trim()), rows: records };
}

/** Index of a required column, with an error naming it and the columns that are there. */
export function columnIndex(table: CsvTable, name: string): number {
  const idx = table.header.indexOf(name);
  if (idx < 0) {
    throw new Error(`CSV: missing column "${name}" (columns: ${table.header.join(', ')})`);
  }
  return idx;
}
