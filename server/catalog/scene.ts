/**
 * Scenes: a stack of co-registered rasters over one area, variables x dates, described on disk as
 * a STAC Item (raster + projection extensions, plus a few `granary:` fields). This module turns an
 * item into the resolved, plain-data `Scene` that routes and workers use.
 */
import { createHash } from 'node:crypto';
import { dirname, resolve } from 'node:path';
import type { GeoTransform } from '../raster/cog.js';
import { isRemote } from '../raster/source.js';
import { GranaryError, notFound, badRequest } from '../errors.js';

export const SCENE_ID = /^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/;

export interface SceneBand {
  variable: string;
  date: string | null;
  scale: number;
  offset: number;
  nodata: number | null;
}

export interface SceneAsset {
  key: string;
  /** absolute path or http(s) URL */
  href: string;
  bands: SceneBand[];
}

export interface Scene {
  id: string;
  title: string;
  crs: { proj4: string; epsg: number | null; geographic: boolean };
  grid: { width: number; height: number; geotransform: GeoTransform };
  /** WGS84 [w, s, e, n] */
  bbox: [number, number, number, number];
  variables: string[];
  dates: string[];
  assets: SceneAsset[];
  display: Record<string, { rescale: [number, number]; colormap: string }>;
  attribution: string;
  /**
   * STAC property granary:purpose: 'test' for scenes kept for tests and demos of the tiler, 'product' for
   * rasters Granary derives from another scene (the `<scene>-sos` start-of-season days): both hidden from
   * the dashboard's users' scene list, both still served as tiles
   */
  purpose: ScenePurpose;
  /** changes whenever the item or its files change: part of every tile's cache key */
  etag: string;
}

export type ScenePurpose = 'data' | 'test' | 'product';

export interface StacRasterBand {
  name?: string;
  description?: string;
  nodata?: number | 'nan' | null;
  scale?: number;
  offset?: number;
  data_type?: string;
  'granary:variable': string;
  'granary:date': string | null;
}

export interface StacItem {
  type: 'Feature';
  stac_version: string;
  stac_extensions: string[];
  id: string;
  bbox: [number, number, number, number];
  geometry: { type: 'Polygon'; coordinates: number[][][] };
  properties: Record<string, unknown> & {
    title: string;
    datetime: string | null;
    start_datetime?: string;
    end_datetime?: string;
    'proj:shape': [number, number];
    'proj:transform': number[];
    'proj:code'?: string | null;
    'granary:proj4': string;
    'granary:geographic': boolean;
    'granary:display': Record<string, { rescale: [number, number]; colormap: string }>;
  };
  assets: Record<string, { href: string; type: string; title?: string; roles: string[]; 'raster:bands': StacRasterBand[] }>;
  links: Array<{ rel: string; href: string; type?: string }>;
}

/** Resolves a stored item (from `itemPath`) into a Scene; `version` is a fingerprint of its files. */
export function sceneFromItem(item: StacItem, itemPath: string, version: string): Scene {
  const p = item.properties;
  const [h, w] = p['proj:shape'];
  const t = p['proj:transform'];
  const geotransform: GeoTransform = [t[2]!, t[0]!, t[1]!, t[5]!, t[3]!, t[4]!];
  const assets: SceneAsset[] = Object.entries(item.assets).map(([key, a]) => ({
    key,
    href: isRemote(a.href) ? a.href : resolve(dirname(itemPath), a.href),
    bands: a['raster:bands'].map((b) => ({
      variable: b['granary:variable'],
      date: b['granary:date'],
      scale: b.scale ?? 1,
      offset: b.offset ?? 0,
      nodata: b.nodata === undefined || b.nodata === null ? null : b.nodata === 'nan' ? NaN : b.nodata,
    })),
  }));
  const variables = [...new Set(assets.flatMap((a) => a.bands.map((b) => b.variable)))];
  const dates = [...new Set(assets.flatMap((a) => a.bands.map((b) => b.date)).filter((d): d is string => d !== null))].sort();
  const etag = createHash('sha256').update(JSON.stringify(item)).update(version).digest('hex').slice(0, 16);
  return {
    id: item.id,
    title: p.title,
    crs: { proj4: p['granary:proj4'], epsg: p['proj:code'] ? Number(String(p['proj:code']).split(':')[1]) : null, geographic: p['granary:geographic'] },
    grid: { width: w, height: h, geotransform },
    bbox: item.bbox,
    variables,
    dates,
    assets,
    display: p['granary:display'] ?? {},
    attribution: typeof p['granary:attribution'] === 'string' ? p['granary:attribution'] : '',
    purpose: p['granary:purpose'] === 'test' || p['granary:purpose'] === 'product' ? p['granary:purpose'] : 'data',
    etag,
  };
}

export interface BandRef {
  asset: number;
  sample: number;
  band: SceneBand;
}

/** The scene date nearest to `requested` (ISO date); default the latest. */
export function pickDate(scene: Scene, requested: string | undefined): string | null {
  if (scene.dates.length === 0) return null;
  if (requested === undefined) return scene.dates[scene.dates.length - 1]!;
  const t = Date.parse(requested);
  if (Number.isNaN(t)) throw badRequest(`date "${requested}" is not an ISO 8601 date (e.g. 2014-01-17)`);
  let best = scene.dates[0]!;
  for (const d of scene.dates) if (Math.abs(Date.parse(d) - t) < Math.abs(Date.parse(best) - t)) best = d;
  return best;
}

/** Locates (variable, date) in the scene's assets. */
export function findBand(scene: Scene, variable: string, date: string | null): BandRef {
  if (!scene.variables.includes(variable)) {
    throw new GranaryError('bad-request', `unknown variable "${variable}" for scene ${scene.id} (valid: ${scene.variables.join(', ')})`, { valid: scene.variables });
  }
  for (let a = 0; a < scene.assets.length; a++) {
    const asset = scene.assets[a]!;
    for (let s = 0; s < asset.bands.length; s++) {
      const b = asset.bands[s]!;
      if (b.variable === variable && (b.date === date || b.date === null)) return { asset: a, sample: s, band: b };
    }
  }
  throw notFound(`scene ${scene.id} has no ${variable} for ${date ?? 'undated'}`);
}
