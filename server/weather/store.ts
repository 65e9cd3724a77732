/**
 * Where daily weather lives, behind one small interface (so a PostgreSQL store can be added):
 *   - the bundled daily file(s) `<dataDir>/weather/*_daily.csv` (the shared INMET 2025 daily format:
 *     station_id,name,lat,lon,date,precip_mm,...), read-only, held in memory (10 k rows);
 *   - the imports of `granary weather add` in SQLite `<dataDir>/weather/weather.sqlite` (WAL, one
 *     transaction per file: an interrupted import leaves the previous state);
 * and a layered store that reads both, an imported day replacing a bundled one.
 */
import Database from 'better-sqlite3';
import { existsSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { parseCsv } from '../regions/csv-parse.js';
import type { DailyRow } from './daily.js';
import type { StationMeta } from './inmet.js';

export interface Station extends StationMeta {
  firstDay: string | null;
  lastDay: string | null;
  days: number;
  /** distinct calendar years with data */
  years: number[];
  source: string;
}

export interface WeatherStore {
  stations(): Promise<Station[]>;
  /** daily rows of a station between two ISO dates (inclusive), ascending */
  daily(stationId: string, from: string, to: string): Promise<DailyRow[]>;
}

export interface WritableWeatherStore extends WeatherStore {
  importDaily(station: StationMeta, rows: readonly DailyRow[], source: { file: string; sha256: string; problems: number }): Promise<{ inserted: number; replaced: number }>;
}

function summarise(meta: StationMeta, dates: readonly string[], source: string): Station {
  const sorted = [...dates].sort();
  return { ...meta, firstDay: sorted[0] ?? null, lastDay: sorted[sorted.length - 1] ?? null, days: sorted.length, years: [...new Set(sorted.map((d) => Number(d.slice(0, 4))))], source };
}

const num = (s: string | undefined) => (s === undefined || s === '' ? null : Number(s));

/**
 * The bundled daily CSV files (shared/data weather format), read once, on first use (the server's
 * warm-up reads them after listen, so start-up does not parse 10 k rows: README, performance).
 */
export class CsvWeatherStore implements WeatherStore {
  private loaded: { meta: Map<string, StationMeta>; rows: Map<string, DailyRow[]>; files: string[] } | null = null;

  constructor(private readonly dir: string) {}

  /** Reads the files if not read yet. */
  load(): { meta: Map<string, StationMeta>; rows: Map<string, DailyRow[]>; files: string[] } {
    if (this.loaded) return this.loaded;
    const meta = new Map<string, StationMeta>();
    const rows = new Map<string, DailyRow[]>();
    const files: string[] = [];
    if (existsSync(this.dir)) {
      for (const f of readdirSync(this.dir).filter((x) => x.endsWith('_daily.csv')).sort()) {
        files.push(f);
        const t = parseCsv(readFileSync(join(this.dir, f), 'utf8'));
        for (const r of t.rows) {
          const id = r.station_id!;
          if (!meta.has(id)) meta.set(id, { id, name: r.name ?? id, uf: null, lat: Number(r.lat), lon: Number(r.lon), altitudeM: null, founded: null });
          const list = rows.get(id) ?? [];
          list.push({ date: r.date!, precipMm: num(r.precip_mm), tminC: num(r.tmin_c), tmaxC: num(r.tmax_c), tmeanC: num(r.tmean_c), rhMeanPct: num(r.rh_mean_pct), radMjM2: num(r.rad_mj_m2), windMeanMs: num(r.wind_mean_ms), nHoursPrecip: Number(r.n_hours_precip ?? 0), nHoursTemp: Number(r.n_hours_temp ?? 0) });
          rows.set(id, list);
        }
      }
      for (const l of rows.values()) l.sort((a, b) => a.date.localeCompare(b.date));
    }
    this.loaded = { meta, rows, files };
    return this.loaded;
  }

  async stations(): Promise<Station[]> {
    const { meta, rows, files } = this.load();
    return [...meta.values()].map((m) => summarise(m, rows.get(m.id)!.map((r) => r.date), `bundled ${files.join(', ')}`));
  }

  async daily(stationId: string, from: string, to: string): Promise<DailyRow[]> {
    return (this.load().rows.get(stationId) ?? []).filter((r) => r.date >= from && r.date <= to);
  }
}

const MIGRATION = `
CREATE TABLE IF NOT EXISTS stations (id TEXT PRIMARY KEY, name TEXT NOT NULL, uf TEXT, lat REAL NOT NULL, lon REAL NOT NULL, altitude_m REAL, founded TEXT);
CREATE TABLE IF NOT EXISTS daily (
  station_id TEXT NOT NULL REFERENCES stations(id), date TEXT NOT NULL,
  precip_mm REAL, tmin_c REAL, tmax_c REAL, tmean_c REAL, rh_mean_pct REAL, rad_mj_m2 REAL, wind_mean_ms REAL,
  n_hours_precip INTEGER NOT NULL, n_hours_temp INTEGER NOT NULL, import_id INTEGER NOT NULL,
  PRIMARY KEY (station_id, date));
CREATE TABLE IF NOT EXISTS imports (id INTEGER PRIMARY KEY, file TEXT NOT NULL, sha256 TEXT NOT NULL, station_id TEXT NOT NULL, rows INTEGER NOT NULL, problems INTEGER NOT NULL, imported_at TEXT NOT NULL);
`;

/** The imports, in SQLite. Opened read-only by the server when the file exists; created by the CLI. */
export class SqliteWeatherStore implements WritableWeatherStore {
  private readonly db: Database.Database;

  constructor(readonly path: string, opts: { readonly?: boolean } = {}) {
    if (!opts.readonly) mkdirSync(dirname(path), { recursive: true });
    this.db = new Database(path, { readonly: opts.readonly ?? false, fileMustExist: opts.readonly ?? false });
    this.db.pragma('busy_timeout = 5000');
    if (!opts.readonly) {
      this.db.pragma('journal_mode = WAL');
      this.db.pragma('synchronous = FULL');
      this.db.exec(MIGRATION);
    }
  }

  close(): void {
    this.db.close();
  }

  async stations(): Promise<Station[]> {
    const rows = this.db.prepare(`SELECT s.*, (SELECT group_concat(date) FROM daily d WHERE d.station_id = s.id) AS dates FROM stations s ORDER BY s.id`).all() as Array<{ id: string; name: string; uf: string | null; lat: number; lon: number; altitude_m: number | null; founded: string | null; dates: string | null }>;
    return rows.map((r) => summarise({ id: r.id, name: r.name, uf: r.uf, lat: r.lat, lon: r.lon, altitudeM: r.altitude_m, founded: r.founded }, r.dates ? r.dates.split(',') : [], 'imported (granary weather add)'));
  }

  async daily(stationId: string, from: string, to: string): Promise<DailyRow[]> {
    const rows = this.db.prepare(`SELECT * FROM daily WHERE station_id = ? AND date BETWEEN ? AND ? ORDER BY date`).all(stationId, from, to) as Array<Record<string, number | string | null>>;
    return rows.map((r) => ({ date: r.date as string, precipMm: r.precip_mm as number | null, tminC: r.tmin_c as number | null, tmaxC: r.tmax_c as number | null, tmeanC: r.tmean_c as number | null, rhMeanPct: r.rh_mean_pct as number | null, radMjM2: r.rad_mj_m2 as number | null, windMeanMs: r.wind_mean_ms as number | null, nHoursPrecip: r.n_hours_precip as number, nHoursTemp: r.n_hours_temp as number }));
  }

  async importDaily(station: StationMeta, rows: readonly DailyRow[], source: { file: string; sha256: string; problems: number }): Promise<{ inserted: number; replaced: number }> {
    const exists = this.db.prepare('SELECT 1 FROM daily WHERE station_id = ? AND date = ?');
    const upStation = this.db.prepare(`INSERT INTO stations (id, name, uf, lat, lon, altitude_m, founded) VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT(id) DO UPDATE SET name = excluded.name, uf = excluded.uf, lat = excluded.lat, lon = excluded.lon, altitude_m = excluded.altitude_m, founded = excluded.founded`);
    const imp = this.db.prepare('INSERT INTO imports (file, sha256, station_id, rows, problems, imported_at) VALUES (?, ?, ?, ?, ?, ?)');
    const up = this.db.prepare(`INSERT OR REPLACE INTO daily VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`);
    return this.db.transaction(() => {
      upStation.run(station.id, station.name, station.uf, station.lat, station.lon, station.altitudeM, station.founded);
      const importId = Number(imp.run(source.file, source.sha256, station.id, rows.length, source.problems, new Date().toISOString()).lastInsertRowid);
      let replaced = 0;
      for (const r of rows) {
        if (exists.get(station.id, r.date)) replaced++;
        up.run(station.id, r.date, r.precipMm, r.tminC, r.tmaxC, r.tmeanC, r.rhMeanPct, r.radMjM2, r.windMeanMs, r.nHoursPrecip, r.nHoursTemp, importId);
      }
      return { inserted: rows.length - replaced, replaced };
    })();
  }
}

/** Reads every layer; for one station and day, the later layer wins (imports over the bundled file). */
export class LayeredWeatherStore implements WeatherStore {
  constructor(private readonly layers: readonly WeatherStore[]) {}

  async stations(): Promise<Station[]> {
    const all = (await Promise.all(this.layers.map((l) => l.stations()))).flat();
    const ids = [...new Set(all.map((s) => s.id))].sort();
    const out: Station[] = [];
    for (const id of ids) {
      const mine = all.filter((s) => s.id === id);
      const dates = new Set<string>();
      for (const l of this.layers) for (const r of await l.daily(id, '0000-01-01', '9999-12-31')) dates.add(r.date);
      out.push(summarise(mine[mine.length - 1]!, [...dates], mine.map((s) => s.source).join(' + ')));
    }
    return out;
  }

  async daily(stationId: string, from: string, to: string): Promise<DailyRow[]> {
    const byDate = new Map<string, DailyRow>();
    for (const l of this.layers) for (const r of await l.daily(stationId, from, to)) byDate.set(r.date, r);
    return [...byDate.values()].sort((a, b) => a.date.localeCompare(b.date));
  }
}
