/**
 * POST /api/zonal-stats and the crop-map hook of the yield-gap routes, on a temporary data directory
 * holding the Sinop scene and a small synthetic crop map written with writeGeoTiff on the Sinop grid.
 * Expected values come from independent reads (geotiff.js pixel values, Turf areas, pixel-centre
 * counts, the Olofsson formulas written out here).
 */
import { mkdir, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { area as turfArea, booleanPointInPolygon } from '@turf/turf';
import { fromFile } from 'geotiff';
import proj4 from 'proj4';
import type { Feature, MultiPolygon, Polygon, Position } from 'geojson';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeGeoTiff, type GeoKeys } from '../../server/render/geotiff-writer.js';
import type { Scene } from '../../server/catalog/scene.js';
import { createTestApp, SINOP, SINOP_NDVI, type TestApp } from '../helpers/test-app.js';

let t: TestApp;
let scene: Scene;
let geoKeys: GeoKeys;

const CLASSES = [
  { id: 0, name: 'Cerrado' },
  { id: 1, name: 'Forest' },
  { id: 2, name: 'Pasture' },
  { id: 3, name: 'Soy_Corn' },
  { id: 4, name: 'Soy_Fallow' },
];
/** rows = reference, cols = predicted (the sidecar convention) */
const CONFUSION = [
  [40, 2, 5, 1, 2],
  [3, 30, 1, 0, 0],
  [6, 1, 35, 2, 1],
  [1, 0, 2, 45, 4],
  [0, 0, 1, 5, 14],
];
/** the synthetic map: rows 0-9 nodata, then vertical stripes of classes */
const classAt = (c: number, r: number) => (r < 10 ? 255 : c < 100 ? 3 : c < 150 ? 1 : c < 200 ? 4 : 2);

async function writeCropMap(model: string, cls: (c: number, r: number) => number): Promise<string> {
  const { width, height, geotransform } = scene.grid;
  const classes = new Uint8Array(width * height);
  const confidence = new Uint8Array(width * height);
  for (let r = 0; r < height; r++) for (let c = 0; c < width; c++) {
    classes[r * width + c] = cls(c, r);
    confidence[r * width + c] = 200;
  }
  const dir = join(t.dataDir, 'cropmaps');
  await mkdir(dir, { recursive: true });
  const tif = join(dir, `sinop__${model}.tif`);
  await writeFile(tif, writeGeoTiff({ width, height, bands: [classes, confidence], geotransform: [...geotransform] as [number, number, number, number, number, number], geoKeys, nodata: 255, tileSize: 128 }));
  await writeFile(join(dir, `sinop__${model}.json`), JSON.stringify({ classes: CLASSES, confusionMatrix: CONFUSION, modelId: model, sceneId: 'sinop' }));
  return tif;
}

/** WGS84 position of a pixel-space point (continuous column, row) of the Sinop grid. */
function lonLat(col: number, row: number): [number, number] {
  const g = scene.grid.geotransform;
  return proj4(scene.crs.proj4, 'WGS84', [g[0] + col * g[1], g[3] + row * g[5]]) as [number, number];
}

/** A lon/lat box whose corners are the given pixel-space corners (edges straight in lon/lat). */
function pixelBox(c0: number, r0: number, c1: number, r1: number): Polygon {
  const a = lonLat(c0, r1);
  const b = lonLat(c1, r1);
  const c = lonLat(c1, r0);
  const d = lonLat(c0, r0);
  return { type: 'Polygon', coordinates: [[a, b, c, d, a]] };
}

const feature = (geometry: Polygon | MultiPolygon, properties: Record<string, unknown> = {}): Feature => ({ type: 'Feature', geometry, properties });
const fc = (...features: Feature[]) => ({ type: 'FeatureCollection', features });
const post = (url: string, body: unknown, contentType = 'application/geo+json') =>
  t.app.inject({ method: 'POST', url, headers: { 'content-type': contentType }, payload: typeof body === 'string' ? body : JSON.stringify(body) });

beforeAll(async () => {
  t = await createTestApp({ scenes: [SINOP] });
  scene = await t.app.catalog.get('sinop');
  const image = await (await fromFile(SINOP_NDVI)).getImage();
  geoKeys = (image.getGeoKeys() ?? {}) as GeoKeys;
});
afterAll(async () => {
  await t?.close();
});

describe('POST /api/zonal-stats', () => {
  it('a polygon inside one pixel has that pixel\'s value as mean, at the date and in the series', async () => {
    const [c, r] = [30, 40];
    const centre = lonLat(c + 0.5, r + 0.5);
    const d = 0.0002; // ~22 m, well inside a 231 m pixel
    const tiny: Polygon = { type: 'Polygon', coordinates: [[[centre[0] - d, centre[1] - d], [centre[0] + d, centre[1] - d], [centre[0] + d, centre[1] + d], [centre[0] - d, centre[1] + d], [centre[0] - d, centre[1] - d]]] };
    const res = await post('/api/zonal-stats?scene=sinop&date=2014-01-10', feature(tiny, { name: 'field 7' }));
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^application\/geo\+json/);
    const out = res.json();
    expect(out.type).toBe('Feature');
    expect(out.properties.name).toBe('field 7');
    const s = out.properties.stats;
    expect(s.date).toBe('2014-01-17');
    expect(s.pixelCount).toBe(1);
    expect(s.coveredAreaHa).toBeCloseTo(turfArea(tiny) / 1e4, 2);
    // independent read of the pixel with geotiff.js
    const image = await (await fromFile(SINOP_NDVI)).getImage();
    const px = (await image.readRasters({ window: [c, r, c + 1, r + 1], interleave: false })) as unknown as ArrayLike<number>[];
    const dateIndex = scene.dates.indexOf('2014-01-17');
    expect(s.variables.ndvi.mean).toBeCloseTo(px[dateIndex]![0]! * 0.0001, 6);
    expect(s.variables.ndvi.count).toBe(1);
    expect(s.variables.ndvi.series).toHaveLength(23);
    s.variables.ndvi.series.forEach((e: { date: string; mean: number }, i: number) => {
      expect(e.date).toBe(scene.dates[i]);
      expect(e.mean).toBeCloseTo(px[i]![0]! * 0.0001, 6);
    });
    expect(Object.keys(s.variables).sort()).toEqual(['evi', 'ndvi']);
    expect(s.method).toMatch(/exact coverage/);
    expect(s.crops).toBeNull();
    expect(s.notes.join(' ')).toMatch(/no crop map/);
  });

  it('answers a polygon entirely outside the scene with an explicit empty result', async () => {
    const cuiaba: Polygon = { type: 'Polygon', coordinates: [[[-56.2, -15.7], [-56.0, -15.7], [-56.0, -15.5], [-56.2, -15.5], [-56.2, -15.7]]] };
    const res = await post('/api/zonal-stats?scene=sinop', fc(feature(cuiaba)));
    expect(res.statusCode).toBe(200);
    const s = res.json().features[0].properties.stats;
    expect(s.coveredAreaHa).toBe(0);
    expect(s.pixelCount).toBe(0);
    expect(s.variables.ndvi.mean).toBeNull();
    expect(s.polygonAreaHa).toBeCloseTo(turfArea(cuiaba) / 1e4, 6);
    expect(s.notes.join(' ')).toMatch(/entirely outside scene sinop/);
  });

  it('repairs a hole lying outside its shell, with a note', async () => {
    const shell = pixelBox(20, 20, 40, 40).coordinates[0]!;
    const hole = pixelBox(60, 20, 70, 30).coordinates[0]!.slice().reverse();
    const res = await post('/api/zonal-stats?scene=sinop', feature({ type: 'Polygon', coordinates: [shell, hole] }), 'application/json');
    expect(res.statusCode).toBe(200);
    const s = res.json().properties.stats;
    expect(s.notes.join(' ')).toMatch(/hole lying outside its shell; treated as a separate outer ring/);
    expect(s.coveredAreaHa).toBeGreaterThan(0);
  });

  it('rejects bad bodies with precise 400 / 413 / 404 problems', async () => {
    const ok = feature(pixelBox(10, 10, 20, 20));
    const bowtie: Polygon = { type: 'Polygon', coordinates: [[lonLat(10, 10), lonLat(20, 20), lonLat(20, 10), lonLat(10, 20), lonLat(10, 10)]] };
    const invalid = await post('/api/zonal-stats?scene=sinop', fc(ok, feature(bowtie)));
    expect(invalid.statusCode).toBe(400);
    expect(invalid.json().detail).toMatch(/^feature 1: polygon 0 ring 0 self-intersects at/);
    expect(invalid.json().problem).toBe('self-intersection');

    const point = await post('/api/zonal-stats?scene=sinop', fc(ok, { type: 'Feature', geometry: { type: 'Point', coordinates: [-55.5, -11.6] }, properties: {} }));
    expect(point.statusCode).toBe(400);
    expect(point.json().detail).toBe('feature 1: geometry type "Point" is not Polygon or MultiPolygon');

    const json = await post('/api/zonal-stats?scene=sinop', '{"type": "Feature", ');
    expect(json.statusCode).toBe(400);
    expect(json.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(json.json().detail).toMatch(/not valid JSON/);

    expect((await post('/api/zonal-stats?scene=sinop', { type: 'Polygon', coordinates: [] })).json().detail).toMatch(/malformed GeoJSON/);
    expect((await post('/api/zonal-stats?scene=sinop', { type: 'FeatureCollection' })).json().detail).toMatch(/"features" array/);
    expect((await post('/api/zonal-stats?scene=sinop', fc({ type: 'Feature', geometry: { type: 'Polygon', coordinates: [[[0, 0], 'x']] }, properties: {} } as unknown as Feature))).json().detail).toMatch(/feature 0 polygon 0 ring 0 position 1 is not \[longitude, latitude\]/);

    const many = await post('/api/zonal-stats?scene=sinop', fc(...Array.from({ length: 501 }, () => ok)));
    expect(many.statusCode).toBe(413);
    expect(many.json().detail).toMatch(/501 features; the limit is 500/);

    const circle = (n: number, lon: number): Polygon => {
      const ring: Position[] = Array.from({ length: n }, (_, i) => [lon + 0.01 * Math.cos((2 * Math.PI * i) / (n - 1)), -11.6 + 0.01 * Math.sin((2 * Math.PI * i) / (n - 1))]);
      ring[n - 1] = ring[0]!;
      return { type: 'Polygon', coordinates: [ring] };
    };
    const vertices = await post('/api/zonal-stats?scene=sinop', fc(...[-55.7, -55.6, -55.5].map((lon) => feature(circle(17_000, lon)))));
    expect(vertices.statusCode).toBe(413);
    expect(vertices.json().detail).toBe('more than 50000 vertices in total (reached at feature 2); simplify the polygons or split the request');
    const one = await post('/api/zonal-stats?scene=sinop', fc(ok, feature(circle(20_001, -55.5))));
    expect(one.statusCode).toBe(413);
    expect(one.json().detail).toMatch(/^feature 1 has 20001 vertices; the limit is 20000 per feature/);

    const big = await post('/api/zonal-stats?scene=sinop', feature(pixelBox(10, 10, 20, 20), { pad: 'x'.repeat(2 * 1024 * 1024 + 10) }));
    expect(big.statusCode).toBe(413);
    expect(big.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(big.json().detail).toMatch(/exceeds 2097152 bytes \(2 MB\)/);

    const scene404 = await post('/api/zonal-stats?scene=nowhere', ok);
    expect(scene404.statusCode).toBe(404);
    expect(scene404.json().detail).toMatch(/unknown scene "nowhere" \(available: sinop\)/);
    expect((await post('/api/zonal-stats', ok)).statusCode).toBe(400);
  });
});

describe('with a crop map of the scene', () => {
  let tif: string;
  beforeAll(async () => {
    tif = await writeCropMap('testmodel', classAt);
  });

  it('gives class areas weighted by exact coverage, and Olofsson-adjusted areas', async () => {
    // a box inside the Soy_Corn stripe (columns 0-99, rows 10+), and one straddling Soy_Corn | Forest
    const inside = pixelBox(20.3, 30.2, 60.7, 70.9);
    const straddle = pixelBox(90, 50, 110, 60);
    const res = await post('/api/zonal-stats?scene=sinop&model=testmodel', fc(feature(inside), feature(straddle)));
    expect(res.statusCode).toBe(200);
    const [a, b] = res.json().features.map((f: { properties: { stats: unknown } }) => f.properties.stats);
    const areaA = turfArea(inside) / 1e4;
    expect(a.crops.modelId).toBe('testmodel');
    expect(a.crops.areaHaByClass.Soy_Corn).toBeCloseTo(areaA, -1);
    expect(Math.abs(a.crops.areaHaByClass.Soy_Corn - areaA) / areaA).toBeLessThan(0.002);
    for (const k of ['Cerrado', 'Forest', 'Pasture', 'Soy_Fallow']) expect(a.crops.areaHaByClass[k]).toBe(0);
    expect(a.crops.nodataAreaHa).toBe(0);
    expect(a.crops.adjusted.method).toMatch(/model-based approximation/);
    // straddling box: half in each class (edges at columns 90 and 110, the class boundary at 100)
    const half = (turfArea(straddle) / 1e4) / 2;
    expect(Math.abs(b.crops.areaHaByClass.Soy_Corn - half) / half).toBeLessThan(0.01);
    expect(Math.abs(b.crops.areaHaByClass.Forest - half) / half).toBeLessThan(0.01);

    const other = await post('/api/zonal-stats?scene=sinop&model=othermodel', feature(inside));
    expect(other.json().properties.stats.crops).toBeNull();
    expect(other.json().properties.stats.notes.join(' ')).toMatch(/no crop map for scene sinop and model othermodel/);
    const newest = await post('/api/zonal-stats?scene=sinop', feature(inside));
    expect(newest.json().properties.stats.crops.modelId).toBe('testmodel');
  });

  it('gives the yield-gap rows of covered regions a mapped area with its 95 % interval', async () => {
    const res = await t.app.inject({ url: '/api/yield-gap?crop=soy&year=2014' });
    expect(res.statusCode).toBe(200);
    const rows = res.json().rows as Array<Record<string, any>>;
    const sinop = rows.find((r) => r.regionId === '5107909')!;
    expect(sinop.cropMap.sceneId).toBe('sinop');
    expect(sinop.cropMap.modelId).toBe('testmodel');
    expect(sinop.cropMap.classes).toEqual(['Soy_Corn', 'Soy_Fallow']);
    expect(sinop.cropMap.season).toEqual(['2013-09-14', '2014-08-29']);
    expect(sinop.flags.join(' ')).toMatch(/covers \d+\.\d % of the region/);

    // independent pixel-centre count of soy classes inside Sinop (pixel area from the geotransform)
    const g = scene.grid.geotransform;
    const pixelHa = Math.abs(g[1] * g[5]) / 1e4;
    const region = t.app.regions.get('5107909');
    let soyPixels = 0;
    for (let r = 0; r < scene.grid.height; r++) for (let c = 0; c < scene.grid.width; c++) {
      const k = classAt(c, r);
      if ((k === 3 || k === 4) && booleanPointInPolygon(lonLat(c + 0.5, r + 0.5), region)) soyPixels++;
    }
    const pixelCount = soyPixels * pixelHa;
    expect(Math.abs(sinop.cropMap.pixelCountAreaHa - pixelCount) / pixelCount).toBeLessThan(0.01);

    // Olofsson on the 2 x 2 collapse (crop = Soy_*), written out
    const isSoy = CLASSES.map((c) => c.name.startsWith('Soy'));
    const n = [[0, 0], [0, 0]]; // n[map][reference], 0 = soy
    CONFUSION.forEach((row, ref) => row.forEach((v, pred) => (n[isSoy[pred] ? 0 : 1]![isSoy[ref] ? 0 : 1]! += v)));
    const A = [sinop.cropMap.pixelCountAreaHa, sinop.cropMap.coveredAreaHa - sinop.cropMap.nodataAreaHa - sinop.cropMap.pixelCountAreaHa];
    const total = A[0]! + A[1]!;
    const W = A.map((x) => x / total);
    const ni = n.map((row) => row[0]! + row[1]!);
    const q = n.map((row, i) => row[0]! / ni[i]!);
    const adjusted = total * (W[0]! * q[0]! + W[1]! * q[1]!);
    const se = total * Math.sqrt(W.reduce((s, w, i) => s + (w * w * q[i]! * (1 - q[i]!)) / (ni[i]! - 1), 0));
    expect(sinop.mappedAreaHa).toBeCloseTo(adjusted, 6);
    expect(sinop.cropMap.seHa).toBeCloseTo(se, 6);
    expect(sinop.mappedAreaCi95Ha[0]).toBeCloseTo(Math.max(0, adjusted - 1.96 * se), 6);
    expect(sinop.mappedAreaCi95Ha[1]).toBeCloseTo(adjusted + 1.96 * se, 6);

    // regions the scene does not reach: null with a flag
    const far = rows.find((r) => r.regionId === '5103403')!; // Cuiabá
    expect(far.mappedAreaHa).toBeNull();
    expect(far.cropMap).toBeNull();
    expect(far.flags).toContain('no crop map covers the region: mappedAreaHa is null');

    // the region detail and the CSV carry the same numbers
    const detail = (await t.app.inject({ url: '/api/regions/5107909?year=2014' })).json();
    expect(detail.crops.soy.indicators.mappedAreaHa).toBeCloseTo(adjusted, 6);
    expect(detail.crops.maize.cropMap.classes).toEqual(['Soy_Corn']);
    const csv = (await t.app.inject({ url: '/api/yield-gap?crop=soy&year=2014&region=5107909&format=csv' })).body.split('\r\n');
    const header = csv[0]!.split(',');
    expect(Number(csv[1]!.split(',')[header.indexOf('mappedAreaHa')])).toBeCloseTo(adjusted, 6);
  });

  it('recomputes when the crop map file changes (LRU keyed by mtime)', async () => {
    const before = (await t.app.inject({ url: '/api/yield-gap?crop=soy&year=2014&region=5107909' })).json().rows[0];
    await writeCropMap('testmodel', (_c, r) => (r < 10 ? 255 : 2)); // all pasture
    const later = new Date(Date.now() + 5_000);
    await utimes(tif, later, later);
    const after = (await t.app.inject({ url: '/api/yield-gap?crop=soy&year=2014&region=5107909' })).json().rows[0];
    expect(before.cropMap.pixelCountAreaHa).toBeGreaterThan(0);
    expect(after.cropMap.pixelCountAreaHa).toBe(0);
    expect(after.mappedAreaHa).not.toBeCloseTo(before.mappedAreaHa, 0);
  });
});
