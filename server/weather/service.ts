/**
 * Weather service: the layered store (bundled daily file + imports), a station list cached until the
 * imports file changes, and the answers the routes give (nearest station with its distance, season to
 * date, reference or the reason there is none).
 */
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { GranaryError } from '../errors.js';
import { CsvWeatherStore, LayeredWeatherStore, SqliteWeatherStore, type Station, type WeatherStore } from './store.js';
import { DEFAULT_RULES, growingSeasonWindow, nearestStations, referenceFor, seasonOfDate, summariseSeason, GROWING_SEASON, type SeasonRules } from './season.js';

export const weatherDbPath = (dataDir: string) => join(dataDir, 'weather', 'weather.sqlite');

export class WeatherService {
  private readonly bundled: CsvWeatherStore;
  private imports: SqliteWeatherStore | null = null;
  private cache: { key: string; stations: Station[] } | null = null;

  constructor(private readonly dataDir: string, readonly rules: SeasonRules = DEFAULT_RULES) {
    this.bundled = new CsvWeatherStore(join(dataDir, 'weather'));
  }

  /** The store to read: bundled, plus the imports once `granary weather add` has created them. */
  store(): WeatherStore {
    const db = weatherDbPath(this.dataDir);
    if (!this.imports && existsSync(db)) this.imports = new SqliteWeatherStore(db, { readonly: true });
    return this.imports ? new LayeredWeatherStore([this.bundled, this.imports]) : this.bundled;
  }

  /** Reads the bundled daily files now (the server's warm-up), not on the first weather request. */
  preload(): void {
    this.bundled.load();
  }

  close(): void {
    this.imports?.close();
  }

  async stations(): Promise<Station[]> {
    const db = weatherDbPath(this.dataDir);
    const key = existsSync(db) ? String(statSync(db).mtimeMs) + ':' + String(existsSync(db + '-wal') ? statSync(db + '-wal').mtimeMs : 0) : 'none';
    if (this.cache?.key === key) return this.cache.stations;
    const stations = (await this.store().stations()).filter((s) => s.days > 0);
    this.cache = { key, stations };
    return stations;
  }

  async station(id: string): Promise<Station> {
    const s = (await this.stations()).find((x) => x.id === id);
    if (!s) throw new GranaryError('not-found', `unknown weather station "${id.slice(0, 20)}"; list them with GET /api/weather/stations`);
    return s;
  }

  /** Season to date at the station nearest a point that has data in the season's window. */
  async atPoint(lon: number, lat: number, opts: { season?: number; asOf?: string } = {}) {
    const stations = await this.stations();
    if (stations.length === 0) throw new GranaryError('not-found', 'no weather stations: import INMET files with granary weather add <files>');
    const latest = stations.map((s) => s.lastDay!).sort().at(-1)!;
    const asOf = opts.asOf ?? latest;
    const season = opts.season ?? seasonOfDate(asOf);
    const win = growingSeasonWindow(season);
    const to = asOf < win.to ? asOf : win.to;
    if (to < win.from) throw new GranaryError('bad-request', `asOf ${asOf} is before the ${season}-${season + 1} growing season (${win.from} on)`);
    const ranked = nearestStations(stations, lon, lat, stations.length);
    const withData = ranked.filter((s) => s.firstDay! <= to && s.lastDay! >= win.from);
    const notes: string[] = [];
    // the nearest station with rain in the window (a station may log temperature but no rain: Sinop A917 in 2025)
    let chosen: (typeof ranked)[number] | undefined;
    let all: Awaited<ReturnType<WeatherStore['daily']>> = [];
    let summary: ReturnType<typeof summariseSeason> | null = null;
    for (const cand of withData.slice(0, 5)) {
      const rows = await this.store().daily(cand.id, '0000-01-01', '9999-12-31');
      const s = summariseSeason(rows, win.from, to, this.rules);
      if (s.daysWithRainData === 0) {
        notes.push(`${cand.name} (${cand.id}, ${cand.distanceKm} km) has no rain record in this window: skipped`);
        continue;
      }
      chosen = cand;
      all = rows;
      summary = s;
      break;
    }
    if (!chosen || !summary) {
      return { season, window: { from: win.from, to }, station: null, nearest: ranked.slice(0, 3).map(pub), summary: null, reference: null, daily: [], notes: [...notes, `no station near here has rain data in the ${season}-${season + 1} growing season up to ${to}; stations hold ${stations.map((s) => s.firstDay).sort()[0]} to ${latest}`] };
    }
    if (ranked[0] && ranked[0].id !== chosen.id && !notes.some((n) => n.includes(ranked[0]!.id))) notes.push(`the nearest station, ${ranked[0].name} (${ranked[0].distanceKm} km), has no data in this window; using ${chosen.name} (${chosen.distanceKm} km)`);
    if (summary.missingRainDays > 0) notes.push(`${summary.missingRainDays} of ${summary.daysInWindow} days have no rain value at ${chosen.name} (station gaps: dry spells stop at a gap, totals cover the days with data)`);
    const reference = referenceFor(all, season, win.from, to, summary, this.rules);
    return { season, window: { from: win.from, to }, station: pub(chosen), nearest: ranked.slice(0, 3).map(pub), summary, reference, daily: all.filter((r) => r.date >= win.from && r.date <= to), notes };
  }

  describeRules() {
    return { ...this.rules, growingSeason: GROWING_SEASON.description };
  }
}

function pub(s: Station & { distanceKm: number }) {
  return { id: s.id, name: s.name, lat: s.lat, lon: s.lon, distanceKm: s.distanceKm, firstDay: s.firstDay, lastDay: s.lastDay, days: s.days };
}
