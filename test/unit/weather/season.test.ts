import { describe, expect, it } from 'vitest';
import { drySpells, summariseSeason, referenceFor, haversineKm, nearestStations, DEFAULT_RULES } from '../../../server/weather/season.js';
import type { DailyRow } from '../../../server/weather/daily.js';
import type { Station } from '../../../server/weather/store.js';

const day = (date: string, precipMm: number | null, tmaxC: number | null = 30): DailyRow => ({ date, precipMm, tminC: 20, tmaxC, tmeanC: 25, rhMeanPct: 70, radMjM2: 20, windMeanMs: 1, nHoursPrecip: 24, nHoursTemp: 24 });
const dates = (from: string, n: number) => Array.from({ length: n }, (_, i) => new Date(Date.parse(`${from}T00:00:00Z`) + i * 86_400_000).toISOString().slice(0, 10));

describe('dry spells and hot days', () => {
  it('finds a 12-day dry spell between rains, and none in a wet month', () => {
    const d = dates('2025-10-01', 30);
    const rows = d.map((x, i) => day(x, i >= 5 && i < 17 ? 0.2 : 8));
    expect(drySpells(rows, d[0]!, d[29]!)).toEqual([{ start: '2025-10-06', end: '2025-10-17', days: 12, ongoing: false }]);
    expect(drySpells(d.map((x) => day(x, 5)), d[0]!, d[29]!)).toEqual([]);
  });

  it('does not count unknown days as dry: a gap splits a spell', () => {
    const d = dates('2025-10-01', 20);
    const rows = d.filter((_, i) => i !== 8).map((x) => day(x, 0));
    const s = drySpells(rows, d[0]!, d[19]!);
    expect(s).toEqual([{ start: '2025-10-10', end: '2025-10-20', days: 11, ongoing: true }]);
  });

  it('summarises rain, hot days and missing days', () => {
    const d = dates('2025-09-01', 10);
    const rows = d.map((x, i) => day(x, i === 3 ? null : i, i < 2 ? 36 : 30));
    const s = summariseSeason(rows, d[0]!, d[9]!);
    expect(s).toMatchObject({ daysInWindow: 10, daysWithRainData: 9, rainMm: 42, rainDays: 8, hotDays: 2, hottestC: 36, missingRainDays: 1 });
  });
});

describe('reference (anomaly) only where enough other seasons exist', () => {
  const season = (y: number, mm: number) => dates(`${y}-09-01`, 30).map((x) => day(x, mm));
  it('says there is none with one year of data', () => {
    const rows = season(2025, 2);
    const cur = summariseSeason(rows, '2025-09-01', '2025-09-30');
    const r = referenceFor(rows, 2025, '2025-09-01', '2025-09-30', cur);
    expect(r.available).toBe(false);
    expect(r.note).toMatch(/needs 3/);
    expect(r).not.toHaveProperty('rainMm');
  });
  it('gives the mean of the other seasons and the anomaly with three more', () => {
    const rows = [...season(2022, 1), ...season(2023, 2), ...season(2024, 3), ...season(2025, 4)];
    const cur = summariseSeason(rows, '2025-09-01', '2025-09-30');
    const r = referenceFor(rows, 2025, '2025-09-01', '2025-09-30', cur);
    expect(r).toMatchObject({ available: true, years: [2022, 2023, 2024], rainMm: 60, rainAnomalyMm: 60, rainAnomalyPct: 100 });
  });
});

describe('nearest station', () => {
  it('measures great-circle distance (Sinop A917 to Sorriso A904 ~ 65 km, as the data README says)', () => {
    expect(haversineKm(-55.56611111, -11.98222221, -55.72277777, -12.555)).toBeGreaterThan(63);
    expect(haversineKm(-55.56611111, -11.98222221, -55.72277777, -12.555)).toBeLessThan(66);
    const st = (id: string, lon: number, lat: number): Station => ({ id, name: id, uf: 'MT', lat, lon, altitudeM: null, founded: null, firstDay: '2025-01-01', lastDay: '2025-12-31', days: 365, years: [2025], source: 't' });
    const n = nearestStations([st('far', -50, -10), st('near', -55.6, -12.1)], -55.6, -12.0, 1);
    expect(n.map((s) => s.id)).toEqual(['near']);
    expect(n[0]!.distanceKm).toBeCloseTo(11.1, 1);
    expect(DEFAULT_RULES.minDrySpellDays).toBe(10);
  });
});
