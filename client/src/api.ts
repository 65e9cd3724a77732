/**
 * Typed calls to the Granary API (same origin). Every failure becomes an ApiError whose `kind`
 * tells the UI what the user can do about it: the server is unreachable, the route does not exist
 * on this server (yet), the service is still starting, or the request was refused.
 */
import type { Colormap, ModelCard, PointInfo, Problem, RegionCollection, StacItem, TileJson, YieldGapRow } from './types';
import type { CropsResponse, ModelCardResponse, ModelsResponse, PointResponse, RegionDetail, ScenesResponse, SourceInfo, YieldGapResponse } from '../../server/contract/index';

export interface YieldGapTable {
  rows: YieldGapRow[];
  /** [first, last] year with crop statistics */
  validYears: number[];
  defaultYear: number;
  sources: SourceInfo[];
  priorityMethod: string;
}

type ApiErrorKind = 'unreachable' | 'missing' | 'unavailable' | 'refused' | 'server' | 'invalid';

export class ApiError extends Error {
  override readonly name = 'ApiError';
  constructor(
    readonly kind: ApiErrorKind,
    readonly url: string,
    readonly status: number,
    readonly problem: Problem | null,
    message: string,
  ) {
    super(message);
  }
}

function kindOf(status: number): ApiErrorKind {
  if (status === 404 || status === 405 || status === 501) return 'missing';
  if (status === 503 || status === 502 || status === 504) return 'unavailable';
  if (status >= 400 && status < 500) return 'refused';
  return 'server';
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function request(url: string, signal?: AbortSignal, post?: { body: string; type: string }): Promise<Response> {
  let res: Response;
  for (let attempt = 0; ; attempt++) {
    try {
      const accept = 'application/json, application/geo+json, text/csv;q=0.5';
      res = await fetch(url, post ? { signal, method: 'POST', body: post.body, headers: { Accept: accept, 'Content-Type': post.type } } : { signal, headers: { Accept: accept } });
    } catch (e) {
      if ((e as Error).name === 'AbortError') throw e;
      throw new ApiError('unreachable', url, 0, null, `server unreachable (${(e as Error).message})`);
    }
    // busy or rate-limited: wait as told (a few seconds at most) and try again, twice
    const after = Number(res.headers.get('Retry-After'));
    if ((res.status === 503 || res.status === 429) && attempt < 2 && after > 0 && after <= 10) {
      await res.body?.cancel();
      await sleep(after * 1000);
      continue;
    }
    break;
  }
  if (!res.ok) {
    let problem: Problem | null = null;
    try {
      problem = (await res.json()) as Problem;
    } catch {
      problem = null;
    }
    throw new ApiError(kindOf(res.status), url, res.status, problem, problem?.detail ?? problem?.title ?? `HTTP ${res.status}`);
  }
  return res;
}

export async function getJson<T>(url: string, signal?: AbortSignal): Promise<T> {
  const res = await request(url, signal);
  try {
    return (await res.json()) as T;
  } catch (e) {
    throw new ApiError('invalid', url, res.status, null, `invalid JSON from ${url}: ${(e as Error).message}`);
  }
}

/** POST a JSON body (as `type`, e.g. application/geo+json) and read the JSON answer; errors as getJson's. */
export async function postJson<T>(url: string, body: unknown, type = 'application/json', signal?: AbortSignal): Promise<T> {
  const res = await request(url, signal, { body: JSON.stringify(body), type });
  try {
    return (await res.json()) as T;
  } catch (e) {
    throw new ApiError('invalid', url, res.status, null, `invalid JSON from ${url}: ${(e as Error).message}`);
  }
}

const q = (params: Record<string, string | number | undefined | null>): string => {
  const u = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== null && v !== '') u.set(k, String(v));
  const s = u.toString();
  return s ? `?${s}` : '';
};

export const api = {
  scenes: async (signal?: AbortSignal) => (await getJson<ScenesResponse>('/api/scenes', signal)).scenes,
  scene: (id: string, signal?: AbortSignal) => getJson<StacItem>(`/api/scenes/${encodeURIComponent(id)}`, signal),
  colormaps: async (signal?: AbortSignal) => (await getJson<{ colormaps: Colormap[] }>('/api/colormaps', signal)).colormaps,
  tileJson: (path: string, params: Record<string, string | number | undefined>, signal?: AbortSignal) => getJson<TileJson>(`${path}${q(params)}`, signal),

  /** the crops the server is configured for, with their labels and crop-map classes */
  crops: (signal?: AbortSignal) => getJson<CropsResponse>('/api/crops', signal),
  models: async (signal?: AbortSignal): Promise<ModelCard[]> => (await getJson<ModelsResponse>('/api/models', signal)).models,
  /** The full card, with the summary's top-level inputs filled from it. */
  async model(id: string, signal?: AbortSignal): Promise<ModelCard> {
    const card = await getJson<ModelCardResponse>(`/api/models/${encodeURIComponent(id)}`, signal);
    return { ...card, variables: card.inputs.variables, steps: card.inputs.steps };
  },

  async point(lon: number, lat: number, scene: string | null, model: string | null, signal?: AbortSignal): Promise<PointInfo> {
    return pointInfo(await getJson<PointResponse>(`/api/point${q({ lon: round6(lon), lat: round6(lat), scene, model })}`, signal));
  },

  async yieldGap(crop: string, year: number, opts: { region?: string } = {}, signal?: AbortSignal): Promise<YieldGapRow[]> {
    return (await api.yieldGapTable(crop, year, opts, signal)).rows;
  },
  /** Rows and what the response says about them (valid years, default year, sources, ranking method). */
  async yieldGapTable(crop: string, year: number | undefined, opts: { region?: string } = {}, signal?: AbortSignal): Promise<YieldGapTable> {
    const body = await getJson<YieldGapResponse>(`/api/yield-gap${q({ crop, year, region: opts.region })}`, signal);
    return { rows: body.rows, validYears: body.validYears, defaultYear: body.defaultYear, sources: body.sources, priorityMethod: body.priorityMethod };
  },

  region: (id: string, signal?: AbortSignal) => getJson<RegionDetail>(`/api/regions/${encodeURIComponent(id)}`, signal),

  /** Municipal boundaries: the OGC API - Features collection, else the whole-layer download. */
  async regions(signal?: AbortSignal): Promise<RegionCollection> {
    let fc: RegionCollection;
    try {
      fc = await getJson<RegionCollection>('/collections/regions/items?limit=1000', signal);
    } catch (e) {
      if (!(e instanceof ApiError) || e.kind !== 'missing') throw e;
      fc = await getJson<RegionCollection>('/api/layers/regions.geojson', signal);
    }
    // the regions layer: feature id = IBGE code (properties.regionId), properties.name
    for (const f of fc.features) f.properties = { ...f.properties, id: String(f.id), name: String(f.properties.name) };
    return fc;
  },
};

const round6 = (v: number) => Math.round(v * 1e6) / 1e6;

/** /api/point for the views: dated series only, the top class and every probability, highest first. */
function pointInfo(body: PointResponse): PointInfo {
  const series: PointInfo['series'] = {};
  for (const [variable, points] of Object.entries(body.series)) {
    series[variable] = points.flatMap((p) => (p.date === null ? [] : [{ date: p.date.slice(0, 10), value: p.value }]));
  }
  const c = body.crop;
  const crop: PointInfo['crop'] =
    c && c.class
      ? {
          id: c.class.id,
          name: c.class.name,
          probability: c.confidence,
          probabilities: c.probabilities.map((p) => ({ name: p.name, probability: p.probability })).sort((a, b) => b.probability - a.probability),
        }
      : null;
  return { lon: body.lon, lat: body.lat, scene: body.scene?.id ?? null, series, crop, region: body.region };
}

/** Runs `fn` over `items` with at most `limit` in flight. */
export async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<Array<PromiseSettledResult<R>>> {
  const out: Array<PromiseSettledResult<R>> = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      try {
        out[i] = { status: 'fulfilled', value: await fn(items[i]!) };
      } catch (reason) {
        out[i] = { status: 'rejected', reason };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}
