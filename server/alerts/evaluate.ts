/**
 * The CPU part of an alert evaluation, as one worker task (`alert-rules`, bulk lane): dry spells at the
 * stations serving each municipality, crop-condition drops against the other seasons, pest/disease
 * report clusters. The main process only gathers the data (store reads) and places clusters in their
 * municipality. Rain crosses the process boundary as one Float64Array per station (NaN = no record),
 * so the message stays small (30 stations x 365 days = 11k numbers) and cheap to copy.
 */
import type { DailyRow } from '../weather/daily.js';
import type { Station } from '../weather/store.js';
import { cropConditionAlerts, drySpellAlerts, pestClusters, type Alert, type ConditionResult, type PestCluster, type RegionSeasonSeries, type ReportPoint } from './rules.js';

export interface StationRain {
  dates: string[];
  precipMm: Float64Array;
}

export interface AlertRulesInput {
  regions: Array<{ id: string; name: string; lon: number; lat: number }>;
  stations: Station[];
  rain: Record<string, StationRain>;
  seasons: number[];
  asOf: string;
  series: RegionSeasonSeries[];
  reports: ReportPoint[];
}

export interface AlertRulesOutput {
  dry: Alert[];
  condition: ConditionResult;
  clusters: PestCluster[];
}

/** Daily rows as the rules read them (rain only: the dry-spell rule reads nothing else). */
export function rainOf(rows: readonly DailyRow[]): StationRain {
  return { dates: rows.map((r) => r.date), precipMm: Float64Array.from(rows, (r) => (r.precipMm === null ? Number.NaN : r.precipMm)) };
}

function rowsOf(r: StationRain): DailyRow[] {
  return r.dates.map((date, i) => {
    const p = r.precipMm[i]!;
    return { date, precipMm: Number.isNaN(p) ? null : p, tminC: null, tmaxC: null, tmeanC: null, rhMeanPct: null, radMjM2: null, windMeanMs: null, nHoursPrecip: 0, nHoursTemp: 0 };
  });
}

export function evaluateAlertRules(input: AlertRulesInput): AlertRulesOutput {
  const daily = new Map(Object.entries(input.rain).map(([id, r]) => [id, rowsOf(r)]));
  return {
    dry: drySpellAlerts({ regions: input.regions, stations: input.stations, daily, seasons: input.seasons, asOf: input.asOf }),
    condition: cropConditionAlerts(input.series),
    clusters: pestClusters(input.reports),
  };
}
