/**
 * Typed calls to the planting-time, weather, alerts, suitability, outlook and policy-impact routes
 * (server/routes/{phenology,weather,alerts,suitability,outlook,policy-impact}); the types are the
 * server's contract (server/contract/*.ts): renaming a field there breaks this build.
 */
import type { Polygon, MultiPolygon } from 'geojson';
import { ApiError, getJson } from '../api';
import type { AlertsResponse, OutlookResult, PhenologyFieldResponse, PhenologyPointResponse, PolicyImpactResponse, SuitabilityRegion, WeatherSeasonResponse } from '../../../server/contract/index';

export type PhenologyPoint = PhenologyPointResponse;
export type PhenologyField = PhenologyFieldResponse;
export type WeatherPoint = WeatherSeasonResponse;
export type AlertList = AlertsResponse;
export type Suitability = SuitabilityRegion;
export type Outlook = OutlookResult;
export type PolicyImpact = PolicyImpactResponse;

const enc = encodeURIComponent;

/** POST a field's polygon: the same error handling as GET (problem+json -> ApiError with its detail). */
async function postField(geometry: Polygon | MultiPolygon, cls: string | null, signal?: AbortSignal): Promise<PhenologyField> {
  const url = `/api/phenology/field${cls ? `?class=${enc(cls)}` : ''}`;
  let res: Response;
  try {
    res = await fetch(url, { method: 'POST', signal, headers: { 'Content-Type': 'application/geo+json', Accept: 'application/json' }, body: JSON.stringify({ type: 'Feature', properties: {}, geometry }) });
  } catch (e) {
    if ((e as Error).name === 'AbortError') throw e;
    throw new ApiError('unreachable', url, 0, null, `server unreachable (${(e as Error).message})`);
  }
  const body = (await res.json().catch(() => null)) as (PhenologyField & { detail?: string }) | null;
  if (!res.ok || !body) throw new ApiError(res.status === 404 ? 'missing' : res.status >= 500 ? 'server' : 'refused', url, res.status, null, body?.detail ?? `HTTP ${res.status}`);
  return body;
}

export const answersApi = {
  phenology: (lon: number, lat: number, cls: string | null, signal?: AbortSignal) => getJson<PhenologyPoint>(`/api/phenology/point?lon=${lon}&lat=${lat}${cls ? `&class=${enc(cls)}` : ''}`, signal),
  /** a drawn field's start of season (POST /api/phenology/field) */
  phenologyField: postField,
  weather: (lon: number, lat: number, signal?: AbortSignal) => getJson<WeatherPoint>(`/api/weather/point?lon=${lon}&lat=${lat}`, signal),
  alerts: (regionId: string, signal?: AbortSignal) => getJson<AlertList>(`/api/alerts?region=${enc(regionId)}&limit=5`, signal),
  suitability: (regionId: string, signal?: AbortSignal) => getJson<Suitability>(`/api/suitability/${enc(regionId)}`, signal),
  outlook: (regionId: string, signal?: AbortSignal) => getJson<Outlook>(`/api/outlook/${enc(regionId)}`, signal),
  policyImpactUrl: (regionId: string, start: number, indicator: string, crop: string, format?: 'csv') => `/api/policy-impact?regions=${enc(regionId)}&start=${start}&indicator=${enc(indicator)}&crop=${enc(crop)}${format ? `&format=${format}` : ''}`,
  policyImpact: (url: string, signal?: AbortSignal) => getJson<PolicyImpact>(url, signal),
};
