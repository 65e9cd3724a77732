/**
 * Typed calls to the Granary API (same origin). Every failure becomes an ApiError whose `kind`
 * tells the UI what the user can do about it: the server is unreachable, the route does not exist
 * on this server (yet), the service is still starting, or the request was refused.
 */
import type { Colormap, ModelCard, PointInfo, Problem, RegionCollection, SceneSummary, SeriesPoint, StacItem, TileJson, YieldGapRow } from './types';

export interface YieldGapTable {
  rows: YieldGapRow[];
  /** [first, last] or the list of years */
  validYears: number[] | null;
  defaultYear: number | null;
  sources: unknown[];
  priorityMethod: string | null;
}

export type ApiErrorKind = 'unreachable' | 'missing' | 'unavailable' | 'refused' | 'server' | 'invalid';

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

async function request(url: string, signal?: AbortSignal): Promise<Response> {
  let res: Response;
  for (let attempt = 0; ; attempt++) {
    try {
      res = await fetch(url, { signal, headers: { Accept: 'application/json, application/geo+json, text/csv;q=0.5' } });
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

const q = (params: Record<string, string | number | undefined | null>): string => {
  const u = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== null && v !== '') u.set(k, String(v));
  const s = u.toString();
  return s ? `?${s}` : '';
};

export const api = {
  scenes: async (signal?: AbortSignal) => (await getJson<{ scenes: SceneSummary[] }>('/api/scenes', signal)).scenes,
  scene: (id: string, signal?: AbortSignal) => getJson<StacItem>(`/api/scenes/${encodeURIComponent(id)}`, signal),
  colormaps: async (signal?: AbortSignal) => (await getJson<{ colormaps: Colormap[] }>('/api/colormaps', signal)).colormaps,
  tileJson: (path: string, params: Record<string, string | number | undefined>, signal?: AbortSignal) => getJson<TileJson>(`${path}${q(params)}`, signal),

  async models(signal?: AbortSignal): Promise<ModelCard[]> {
    const body = await getJson<unknown>('/api/models', signal);
    const list = Array.isArray(body) ? body : ((body as { models?: unknown[] }).models ?? []);
    return list.filter(isCard);
  },
  async model(id: string, signal?: AbortSignal): Promise<ModelCard> {
    const body = await getJson<unknown>(`/api/models/${encodeURIComponent(id)}`, signal);
    if (!isCard(body)) throw new ApiError('invalid', `/api/models/${id}`, 200, null, 'model card without classes');
    return body;
  },

  async point(lon: number, lat: number, scene: string | null, model: string | null, signal?: AbortSignal): Promise<PointInfo> {
    const body = await getJson<Record<string, unknown>>(`/api/point${q({ lon: round6(lon), lat: round6(lat), scene, model })}`, signal);
    return normalisePoint(body, lon, lat);
  },

  async yieldGap(crop: string, year: number, opts: { region?: string } = {}, signal?: AbortSignal): Promise<YieldGapRow[]> {
    return (await api.yieldGapTable(crop, year, opts, signal)).rows;
  },
  /** Rows and what the response says about them (valid years, default year, sources, ranking method). */
  async yieldGapTable(crop: string, year: number | undefined, opts: { region?: string } = {}, signal?: AbortSignal): Promise<YieldGapTable> {
    const body = await getJson<unknown>(`/api/yield-gap${q({ crop, year, region: opts.region })}`, signal);
    const meta = (Array.isArray(body) ? {} : (body as Record<string, unknown>)) ?? {};
    const vy = meta.validYears;
    return {
      rows: rowsOf<YieldGapRow>(body),
      validYears: Array.isArray(vy) && vy.every((v) => typeof v === 'number') ? (vy as number[]) : null,
      defaultYear: typeof meta.defaultYear === 'number' ? meta.defaultYear : null,
      sources: Array.isArray(meta.sources) ? meta.sources : [],
      priorityMethod: typeof meta.priorityMethod === 'string' ? meta.priorityMethod : null,
    };
  },

  region: (id: string, signal?: AbortSignal) => getJson<Record<string, unknown>>(`/api/regions/${encodeURIComponent(id)}`, signal),

  /** Municipal boundaries: the OGC API - Features collection, else the whole-layer download. */
  async regions(signal?: AbortSignal): Promise<RegionCollection> {
    let fc: RegionCollection;
    try {
      fc = await getJson<RegionCollection>('/collections/regions/items?limit=1000', signal);
    } catch (e) {
      if (!(e instanceof ApiError) || e.kind !== 'missing') throw e;
      fc = await getJson<RegionCollection>('/api/layers/regions.geojson', signal);
    }
    if (fc?.type !== 'FeatureCollection' || !Array.isArray(fc.features)) throw new ApiError('invalid', '/collections/regions/items', 200, null, 'regions are not a GeoJSON FeatureCollection');
    for (const f of fc.features) {
      const p = (f.properties ?? {}) as Record<string, unknown>;
      const id = String(p.id ?? p.regionId ?? f.id ?? '');
      f.properties = { ...p, id, name: String(p.name ?? id) };
      f.id = id;
    }
    return fc;
  },
};

const round6 = (v: number) => Math.round(v * 1e6) / 1e6;

function isCard(x: unknown): x is ModelCard {
  return typeof x === 'object' && x !== null && typeof (x as ModelCard).id === 'string' && Array.isArray((x as ModelCard).classes);
}

/** Rows of a table-like response: a bare array, or {rows|items|data|results: [...]}. */
export function rowsOf<T>(body: unknown): T[] {
  if (Array.isArray(body)) return body as T[];
  if (body && typeof body === 'object') {
    for (const k of ['rows', 'items', 'data', 'results', 'regions']) {
      const v = (body as Record<string, unknown>)[k];
      if (Array.isArray(v)) return v as T[];
    }
  }
  return [];
}

const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);

function seriesOf(v: unknown): SeriesPoint[] | null {
  if (!Array.isArray(v)) return null;
  const out: SeriesPoint[] = [];
  for (const p of v) {
    if (p && typeof p === 'object' && typeof (p as SeriesPoint).date === 'string') out.push({ date: (p as SeriesPoint).date.slice(0, 10), value: num((p as SeriesPoint).value) });
  }
  return out;
}

/**
 * /api/point as the dashboard needs it. The contract names the parts (the time series of every
 * variable as [{date, value}], the crop class with all class probabilities, the region) but not
 * every key, so the common spellings are accepted.
 */
export function normalisePoint(body: Record<string, unknown>, lon: number, lat: number): PointInfo {
  const series: Record<string, SeriesPoint[]> = {};
  const ts = body.series ?? body.timeseries ?? body.timeSeries ?? body.variables ?? body.values;
  if (Array.isArray(ts)) {
    for (const e of ts as Array<Record<string, unknown>>) {
      const name = String(e.variable ?? e.name ?? '');
      const s = seriesOf(e.values ?? e.series ?? e.points ?? e.data);
      if (name && s) series[name] = s;
    }
  } else if (ts && typeof ts === 'object') {
    for (const [k, v] of Object.entries(ts as Record<string, unknown>)) {
      const s = seriesOf(Array.isArray(v) ? v : (v as Record<string, unknown>)?.values ?? (v as Record<string, unknown>)?.series);
      if (s) series[k] = s;
    }
  }
  const c = (body.class ?? body.crop ?? body.prediction ?? body.classification) as Record<string, unknown> | string | null | undefined;
  let crop: PointInfo['crop'] = null;
  if (c && typeof c === 'object') {
    const probsRaw = c.probabilities ?? body.probabilities;
    const probabilities: Array<{ name: string; probability: number }> = [];
    if (Array.isArray(probsRaw)) {
      for (const p of probsRaw as Array<Record<string, unknown>>) {
        const pr = num(p.probability ?? p.p ?? p.value);
        if (pr !== null) probabilities.push({ name: String(p.name ?? p.class ?? p.label ?? p.id), probability: pr });
      }
    } else if (probsRaw && typeof probsRaw === 'object') {
      for (const [k, v] of Object.entries(probsRaw as Record<string, unknown>)) if (num(v) !== null) probabilities.push({ name: k, probability: v as number });
    }
    probabilities.sort((a, b) => b.probability - a.probability);
    // {class: {id, name, color}, confidence} or {name, probability} or {class: "name"}
    const inner = c.class && typeof c.class === 'object' ? (c.class as Record<string, unknown>) : null;
    const rawName = inner?.name ?? c.name ?? c.label ?? (typeof c.class === 'string' ? c.class : undefined);
    const name = typeof rawName === 'string' ? rawName : '';
    const probability = num(c.confidence ?? c.probability ?? inner?.probability ?? c.p) ?? probabilities.find((p) => p.name === name)?.probability ?? null;
    crop = name ? { id: (inner?.id ?? c.id ?? c.classId ?? null) as number | string | null, name, probability, probabilities } : null;
  } else if (typeof c === 'string') {
    crop = { id: null, name: c, probability: num(body.confidence ?? body.probability), probabilities: [] };
  }
  const r = body.region as Record<string, unknown> | null | undefined;
  const region = r && typeof r === 'object' && (r.id ?? r.regionId) !== undefined ? { id: String(r.id ?? r.regionId), name: String(r.name ?? r.id ?? '') } : null;
  const sc = body.scene;
  const scene = typeof sc === 'string' ? sc : sc && typeof sc === 'object' ? String((sc as Record<string, unknown>).id ?? '') || null : null;
  return { lon, lat, scene, series, crop, region };
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
