/**
 * Weather beside the crop, pure: nearest stations, and a season-to-date summary of daily rows (rain,
 * temperature, dry spells, hot days), with a reference mean only where enough other years exist.
 */
import type { DailyRow } from './daily.js';
import type { Station } from './store.js';

export interface SeasonRules {
  /** a day with less rain than this (mm) is dry; default 1 mm (the usual "rain day" threshold) */
  dryDayMm: number;
  /** dry spells of at least this many consecutive dry days are reported; default 10 */
  minDrySpellDays: number;
  /** a day with tmax at or above this is hot; default 35 °C (heat stress of soy at flowering) */
  hotDayC: number;
  /** years (other than this one) with the same window that a reference mean needs; default 3 */
  minReferenceYears: number;
}

export const DEFAULT_RULES: SeasonRules = { dryDayMm: 1, minDrySpellDays: 10, hotDayC: 35, minReferenceYears: 3 };

/** The growing season of Mato Grosso's rainfed crops: soy from September, the second crop until June. */
export const GROWING_SEASON = { startMonth: 9, startDay: 1, endMonth: 6, endDay: 30, description: '1 September to 30 June (soy sown with the first rains, the second crop harvested by June)' } as const;

export function growingSeasonWindow(season: number): { from: string; to: string } {
  const p = (n: number) => String(n).padStart(2, '0');
  return { from: `${season}-${p(GROWING_SEASON.startMonth)}-${p(GROWING_SEASON.startDay)}`, to: `${season + 1}-${p(GROWING_SEASON.endMonth)}-${p(GROWING_SEASON.endDay)}` };
}

export function seasonOfDate(date: string): number {
  return Number(date.slice(5, 7)) >= GROWING_SEASON.startMonth ? Number(date.slice(0, 4)) : Number(date.slice(0, 4)) - 1;
}

/** Great-circle distance on a sphere of radius 6371 km. */
export function haversineKm(lon1: number, lat1: number, lon2: number, lat2: number): number {
  const rad = Math.PI / 180;
  const a = Math.sin(((lat2 - lat1) * rad) / 2) ** 2 + Math.cos(lat1 * rad) * Math.cos(lat2 * rad) * Math.sin(((lon2 - lon1) * rad) / 2) ** 2;
  return 2 * 6371 * Math.asin(Math.min(1, Math.sqrt(a)));
}

export function nearestStations(stations: readonly Station[], lon: number, lat: number, n = 3): Array<Station & { distanceKm: number }> {
  return stations
    .map((s) => ({ ...s, distanceKm: Math.round(haversineKm(lon, lat, s.lon, s.lat) * 10) / 10 }))
    .sort((a, b) => a.distanceKm - b.distanceKm)
    .slice(0, n);
}

interface DrySpell {
  start: string;
  end: string;
  days: number;
  /** true when the spell reaches the last day of the window (it may go on) */
  ongoing: boolean;
}

interface SeasonSummary {
  from: string;
  to: string;
  daysInWindow: number;
  daysWithRainData: number;
  daysWithTempData: number;
  rainMm: number | null;
  rainDays: number;
  tmaxMeanC: number | null;
  tminMeanC: number | null;
  hotDays: number;
  hottestC: number | null;
  drySpells: DrySpell[];
  longestDrySpellDays: number;
  /** ISO dates of the window without a rain value (the station's gaps) */
  missingRainDays: number;
}

const DAY = 86_400_000;
const addDays = (d: string, n: number) => new Date(Date.parse(`${d}T00:00:00Z`) + n * DAY).toISOString().slice(0, 10);
const daysBetween = (a: string, b: string) => Math.round((Date.parse(`${b}T00:00:00Z`) - Date.parse(`${a}T00:00:00Z`)) / DAY) + 1;
const r1 = (x: number) => Math.round(x * 10) / 10;

/** Dry spells: runs of consecutive days with rain < dryDayMm; a day without a rain value ends a run (unknown is not dry). */
export function drySpells(rows: readonly DailyRow[], from: string, to: string, rules: SeasonRules = DEFAULT_RULES): DrySpell[] {
  const byDate = new Map(rows.map((r) => [r.date, r]));
  const out: DrySpell[] = [];
  let start: string | null = null;
  let len = 0;
  const n = daysBetween(from, to);
  for (let i = 0; i <= n; i++) {
    const d = addDays(from, i);
    const p = i < n ? byDate.get(d)?.precipMm ?? null : null;
    if (p !== null && p < rules.dryDayMm) {
      start ??= d;
      len++;
      continue;
    }
    if (start && len >= rules.minDrySpellDays) out.push({ start, end: addDays(start, len - 1), days: len, ongoing: i === n && addDays(start, len - 1) === to });
    start = null;
    len = 0;
  }
  return out;
}

export function summariseSeason(rows: readonly DailyRow[], from: string, to: string, rules: SeasonRules = DEFAULT_RULES): SeasonSummary {
  const w = rows.filter((r) => r.date >= from && r.date <= to);
  const rain = w.filter((r) => r.precipMm !== null).map((r) => r.precipMm!);
  const tmax = w.filter((r) => r.tmaxC !== null).map((r) => r.tmaxC!);
  const tmin = w.filter((r) => r.tminC !== null).map((r) => r.tminC!);
  const spells = drySpells(w, from, to, rules);
  const mean = (v: number[]) => (v.length ? r1(v.reduce((a, b) => a + b, 0) / v.length) : null);
  return {
    from,
    to,
    daysInWindow: daysBetween(from, to),
    daysWithRainData: rain.length,
    daysWithTempData: tmax.length,
    rainMm: rain.length ? r1(rain.reduce((a, b) => a + b, 0)) : null,
    rainDays: rain.filter((x) => x >= rules.dryDayMm).length,
    tmaxMeanC: mean(tmax),
    tminMeanC: mean(tmin),
    hotDays: tmax.filter((x) => x >= rules.hotDayC).length,
    hottestC: tmax.length ? Math.max(...tmax) : null,
    drySpells: spells,
    longestDrySpellDays: spells.reduce((m, s) => Math.max(m, s.days), 0),
    missingRainDays: daysBetween(from, to) - rain.length,
  };
}

interface Reference {
  available: boolean;
  years: number[];
  note: string;
  rainMm?: number;
  rainAnomalyMm?: number;
  rainAnomalyPct?: number;
}

/**
 * Reference (mean of the same window in other seasons) for the season-to-date rain: only with at least
 * `minReferenceYears` other seasons whose window has rain data on >= 90 % of its days. Otherwise says so.
 */
export function referenceFor(rows: readonly DailyRow[], season: number, from: string, to: string, current: SeasonSummary, rules: SeasonRules = DEFAULT_RULES): Reference {
  const years = [...new Set(rows.map((r) => seasonOfDate(r.date)))].filter((y) => y !== season).sort();
  const shift = (d: string, dy: number) => `${Number(d.slice(0, 4)) + dy}${d.slice(4)}`;
  const usable: Array<{ season: number; rain: number }> = [];
  for (const y of years) {
    const s = summariseSeason(rows, shift(from, y - season), shift(to, y - season), rules);
    if (s.rainMm !== null && s.daysWithRainData >= 0.9 * s.daysInWindow) usable.push({ season: y, rain: s.rainMm });
  }
  if (usable.length < rules.minReferenceYears) {
    return {
      available: false,
      years: usable.map((u) => u.season),
      note: `no reference: the store has ${usable.length} other season(s) with this window complete at this station, and a reference mean needs ${rules.minReferenceYears}; import more years (granary weather add) for anomalies. This is not a climate normal either way (WMO normals use 30 years).`,
    };
  }
  const ref = r1(usable.reduce((a, u) => a + u.rain, 0) / usable.length);
  const anomaly = current.rainMm === null ? undefined : r1(current.rainMm - ref);
  return {
    available: true,
    years: usable.map((u) => u.season),
    note: `mean of ${usable.length} other seasons' same window (not a 30-year WMO normal)`,
    rainMm: ref,
    ...(anomaly !== undefined ? { rainAnomalyMm: anomaly, rainAnomalyPct: ref > 0 ? r1((100 * anomaly) / ref) : 0 } : {}),
  };
}
