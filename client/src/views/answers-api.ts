/**
 * Typed calls to the planting-time, weather, alerts, suitability, outlook and policy-impact routes
 * (server/routes/{phenology,weather,alerts,suitability,outlook,policy-impact}); the shapes are the parts
 * the dashboard reads.
 */
import { getJson } from '../api';

export interface SeasonSos { season: number; status: string; date: string | null; dayOfSeason: number | null; municipality: { p50: number | null } | null; classWindow: { label: string; p10: number; p50: number; p90: number; position: string; daysFromMedian: number } | null }
export interface PhenologyPoint { scene: string; region: { id: string; name: string } | null; class: { name: string; source: string } | null; seasons: SeasonSos[]; notes: string[]; method: string }
export interface WeatherPoint {
  season: number;
  window: { from: string; to: string };
  station: { id: string; name: string; distanceKm: number } | null;
  summary: { rainMm: number | null; rainDays: number; daysWithRainData: number; daysInWindow: number; hotDays: number; tmaxMeanC: number | null; longestDrySpellDays: number; drySpells: Array<{ start: string; end: string; days: number; ongoing: boolean }> } | null;
  reference: { available: boolean; note: string; rainAnomalyPct?: number } | null;
  notes: string[];
  attribution: string;
}
export interface AlertItem { id: string; kind: string; severity: string; title: string; start: string; end: string; regionName: string | null }
export interface AlertList { asOf: string; numberMatched: number; alerts: AlertItem[] }
export interface SuitabilityRow { crop: string; available: boolean; reason: string | null; index: number | null; class: string | null; meanYieldKgHa: number | null; trendKgHaPerYear: number | null; cvDetrendedPct: number | null; levelVsStateMedian: number | null }
export interface Suitability { label: string; crops: SuitabilityRow[]; comparison: { best: string | null; note: string } }
export interface Outlook { available: boolean; reason: string | null; outlook: { season: number; predictedYieldKgHa: number; plusMinusKgHa: number; note: string } | null; validation: { rmseKgHa: number; baselineRmseKgHa: number; beatsBaseline: boolean; n: number } | null }
export interface PolicyImpact { unit: string; estimate: { effect: number; ci95: [number, number]; coversZero: boolean; pre: [number, number]; post: [number, number] }; placebo: { passed: boolean; note: string }; treatedDropped: Array<{ regionId: string }> }

const enc = encodeURIComponent;

export const answersApi = {
  phenology: (lon: number, lat: number, cls: string | null, signal?: AbortSignal) => getJson<PhenologyPoint>(`/api/phenology/point?lon=${lon}&lat=${lat}${cls ? `&class=${enc(cls)}` : ''}`, signal),
  weather: (lon: number, lat: number, signal?: AbortSignal) => getJson<WeatherPoint>(`/api/weather/point?lon=${lon}&lat=${lat}`, signal),
  alerts: (regionId: string, signal?: AbortSignal) => getJson<AlertList>(`/api/alerts?region=${enc(regionId)}&limit=5`, signal),
  suitability: (regionId: string, signal?: AbortSignal) => getJson<Suitability>(`/api/suitability/${enc(regionId)}`, signal),
  outlook: (regionId: string, signal?: AbortSignal) => getJson<Outlook>(`/api/outlook/${enc(regionId)}`, signal),
  policyImpactUrl: (regionId: string, start: number, indicator: string, crop: string, format?: 'csv') => `/api/policy-impact?regions=${enc(regionId)}&start=${start}&indicator=${enc(indicator)}&crop=${enc(crop)}${format ? `&format=${format}` : ''}`,
  policyImpact: (url: string, signal?: AbortSignal) => getJson<PolicyImpact>(url, signal),
};
