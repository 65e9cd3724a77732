/**
 * Each dataset fetched once per page: the yield-gap table per crop and year (the default-year
 * request that tells the page its years also serves that year's table), a municipality's record,
 * the municipal boundaries (light TopoJSON for the map, the full GeoJSON only for a download).
 * A failed request is forgotten, so a retry asks again.
 */
import { feature } from 'topojson-client';
import type { GeometryCollection, Topology } from 'topojson-specification';
import { api, ApiError, getJson, type YieldGapTable } from './api';
import type { RegionCollection } from './types';
import type { NormalsResponse } from '../../server/contract/index';

const memo = new Map<string, Promise<unknown>>();

export function once<T>(key: string, load: () => Promise<T>): Promise<T> {
  let p = memo.get(key) as Promise<T> | undefined;
  if (!p) {
    p = load();
    memo.set(key, p);
    p.catch(() => memo.delete(key));
  }
  return p;
}

/** The yield-gap table of a crop and year (`undefined`: the server's default year). */
export function yieldGapTable(crop: string, year: number | undefined): Promise<YieldGapTable> {
  const key = `yield-gap|${crop}|${year ?? 'default'}`;
  return once(key, async () => {
    const table = await api.yieldGapTable(crop, year);
    const y = year ?? table.defaultYear ?? table.rows[0]?.year;
    if (year === undefined && y !== undefined && !memo.has(`yield-gap|${crop}|${y}`)) memo.set(`yield-gap|${crop}|${y}`, Promise.resolve(table));
    return table;
  });
}

/** The server's models (the crop layer and the analyst's job panel share one request). */
export const modelList = () => once('models', () => api.models());

export const regionRecord = (id: string) => once(`region|${id}`, () => api.region(id));

type BoundaryDetail = 'low' | 'full';

/** Municipal boundaries for the map as GeoJSON, from the light TopoJSON route (else the OGC items). */
export function boundaries(detail: BoundaryDetail): Promise<RegionCollection> {
  return once(`boundaries|${detail}`, async () => {
    let topo: Topology;
    try {
      topo = await getJson<Topology>(`/api/boundaries/regions.topojson?detail=${detail}`);
    } catch (e) {
      if (e instanceof ApiError && e.kind === 'missing') return fullBoundaries();
      throw e;
    }
    const obj = topo.objects.regions as GeometryCollection<{ id: string; name: string }> | undefined;
    if (!obj) throw new ApiError('invalid', '/api/boundaries/regions.topojson', 200, null, 'no "regions" object in the topology');
    const fc = feature(topo, obj) as unknown as RegionCollection;
    for (const f of fc.features) f.id = String(f.properties.id);
    return fc;
  });
}

/** The boundaries at full precision with every property (OGC items): for downloads only. */
export const fullBoundaries = () => once('boundaries|geojson', () => api.regions());

/** Yields and production against the 10-year normal, as server/analytics/normals.ts computes them (the page only shows them; typed by the contract), and the state's totals (GET /api/normals). */
export const normals = (crop: string, year: number) => once(`normals|${crop}|${year}`, () => getJson<NormalsResponse>(`/api/normals?crop=${encodeURIComponent(crop)}&year=${year}`));
