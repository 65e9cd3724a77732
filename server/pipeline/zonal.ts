/**
 * Zonal statistics over COGs, run in a worker: for each polygon, exact coverage fractions on the
 * raster's grid (server/analytics/zonal-stats.ts), then the polygon's pixel window is read at full
 * resolution (level 0) and each band summarised with the coverage x pixel-area weights.
 *
 *   polygon (WGS84) -> validate, densify, project -> coverage grid -> readWindow(level 0, window)
 *   -> value bands: weighted mean/min/max/count, nodata area; class band: area per class
 *
 * Value bands (a scene's variables x dates) and a class band (a crop map) may have different grids;
 * the coverage is computed once per distinct grid.
 */
import type { MultiPolygon, Polygon } from 'geojson';
import { classAreaStats, InvalidGeometryError, polygonCoverage, valueStats, type PolygonCoverage, type RasterGeoref } from '../analytics/zonal-stats.js';
import { readWindow, type BandRead } from '../raster/read-window.js';
import { openCog, type CogHandle } from '../raster/cog.js';
import { openSource, type SourcePolicy } from '../raster/source.js';
import { GranaryError } from '../errors.js';
import type { RasterContext } from './read-tile.js';

/** Values read per request window (pixels x bands) above which a polygon must be split. */
const MAX_WINDOW_VALUES = 40_000_000;

/** Class id meaning "no class" in crop maps without a nodata tag (uint8 crop maps use 255). */
const CLASS_NODATA = 255;

export interface ZonalValueBand extends BandRead {
  /** caller's name for the band, e.g. "ndvi|2014-08-29" */
  key: string;
}

export interface ZonalTask {
  /** `index` = the feature's position in the request (used in error messages) */
  features: Array<{ index: number; geometry: Polygon | MultiPolygon }>;
  /** value bands, grouped by file; all files must share one grid */
  values: { assets: Array<{ href: string; bands: ZonalValueBand[] }>; maskKeys: string[] } | null;
  /** a class raster (crop map): band `sample` holds class ids */
  classes: {
    href: string;
    sample: number;
    classes: Array<{ value: number; name: string }>;
    /** `<mtimeMs>:<size>` the caller saw; a cached handle of another version is bypassed (needs `policy`) */
    version?: string;
    policy?: SourcePolicy;
  } | null;
}

export interface ZonalValueSummary {
  mean: number | null;
  min: number | null;
  max: number | null;
  count: number;
  nodataAreaHa: number;
}

export interface ZonalFeatureResult {
  index: number;
  polygonAreaHa: number;
  values: {
    coveredAreaHa: number;
    pixelCount: number;
    /** covered area where any band of `maskKeys` is nodata */
    maskNodataAreaHa: number;
    bands: Record<string, ZonalValueSummary>;
    method: string;
  } | null;
  classes: {
    coveredAreaHa: number;
    pixelCount: number;
    areaHaByClass: Record<string, number>;
    otherAreaHa: number;
    nodataAreaHa: number;
    method: string;
  } | null;
  notes: string[];
}

function georefOf(h: CogHandle): RasterGeoref {
  const g = h.info.geotransform;
  return { proj4: h.info.crs.proj4, geotransform: [g[0], g[1], g[2], g[3], g[4], g[5]], width: h.info.width, height: h.info.height };
}

const sameGrid = (a: RasterGeoref, b: RasterGeoref) => a.proj4 === b.proj4 && a.width === b.width && a.height === b.height && a.geotransform.every((v, i) => v === b.geotransform[i]);

/** The coverage re-based on its own window, so window-sized arrays can be indexed with width = window width. */
function windowed(cov: PolygonCoverage): PolygonCoverage {
  return { ...cov, grid: { ...cov.grid, col0: 0, row0: 0 } };
}

function coverageOf(geometry: Polygon | MultiPolygon, georef: RasterGeoref, index: number): PolygonCoverage {
  try {
    return polygonCoverage(geometry, georef, { featureIndex: index, holeOutsideShell: 'promote' });
  } catch (e) {
    if (e instanceof InvalidGeometryError) throw new GranaryError('bad-request', e.message, { feature: e.featureIndex, problem: e.problem, ...(e.location ? { location: e.location } : {}) });
    if (e instanceof RangeError) throw new GranaryError('scene-unreadable', `raster georeference not usable for zonal statistics: ${e.message}`);
    throw e;
  }
}

function windowOf(cov: PolygonCoverage): [number, number, number, number] {
  const g = cov.grid;
  return [g.col0, g.row0, g.col0 + g.width, g.row0 + g.height];
}

function checkSize(cov: PolygonCoverage, bands: number, index: number): void {
  const n = cov.grid.width * cov.grid.height * bands;
  if (n > MAX_WINDOW_VALUES) {
    throw new GranaryError('payload-too-large', `feature ${index}: its pixel window (${cov.grid.width} x ${cov.grid.height} pixels x ${bands} bands) exceeds ${MAX_WINDOW_VALUES} values; split the polygon or request fewer features at once`);
  }
}

export async function runZonalTask(ctx: RasterContext, task: ZonalTask, signal?: AbortSignal): Promise<ZonalFeatureResult[]> {
  const valueHandles = task.values ? await Promise.all(task.values.assets.map((a) => ctx.open(a.href))) : [];
  const valueGeoref = valueHandles[0] ? georefOf(valueHandles[0]) : null;
  for (const [i, h] of valueHandles.entries()) {
    if (!sameGrid(georefOf(h), valueGeoref!)) throw new GranaryError('scene-unreadable', `asset ${i} of the scene is not on the same grid as asset 0`);
  }
  const classOpen = task.classes ? await openVersion(ctx, task.classes) : null;
  try {
    return await zonalFeatures(ctx, task, valueHandles, valueGeoref, classOpen?.handle ?? null, signal);
  } finally {
    await classOpen?.close();
  }
}

/**
 * The worker keeps COG handles for a few seconds; a crop map rewritten meanwhile must not be read
 * through the old handle, so a handle of another version is bypassed with a fresh one.
 */
async function openVersion(ctx: RasterContext, spec: NonNullable<ZonalTask['classes']>): Promise<{ handle: CogHandle; close: () => Promise<void> }> {
  const cached = await ctx.open(spec.href);
  if (!spec.version || !spec.policy || cached.source.key === `${spec.href}@${spec.version}`) return { handle: cached, close: async () => undefined };
  const source = await openSource(spec.href, spec.policy);
  try {
    return { handle: await openCog(source), close: () => source.close() };
  } catch (e) {
    await source.close();
    throw e;
  }
}

/**
 * Between two polygons: lets the child's pending IPC messages in (a polygon's coverage and sums are
 * synchronous, and block reads mostly come from the cache as resolved promises, so without a turn of
 * the event loop a 'cancel' from the pool would only be seen after the last polygon), then stops if
 * the task was cancelled (its client went away). The pool has already answered the request.
 */
async function checkpoint(signal: AbortSignal | undefined): Promise<void> {
  if (!signal) return;
  await new Promise<void>((resolve) => setImmediate(resolve));
  if (signal.aborted) throw new GranaryError('overloaded', 'the zonal statistics task was cancelled');
}

async function zonalFeatures(
  ctx: RasterContext,
  task: ZonalTask,
  valueHandles: CogHandle[],
  valueGeoref: RasterGeoref | null,
  classHandle: CogHandle | null,
  signal?: AbortSignal,
): Promise<ZonalFeatureResult[]> {
  const classGeoref = classHandle ? georefOf(classHandle) : null;

  const out: ZonalFeatureResult[] = [];
  for (const f of task.features) {
    await checkpoint(signal);
    const result: ZonalFeatureResult = { index: f.index, polygonAreaHa: 0, values: null, classes: null, notes: [] };
    let valueCov: PolygonCoverage | null = null;
    if (task.values && valueGeoref) {
      const cov = coverageOf(f.geometry, valueGeoref, f.index);
      valueCov = cov;
      result.polygonAreaHa = cov.polygonAreaHa;
      result.notes.push(...cov.repairs.map((r) => r.message));
      result.values = await summariseValues(ctx, cov, task.values, valueHandles, f.index, signal);
    }
    if (task.classes && classHandle && classGeoref) {
      const cov = valueCov && valueGeoref && sameGrid(valueGeoref, classGeoref) ? valueCov : coverageOf(f.geometry, classGeoref, f.index);
      if (!valueCov) {
        result.polygonAreaHa = cov.polygonAreaHa;
        result.notes.push(...cov.repairs.map((r) => r.message));
      }
      result.classes = await summariseClasses(ctx, cov, task.classes, classHandle, f.index, signal);
    }
    out.push(result);
  }
  return out;
}

async function summariseValues(
  ctx: RasterContext,
  cov: PolygonCoverage,
  values: NonNullable<ZonalTask['values']>,
  handles: CogHandle[],
  index: number,
  signal?: AbortSignal,
): Promise<NonNullable<ZonalFeatureResult['values']>> {
  const bands: Record<string, ZonalValueSummary> = {};
  const method = `${cov.method}; means weighted by coverage fraction x pixel area, over the polygon's full-resolution (level 0) pixel window`;
  const empty = cov.grid.width === 0 || cov.grid.height === 0;
  const w = cov.grid.width;
  const h = cov.grid.height;
  const mask = empty ? null : new Uint8Array(w * h);
  const maskKeys = new Set(values.maskKeys);
  for (const [a, asset] of values.assets.entries()) {
    if (empty) {
      for (const b of asset.bands) bands[b.key] = { mean: null, min: null, max: null, count: 0, nodataAreaHa: 0 };
      continue;
    }
    checkSize(cov, asset.bands.length, index);
    const arrays = await readWindow(handles[a]!, 0, windowOf(cov), asset.bands.map(({ sample, scale, offset, nodata }) => ({ sample, scale, offset, nodata })), ctx.blocks, signal);
    const local = windowed(cov);
    asset.bands.forEach((b, k) => {
      const data = arrays[k]!;
      const s = valueStats(local, data, w, null);
      bands[b.key] = { mean: s.mean, min: s.min, max: s.max, count: s.count, nodataAreaHa: s.nodataAreaHa };
      if (maskKeys.has(b.key)) for (let i = 0; i < data.length; i++) if (Number.isNaN(data[i]!)) mask![i] = 1;
    });
  }
  let maskNodata = 0;
  if (mask) {
    for (let r = 0; r < h; r++) {
      const a = cov.rowPixelAreaHa[r]!;
      for (let c = 0; c < w; c++) {
        const fr = cov.grid.fractions[r * w + c]!;
        if (fr > 0 && mask[r * w + c]) maskNodata += fr * a;
      }
    }
  }
  return { coveredAreaHa: cov.coveredAreaHa, pixelCount: cov.pixelCount, maskNodataAreaHa: maskNodata, bands, method };
}

async function summariseClasses(
  ctx: RasterContext,
  cov: PolygonCoverage,
  spec: NonNullable<ZonalTask['classes']>,
  handle: CogHandle,
  index: number,
  signal?: AbortSignal,
): Promise<NonNullable<ZonalFeatureResult['classes']>> {
  const method = `${cov.method}; class areas = sum of coverage fraction x pixel area, over the crop map's full-resolution (level 0) pixel window`;
  const classes = spec.classes.map((c) => ({ value: c.value, name: c.name }));
  if (cov.grid.width === 0 || cov.grid.height === 0) {
    return { coveredAreaHa: 0, pixelCount: 0, areaHaByClass: Object.fromEntries(classes.map((c) => [c.name, 0])), otherAreaHa: 0, nodataAreaHa: 0, method };
  }
  checkSize(cov, 1, index);
  const NODATA = -1;
  const [data] = await readWindow(handle, 0, windowOf(cov), [{ sample: spec.sample, scale: 1, offset: 0, nodata: handle.info.nodata ?? CLASS_NODATA }], ctx.blocks, signal);
  const ids = new Float32Array(data!.length);
  for (let i = 0; i < ids.length; i++) ids[i] = Number.isNaN(data![i]!) ? NODATA : data![i]!;
  const s = classAreaStats(windowed(cov), { data: ids, nodata: NODATA, classes }, cov.grid.width);
  return { coveredAreaHa: cov.coveredAreaHa, pixelCount: cov.pixelCount, areaHaByClass: s.areaHaByClass, otherAreaHa: s.otherAreaHa, nodataAreaHa: s.nodataAreaHa, method };
}
