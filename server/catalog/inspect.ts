/**
 * Building a STAC Item from COG files (`granary scenes add`): reads each file's structure and GDAL
 * metadata, works out which band is which (variable, date), checks that the files are co-registered,
 * and computes display defaults (2nd-98th percentile per variable, from the coarsest overview).
 */
import { basename, relative } from 'node:path';
import type { CogHandle } from '../raster/cog.js';
import { openCog, checkBlockRanges } from '../raster/cog.js';
import { openSource, isRemote, type SourcePolicy } from '../raster/source.js';
import { checkReadBudget, readWindow } from '../raster/read-window.js';
import { BlockCache } from '../raster/block-cache.js';
import { transformer, WGS84 } from '../geo/crs.js';
import { GranaryError, badRequest } from '../errors.js';
import { SCENE_ID, type StacItem, type StacRasterBand } from './scene.js';
import { percentileLinear } from '../analytics/percentile.js';

export interface AddSceneOptions {
  id: string;
  title?: string;
  /** one per file (bands are dates), or a single name applied to every file */
  variables?: string[];
  scale?: number;
  offset?: number;
  nodata?: number;
  dates?: string[];
  attribution?: string;
  /** STAC granary:purpose: 'product' for derived rasters (start of season), 'test' for tiler tests; default data */
  purpose?: 'test' | 'product';
}

const ISO_DATE = /^\d{4}-\d{2}-\d{2}(T[\d:.]+Z?)?$/;
const KNOWN_VARIABLES = ['ndvi', 'evi', 'blue', 'green', 'red', 'nir', 'mir', 'swir1', 'swir2', 'swir', 'doy', 'lai', 'fapar'];

const sanitize = (s: string) => s.trim().toLowerCase().replace(/[^a-z0-9_]+/g, '_').replace(/^_+|_+$/g, '') || 'band';

function guessVariable(handle: CogHandle, href: string): string | null {
  const meta = handle.info.metadata.VARIABLE ?? handle.info.bands[0]?.metadata.VARIABLE;
  if (meta) return sanitize(meta);
  const tokens = basename(href).toLowerCase().split(/[^a-z0-9]+/);
  return KNOWN_VARIABLES.find((v) => tokens.includes(v)) ?? null;
}

function dataType(d: string): string {
  return d;
}

/** The raster outline, densified and transformed to WGS84: [bbox, ring]. */
function footprint(h: CogHandle): { bbox: [number, number, number, number]; ring: number[][] } {
  const { width, height, geotransform: [ox, pw, , oy, , ph] } = h.info;
  const toWgs = transformer(h.info.crs.proj4, WGS84);
  const ring: number[][] = [];
  const N = 20;
  const edge = (c0: number, r0: number, c1: number, r1: number) => {
    for (let i = 0; i < N; i++) {
      const c = c0 + ((c1 - c0) * i) / N;
      const r = r0 + ((r1 - r0) * i) / N;
      const [lon, lat] = toWgs.forward([ox + c * pw, oy + r * ph]) as [number, number];
      ring.push([Math.round(lon * 1e7) / 1e7, Math.round(lat * 1e7) / 1e7]);
    }
  };
  // counter-clockwise (RFC 7946): bottom-left -> bottom-right -> top-right -> top-left
  edge(0, height, width, height);
  edge(width, height, width, 0);
  edge(width, 0, 0, 0);
  edge(0, 0, 0, height);
  ring.push(ring[0]!);
  const lons = ring.map((p) => p[0]!);
  const lats = ring.map((p) => p[1]!);
  return { bbox: [Math.min(...lons), Math.min(...lats), Math.max(...lons), Math.max(...lats)], ring };
}

const percentile = (sorted: Float32Array, p: number): number => (sorted.length === 0 ? NaN : percentileLinear(sorted, p, { sorted: true }));

async function displayRange(h: CogHandle, bands: StacRasterBand[], indices: number[]): Promise<[number, number]> {
  const levelIndex = h.levels.length - 1;
  const level = h.levels[levelIndex]!;
  const step = Math.max(1, Math.ceil(Math.max(level.width, level.height) / 1024));
  const w = Math.min(level.width, 1024 * step);
  const hgt = Math.min(level.height, 1024 * step);
  const pick = indices.length <= 12 ? indices : Array.from({ length: 12 }, (_, i) => indices[Math.floor((i * indices.length) / 12)]!);
  const cache = new BlockCache(64 * 1024 * 1024);
  const values: number[] = [];
  const arrays = await readWindow(h, levelIndex, [0, 0, w, hgt], pick.map((s) => ({ sample: s, scale: bands[s]!.scale ?? 1, offset: bands[s]!.offset ?? 0, nodata: typeof bands[s]!.nodata === 'number' ? (bands[s]!.nodata as number) : null })), cache);
  for (const a of arrays) for (let i = 0; i < a.length; i += step) if (!Number.isNaN(a[i]!)) values.push(a[i]!);
  const sorted = Float32Array.from(values).sort();
  const lo = percentile(sorted, 2);
  const hi = percentile(sorted, 98);
  if (!Number.isFinite(lo) || !Number.isFinite(hi)) return [0, 1];
  const round = (v: number) => Number(v.toPrecision(3));
  return lo === hi ? [round(lo), round(lo + 1)] : [round(lo), round(hi)];
}

function defaultColormap(variable: string): string {
  return ['ndvi', 'evi', 'lai', 'fapar'].includes(variable) ? 'ndvi' : 'viridis';
}

/**
 * Reads `hrefs` (absolute paths or URLs) and builds the STAC item. `itemDir` is where the item will
 * be stored: local hrefs are written relative to it.
 */
/** The default per-request read budget (config GRANARY_REQUEST_DECODE_MB). */
const DEFAULT_READ_BUDGET = 256 * 1024 * 1024;

/**
 * Refuses a file whose coarsest level is too big for one read: the lowest-zoom tiles (and the
 * display range computed here) read it whole, so serving it would need more than the per-request
 * budget. Declared sizes only, nothing is decoded.
 */
function checkServable(h: CogHandle, budget: number): void {
  const last = h.levels.length - 1;
  const level = h.levels[last]!;
  const blocks = Math.ceil(level.width / level.tileWidth) * Math.ceil(level.height / level.tileHeight);
  const sampleBytes = BYTES_PER_SAMPLE[h.info.dtype];
  const bytes = level.width * level.height * 4 + blocks * level.tileWidth * level.tileHeight * sampleBytes * (h.info.planar === 1 ? h.info.bandCount : 1);
  checkReadBudget(h, last, bytes, budget);
}

const BYTES_PER_SAMPLE = { uint8: 1, int8: 1, uint16: 2, int16: 2, uint32: 4, int32: 4, float32: 4, float64: 8 } as const;

export async function inspectScene(hrefs: string[], opts: AddSceneOptions, policy: SourcePolicy, itemDir: string, readBudgetBytes = DEFAULT_READ_BUDGET): Promise<StacItem> {
  if (!SCENE_ID.test(opts.id)) throw badRequest(`scene id "${opts.id}" must match ${SCENE_ID.source}`);
  if (hrefs.length === 0) throw badRequest('no files given');
  if (opts.variables && opts.variables.length > 1 && opts.variables.length !== hrefs.length) {
    throw badRequest(`${opts.variables.length} --variable names for ${hrefs.length} files: give one per file, in order`);
  }
  const handles: CogHandle[] = [];
  try {
    for (const href of hrefs) {
      const source = await openSource(href, policy);
      try {
        const handle = await openCog(source);
        handles.push(handle);
        checkServable(handle, readBudgetBytes);
        await checkBlockRanges(handle);
      } catch (e) {
        await source.close();
        if (e instanceof GranaryError) throw new GranaryError(e.kind, `${href}: ${e.message}`);
        throw e;
      }
    }
    const first = handles[0]!.info;
    for (let i = 1; i < handles.length; i++) {
      const o = handles[i]!.info;
      const same = o.width === first.width && o.height === first.height && o.crs.proj4 === first.crs.proj4 && o.geotransform.every((v, k) => Math.abs(v - first.geotransform[k]!) <= 1e-6 * Math.max(1, Math.abs(v)));
      if (!same) throw badRequest(`${hrefs[i]} is not co-registered with ${hrefs[0]} (size, CRS or geotransform differ): a scene's files must share one grid`);
    }

    const assets: StacItem['assets'] = {};
    const variablesSeen = new Map<string, number[]>();
    const perAssetBands: StacRasterBand[][] = [];
    for (let i = 0; i < handles.length; i++) {
      const h = handles[i]!;
      const href = hrefs[i]!;
      const descs = h.info.bands.map((b) => b.description);
      const datedByDescription = descs.every((d) => d !== null && ISO_DATE.test(d));
      const explicitVariable = opts.variables ? (opts.variables.length === 1 ? opts.variables[0]! : opts.variables[i]!) : null;
      let bands: StacRasterBand[];
      const common = (b: number) => {
        const info = h.info.bands[b]!;
        const nodata = opts.nodata ?? h.info.nodata;
        return {
          nodata: nodata === null ? null : Number.isNaN(nodata) ? ('nan' as const) : nodata,
          scale: opts.scale ?? info.scale ?? 1,
          offset: opts.offset ?? info.offset ?? 0,
          data_type: dataType(h.info.dtype),
        };
      };
      if (explicitVariable && h.info.bandCount === 1 && !datedByDescription) {
        // One band, one variable: dated by --date if given.
        const date = opts.dates?.[0]?.slice(0, 10) ?? null;
        const variable = sanitize(explicitVariable);
        bands = [{ name: variable, description: descs[0] ?? variable, ...common(0), 'granary:variable': variable, 'granary:date': date }];
      } else if (datedByDescription || explicitVariable || (opts.dates && opts.dates.length === h.info.bandCount && h.info.bandCount > 1)) {
        // One variable per file, one band per date.
        const variable = explicitVariable ? sanitize(explicitVariable) : guessVariable(h, href);
        if (!variable) throw badRequest(`${href}: its bands are dates but the variable is unknown: pass --variable <name>`);
        const dates = datedByDescription ? (descs as string[]).map((d) => d.slice(0, 10)) : opts.dates ?? [];
        if (dates.length !== h.info.bandCount) {
          throw badRequest(`${href}: ${h.info.bandCount} bands but ${dates.length} dates: band descriptions are not ISO dates, pass one --date per band`);
        }
        bands = dates.map((d, b) => ({ name: `${variable} ${d}`, description: d, ...common(b), 'granary:variable': variable, 'granary:date': d }));
      } else {
        // One band per variable (a single date or undated).
        const date = opts.dates?.[0]?.slice(0, 10) ?? null;
        const rgbNames = h.info.photometric === 2 && h.info.bandCount >= 3 ? ['red', 'green', 'blue'] : [];
        bands = descs.map((d, b) => {
          const variable = d ? sanitize(d) : (rgbNames[b] ?? `b${b + 1}`);
          return { name: variable, description: d ?? `band ${b + 1}`, ...common(b), 'granary:variable': variable, 'granary:date': date };
        });
      }
      bands.forEach((b, s) => {
        const key = `${b['granary:variable']}|${b['granary:date']}`;
        if (variablesSeen.has(key)) throw badRequest(`${b['granary:variable']} at ${b['granary:date'] ?? 'undated'} appears twice in the scene`);
        variablesSeen.set(key, [i, s]);
      });
      perAssetBands.push(bands);
      let key = sanitize(explicitVariable ?? (bands.length > 0 && new Set(bands.map((b) => b['granary:variable'])).size === 1 ? bands[0]!['granary:variable'] : basename(href).replace(/\.[^.]+$/, '')));
      while (assets[key]) key += '_';
      assets[key] = {
        href: isRemote(href) ? href : relative(itemDir, href),
        type: 'image/tiff; application=geotiff; profile=cloud-optimized',
        title: basename(href),
        roles: ['data'],
        'raster:bands': bands,
      };
    }

    const display: Record<string, { rescale: [number, number]; colormap: string }> = {};
    const byVariable = new Map<string, Array<[number, number]>>();
    perAssetBands.forEach((bands, a) => bands.forEach((b, s) => {
      const list = byVariable.get(b['granary:variable']) ?? [];
      list.push([a, s]);
      byVariable.set(b['granary:variable'], list);
    }));
    for (const [variable, refs] of byVariable) {
      const a = refs[0]![0];
      const samples = refs.filter((r) => r[0] === a).map((r) => r[1]);
      display[variable] = { rescale: await displayRange(handles[a]!, perAssetBands[a]!, samples), colormap: defaultColormap(variable) };
    }

    const dates = [...new Set(perAssetBands.flat().map((b) => b['granary:date']).filter((d): d is string => d !== null))].sort();
    const { bbox, ring } = footprint(handles[0]!);
    const [ox, pw, rx, oy, ry, ph] = first.geotransform;
    const item: StacItem = {
      type: 'Feature',
      stac_version: '1.0.0',
      stac_extensions: ['https://stac-extensions.github.io/raster/v1.1.0/schema.json', 'https://stac-extensions.github.io/projection/v1.1.0/schema.json'],
      id: opts.id,
      bbox,
      geometry: { type: 'Polygon', coordinates: [ring] },
      properties: {
        title: opts.title ?? opts.id,
        datetime: dates.length === 1 ? `${dates[0]}T00:00:00Z` : null,
        ...(dates.length > 1 ? { start_datetime: `${dates[0]}T00:00:00Z`, end_datetime: `${dates[dates.length - 1]}T00:00:00Z` } : {}),
        'proj:code': first.crs.epsg ? `EPSG:${first.crs.epsg}` : null,
        'proj:shape': [first.height, first.width],
        'proj:transform': [pw, rx, ox, ry, ph, oy],
        'granary:proj4': first.crs.proj4,
        'granary:geographic': first.crs.geographic,
        'granary:display': display,
        ...(opts.attribution ? { 'granary:attribution': opts.attribution } : {}),
        ...(opts.purpose ? { 'granary:purpose': opts.purpose } : {}),
      },
      assets,
      links: [],
    };
    if (!item.properties.datetime && dates.length === 0) item.properties.datetime = null;
    return item;
  } finally {
    await Promise.all(handles.map((h) => h.source.close()));
  }
}
