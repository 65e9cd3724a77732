/**
 * Parser of INMET's automatic-station archive files ("Dados Históricos", one CSV per station and year):
 * Latin-1, `;` separated, decimal comma, 8 lines of station metadata ("ESTACAO:;SORRISO"), a header
 * row, then one row per UTC hour; -9999 or an empty field is a missing value. Both date styles INMET
 * has used are read (2019 on: `2025/01/01;0000 UTC`; before: `2018-01-01;00:00`). Pure.
 *
 * Bad rows are reported (line number and reason) and skipped, never repaired or guessed. A file whose
 * metadata or header cannot be read is refused as a whole.
 */

export interface StationMeta {
  id: string;
  name: string;
  uf: string | null;
  lat: number;
  lon: number;
  altitudeM: number | null;
  founded: string | null;
}

export interface HourlyRow {
  /** UTC, ISO yyyy-mm-dd */
  date: string;
  hour: number;
  precipMm: number | null;
  radiationKjM2: number | null;
  tempC: number | null;
  tmaxC: number | null;
  tminC: number | null;
  rhPct: number | null;
  windMs: number | null;
}

export interface RowProblem {
  line: number;
  reason: string;
}

interface ParsedInmetFile {
  station: StationMeta;
  rows: HourlyRow[];
  problems: RowProblem[];
}

export class InmetFormatError extends Error {}

/** Columns read, by the start of INMET's (accent-stripped, upper-case) column names. */
const COLUMNS: Array<[keyof Omit<HourlyRow, 'date' | 'hour'>, string]> = [
  ['precipMm', 'PRECIPITACAO TOTAL'],
  ['radiationKjM2', 'RADIACAO GLOBAL'],
  ['tempC', 'TEMPERATURA DO AR - BULBO SECO'],
  ['tmaxC', 'TEMPERATURA MAXIMA NA HORA'],
  ['tminC', 'TEMPERATURA MINIMA NA HORA'],
  ['rhPct', 'UMIDADE RELATIVA DO AR'],
  ['windMs', 'VENTO, VELOCIDADE HORARIA'],
];

/** Plausible physical ranges; a value outside is a bad row (reported), not clipped. */
const RANGES: Record<keyof Omit<HourlyRow, 'date' | 'hour'>, [number, number]> = {
  precipMm: [0, 250],
  radiationKjM2: [-100, 6000],
  tempC: [-20, 55],
  tmaxC: [-20, 55],
  tminC: [-20, 55],
  rhPct: [0, 100],
  windMs: [0, 75],
};

const fold = (s: string) => s.normalize('NFD').replace(/[\u0300-\u036f]/g, '').toUpperCase().trim();

/** INMET number: decimal comma, optional leading comma (",6"); "" or -9999 = missing; anything else is an error. */
export function inmetNumber(raw: string): number | null | 'bad' {
  const s = raw.trim();
  if (s === '' || s === '-9999' || s === '-9999,0') return null;
  if (!/^-?\d*(,\d+)?$/.test(s) || s === '-' ) return 'bad';
  const n = Number(s.replace(',', '.'));
  return Number.isFinite(n) ? n : 'bad';
}

function parseDate(d: string): string | null {
  const m = /^(\d{4})[/-](\d{2})[/-](\d{2})$/.exec(d.trim());
  if (!m) return null;
  const iso = `${m[1]}-${m[2]}-${m[3]}`;
  const t = Date.parse(`${iso}T00:00:00Z`);
  return Number.isFinite(t) && new Date(t).toISOString().slice(0, 10) === iso ? iso : null;
}

function parseHour(h: string): number | null {
  const m = /^(\d{2}):?(\d{2})( UTC)?$/.exec(h.trim());
  if (!m || m[2] !== '00') return null;
  const n = Number(m[1]);
  return n >= 0 && n <= 23 ? n : null;
}

export function parseInmetFile(bytes: Uint8Array, fileName = 'file'): ParsedInmetFile {
  const text = new TextDecoder('latin1').decode(bytes);
  const lines = text.split(/\r?\n/);
  const meta = new Map<string, string>();
  let headerAt = -1;
  for (let i = 0; i < Math.min(lines.length, 20); i++) {
    const l = lines[i]!;
    if (/^(DATA|Data)( \(YYYY-MM-DD\))?;HORA/i.test(l)) {
      headerAt = i;
      break;
    }
    const m = /^([^;:]+):?;(.*)$/.exec(l);
    if (m) meta.set(fold(m[1]!), m[2]!.replace(/;+$/, '').trim());
  }
  if (headerAt < 0) throw new InmetFormatError(`${fileName}: no INMET header row (a line starting "Data;Hora UTC") in the first 20 lines: not an INMET archive file`);
  const id = meta.get('CODIGO (WMO)') ?? '';
  const lat = inmetNumber(meta.get('LATITUDE') ?? '');
  const lon = inmetNumber(meta.get('LONGITUDE') ?? '');
  if (!/^[A-Z]\d{3}$/.test(id)) throw new InmetFormatError(`${fileName}: station code "CODIGO (WMO):" missing or not like A904 (got "${id.slice(0, 20)}")`);
  if (typeof lat !== 'number' || typeof lon !== 'number' || Math.abs(lat) > 90 || Math.abs(lon) > 180) throw new InmetFormatError(`${fileName}: station LATITUDE/LONGITUDE missing or invalid`);
  const alt = inmetNumber(meta.get('ALTITUDE') ?? '');
  const station: StationMeta = { id, name: meta.get('ESTACAO') ?? id, uf: meta.get('UF') ?? null, lat, lon, altitudeM: typeof alt === 'number' ? alt : null, founded: meta.get('DATA DE FUNDACAO') ?? null };

  const header = lines[headerAt]!.split(';').map(fold);
  const idx = COLUMNS.map(([key, prefix]) => [key, header.findIndex((h) => h.startsWith(prefix))] as const);
  const missingCols = idx.filter(([, i]) => i < 0).map(([k]) => k);
  if (missingCols.length) throw new InmetFormatError(`${fileName}: header lacks the column(s) ${missingCols.join(', ')}`);
  const width = header.length;
  const rows: HourlyRow[] = [];
  const problems: RowProblem[] = [];
  const seen = new Set<string>();
  for (let i = headerAt + 1; i < lines.length; i++) {
    const l = lines[i]!;
    if (l.trim() === '') continue;
    const line = i + 1;
    const f = l.split(';');
    if (f.length !== width) {
      problems.push({ line, reason: `${f.length} fields, the header has ${width}` });
      continue;
    }
    const date = parseDate(f[0]!);
    const hour = parseHour(f[1]!);
    if (!date || hour === null) {
      problems.push({ line, reason: `unreadable date/hour "${f[0]!.slice(0, 12)};${f[1]!.slice(0, 10)}"` });
      continue;
    }
    const key = `${date}T${hour}`;
    if (seen.has(key)) {
      problems.push({ line, reason: `duplicate hour ${date} ${String(hour).padStart(2, '0')}:00 UTC (first kept)` });
      continue;
    }
    const row: HourlyRow = { date, hour, precipMm: null, radiationKjM2: null, tempC: null, tmaxC: null, tminC: null, rhPct: null, windMs: null };
    let bad: string | null = null;
    for (const [key2, col] of idx) {
      const v = inmetNumber(f[col]!);
      if (v === 'bad') bad = `${key2} "${f[col]!.slice(0, 12)}" is not a number`;
      else if (v !== null && (v < RANGES[key2][0] || v > RANGES[key2][1])) bad = `${key2} ${v} outside ${RANGES[key2][0]}..${RANGES[key2][1]}`;
      else row[key2] = v;
      if (bad) break;
    }
    if (bad) {
      problems.push({ line, reason: bad });
      continue;
    }
    seen.add(key);
    rows.push(row);
  }
  return { station, rows, problems };
}
