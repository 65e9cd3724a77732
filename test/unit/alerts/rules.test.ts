import { describe, expect, it } from 'vitest';
import { drySpellAlerts, cropConditionAlerts, pestClusterAlerts, type RegionSeasonSeries } from '../../../server/alerts/rules.js';
import type { DailyRow } from '../../../server/weather/daily.js';
import type { Station } from '../../../server/weather/store.js';

const dates = (from: string, n: number) => Array.from({ length: n }, (_, i) => new Date(Date.parse(`${from}T00:00:00Z`) + i * 86_400_000).toISOString().slice(0, 10));
const day = (date: string, precipMm: number | null): DailyRow => ({ date, precipMm, tminC: 20, tmaxC: 30, tmeanC: 25, rhMeanPct: 70, radMjM2: 20, windMeanMs: 1, nHoursPrecip: 24, nHoursTemp: 24 });
const station = (id: string, lon: number, lat: number): Station => ({ id, name: id, uf: 'MT', lat, lon, altitudeM: null, founded: null, firstDay: '2025-09-01', lastDay: '2025-11-29', days: 90, years: [2025], source: 't' });
const REGION = { id: '5107909', name: 'Sinop', lon: -55.5, lat: -11.9 };

describe('dry-spell rule', () => {
  const d = dates('2025-09-01', 90);
  it('fires for a 15-day dry spell at a serving station, with a stable id', () => {
    const daily = new Map([['A1', d.map((x, i) => day(x, i >= 30 && i < 45 ? 0 : 6))]]);
    const input = { regions: [REGION], stations: [station('A1', -55.6, -12.0)], daily, seasons: [2025], asOf: '2025-11-29' };
    const a = drySpellAlerts(input);
    expect(a).toHaveLength(1);
    expect(a[0]).toMatchObject({ kind: 'dry-spell', severity: 'watch', regionId: '5107909', start: '2025-10-01', end: '2025-10-15' });
    expect(a[0]!.evidence.days).toBe(15);
    expect(drySpellAlerts(input)[0]!.id).toBe(a[0]!.id);
  });
  it('stays quiet in a wet season, outside the growing season, and for stations too far away', () => {
    const wet = new Map([['A1', d.map((x) => day(x, 6))]]);
    expect(drySpellAlerts({ regions: [REGION], stations: [station('A1', -55.6, -12.0)], daily: wet, seasons: [2025], asOf: '2025-11-29' })).toEqual([]);
    const dryJuly = new Map([['A1', dates('2025-07-01', 60).map((x) => day(x, 0))]]);
    expect(drySpellAlerts({ regions: [REGION], stations: [station('A1', -55.6, -12.0)], daily: dryJuly, seasons: [2024], asOf: '2025-08-29' })).toEqual([]);
    const dry = new Map([['A1', d.map((x) => day(x, 0))]]);
    expect(drySpellAlerts({ regions: [REGION], stations: [station('A1', -50, -12.0)], daily: dry, seasons: [2025], asOf: '2025-11-29' })).toEqual([]);
  });
  it('marks a long ongoing spell as poor', () => {
    const daily = new Map([['A1', d.map((x, i) => day(x, i < 60 ? 5 : 0))]]);
    const a = drySpellAlerts({ regions: [REGION], stations: [station('A1', -55.6, -12.0)], daily, seasons: [2025], asOf: '2025-11-29' });
    expect(a[0]).toMatchObject({ severity: 'poor', end: '2025-11-29' });
    expect(a[0]!.evidence.ongoing).toBe(true);
  });
});

describe('crop-condition rule', () => {
  const comps16 = (y: number) => Array.from({ length: 23 }, (_, k) => new Date(Date.UTC(y, 8, 14) + k * 16 * 86_400_000).toISOString().slice(0, 10));
  const curve = (k: number) => 0.3 + 0.5 * Math.exp(-(((k - 8) / 3) ** 2));
  const season = (y: number, f: (k: number) => number): RegionSeasonSeries => ({ regionId: '5104526', regionName: 'Ipiranga do Norte', season: y, dates: comps16(y), mean: comps16(y).map((_, k) => Math.round(f(k) * 1e4) / 1e4) });
  const jitter = (y: number) => (k: number) => curve(k) + 0.01 * Math.sin(k + y);
  it('fires when a season falls well below the other seasons for two composites', () => {
    const seasons = [2007, 2008, 2009, 2010].map((y) => season(y, jitter(y)));
    seasons.push(season(2011, (k) => curve(k) - (k >= 7 && k <= 9 ? 0.2 : 0)));
    const r = cropConditionAlerts(seasons);
    expect(r.withoutNormal).toEqual([]);
    expect(r.alerts).toHaveLength(1);
    expect(r.alerts[0]).toMatchObject({ kind: 'crop-condition-drop', regionId: '5104526', start: '2012-01-04', end: '2012-02-05' });
    expect(r.alerts[0]!.evidence.composites).toBe(3);
  });
  it('stays quiet when the seasons agree, and says there is no normal with too few seasons', () => {
    expect(cropConditionAlerts([2007, 2008, 2009, 2010, 2011].map((y) => season(y, jitter(y)))).alerts).toEqual([]);
    // a single low composite is not a run
    const one = [2007, 2008, 2009, 2010].map((y) => season(y, jitter(y)));
    one.push(season(2011, (k) => curve(k) - (k === 8 ? 0.3 : 0)));
    expect(cropConditionAlerts(one).alerts).toEqual([]);
    const few = cropConditionAlerts([season(2013, curve), season(2014, (k) => curve(k) - 0.3)]);
    expect(few.alerts).toEqual([]);
    expect(few.withoutNormal[0]).toMatchObject({ regionId: '5104526', seasons: 2 });
  });
});

describe('pest/disease cluster rule', () => {
  type Category = 'pest' | 'disease' | 'weather_damage' | 'crop_condition' | 'other' | null;
  const at = (id: number, km: number, date: string, category: Category, note: string | null = null) => ({ id, lon: -55.5 + km / 108, lat: -11.9, date, category, note });
  const regionAt = () => ({ id: '5107909', name: 'Sinop' });
  it('fires for three pest or disease reports within 10 km and 14 days of each other', () => {
    const a = pestClusterAlerts([at(1, 0, '2025-11-01', 'pest'), at(2, 4, '2025-11-05', 'pest'), at(3, 8, '2025-11-12', 'disease'), at(4, 2, '2025-11-03', 'crop_condition')], regionAt);
    expect(a).toHaveLength(1);
    expect(a[0]).toMatchObject({ kind: 'pest-disease-cluster', regionId: '5107909', start: '2025-11-01', end: '2025-11-12' });
    expect(a[0]!.evidence.reportIds).toEqual([1, 2, 3]);
    expect(a[0]!.evidence.categories).toEqual(['pest', 'pest', 'disease']);
  });
  it('stays quiet when reports are far apart in space or time, or are not of a pest or disease', () => {
    expect(pestClusterAlerts([at(1, 0, '2025-11-01', 'pest'), at(2, 30, '2025-11-02', 'pest'), at(3, 60, '2025-11-03', 'pest')], regionAt)).toEqual([]);
    expect(pestClusterAlerts([at(1, 0, '2025-09-01', 'pest'), at(2, 1, '2025-10-01', 'pest'), at(3, 2, '2025-11-01', 'pest')], regionAt)).toEqual([]);
    expect(pestClusterAlerts([at(1, 0, '2025-11-01', 'weather_damage'), at(2, 1, '2025-11-01', 'crop_condition'), at(3, 2, '2025-11-01', 'other')], regionAt)).toEqual([]);
  });
  it('reads the category, not the note: a note naming a pest does not make a report a threat, nor does its absence clear one', () => {
    // the old word list took these notes for threats ("sem praga" = no pest; "trust" contains "rust")
    expect(pestClusterAlerts([at(1, 0, '2025-11-01', null, 'sem praga, lavoura limpa'), at(2, 1, '2025-11-02', 'crop_condition', 'trust the stand, no rust'), at(3, 2, '2025-11-03', null, 'lagarta na soja')], regionAt)).toEqual([]);
    expect(pestClusterAlerts([at(1, 0, '2025-11-01', 'pest'), at(2, 1, '2025-11-02', 'disease', 'manchas nas folhas'), at(3, 2, '2025-11-03', 'pest', '')], regionAt)).toHaveLength(1);
  });
});
