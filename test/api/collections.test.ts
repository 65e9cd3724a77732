/**
 * OGC API - Features and layer downloads through app.inject() on the bundled fixtures; the crop-map
 * collection on a temporary data directory; and, when GDAL's ogrinfo is installed, a real server read
 * by GDAL's OAPIF driver.
 */
import { execFile } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { booleanValid } from '@turf/turf';
import type { Feature, FeatureCollection, Geometry, Position } from 'geojson';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../server/app.js';
import { loadConfig } from '../../server/config.js';
import { parseCsv, parseCsvRecords } from '../../server/regions/csv-parse.js';
import { createTestApp, TEST_MODE, type TestApp } from '../helpers/test-app.js';
import { checkContract } from '../helpers/contract.js';

const root = resolve(import.meta.dirname, '../..');
const labels = (f: string) => parseCsv(readFileSync(resolve(root, 'fixtures/labels', f), 'utf8')).rows;
const mt9 = labels('mt_9classes_samples_public.csv');
const sinopSamples = labels('sinop_crop_samples_public.csv');
const allSamples = [...mt9, ...sinopSamples];

let app: FastifyInstance;
beforeAll(async () => {
  app = checkContract(await buildApp(loadConfig({ GRANARY_WORKERS: '1' })));
  await app.ready();
});
afterAll(async () => {
  await app?.close();
});

const get = (url: string) => app.inject({ method: 'GET', url });
type Link = { rel: string; href: string; type?: string };
const link = (links: Link[], rel: string) => links.find((l) => l.rel === rel);
const pathOf = (href: string) => href.replace(/^https?:\/\/[^/]+/, '');

/** Twice the signed lon/lat area of a ring (> 0 counter-clockwise). */
const signed = (ring: Position[]) => ring.reduce((s, p, i) => (i + 1 < ring.length ? s + p[0]! * ring[i + 1]![1]! - ring[i + 1]![0]! * p[1]! : s), 0);

function checkRfc7946(g: Geometry): void {
  const polys = g.type === 'Polygon' ? [g.coordinates] : g.type === 'MultiPolygon' ? g.coordinates : [];
  for (const rings of polys) {
    rings.forEach((ring, i) => {
      if (i === 0) expect(signed(ring)).toBeGreaterThan(0);
      else expect(signed(ring)).toBeLessThan(0);
      for (const p of ring) for (const v of p) expect(Math.abs(v * 1e6 - Math.round(v * 1e6))).toBeLessThan(1e-6);
    });
  }
  expect(booleanValid(g)).toBe(true);
}

async function allItems(url: string): Promise<Feature[]> {
  const out: Feature[] = [];
  let next: string | undefined = url;
  while (next) {
    const res = await get(next);
    expect(res.statusCode).toBe(200);
    const b = res.json();
    out.push(...b.features);
    next = link(b.links, 'next') ? pathOf(link(b.links, 'next')!.href) : undefined;
  }
  return out;
}

describe('landing page, conformance, collections', () => {
  it('serves the landing page at /ogc with links that stay under /ogc', async () => {
    const res = await get('/ogc');
    expect(res.statusCode).toBe(200);
    const b = res.json();
    expect(b.title).toMatch(/OGC API - Features/);
    expect(pathOf(link(b.links, 'conformance')!.href)).toBe('/ogc/conformance');
    expect(pathOf(link(b.links, 'data')!.href)).toBe('/ogc/collections');
    expect(link(b.links, 'service-desc')!.type).toMatch(/openapi/);
    expect((await get('/ogc/')).statusCode).toBe(200);
  });

  it('serves conformance and collections both at the root and under /ogc', async () => {
    for (const base of ['', '/ogc']) {
      const conf = (await get(`${base}/conformance`)).json();
      expect(conf.conformsTo).toContain('http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core');
      expect(conf.conformsTo).toContain('http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/geojson');
      const cols = (await get(`${base}/collections`)).json();
      // crop-map: the bundled crop map's polygons (fixtures/cropmaps/*.polygons.geojson); weather-stations: the bundled INMET daily file;
      // alerts: always (an empty list is an answer); start-of-season: the bundled products (fixtures/phenology)
      expect(cols.collections.map((c: { id: string }) => c.id)).toEqual(['regions', 'yield-gap', 'crop-samples', 'crop-map', 'weather-stations', 'alerts', 'start-of-season']);
      const regions = cols.collections[0];
      expect(pathOf(link(regions.links, 'items')!.href)).toBe(`${base}/collections/regions/items`);
      expect(link(regions.links, 'items')!.type).toBe('application/geo+json');
      expect(regions.extent.spatial.bbox[0][0]).toBeCloseTo(-61.632825, 5);
    }
    const one = (await get('/collections/crop-samples')).json();
    const starts = allSamples.map((r) => r['start_date']!).sort();
    const ends = allSamples.map((r) => r['end_date']!).sort();
    expect(one.extent.temporal.interval[0]).toEqual([`${starts[0]}T00:00:00Z`, `${ends[ends.length - 1]}T00:00:00Z`]);
    const unknown = await get('/collections/nope');
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json().detail).toBe('unknown collection "nope" (available: regions, yield-gap, crop-samples, crop-map, weather-stations, alerts, start-of-season)');
    expect((await get('/collections/crop-map')).statusCode).toBe(200);
  });

  it('describes the queryable properties', async () => {
    const res = await get('/collections/regions/queryables');
    expect(res.headers['content-type']).toMatch(/^application\/schema\+json/);
    const q = res.json();
    expect(q.properties.name.type).toBe('string');
    expect(q.properties.yieldGapKgHa.type).toBe('number');
    expect(q.properties.yieldGapKgHa.description).toMatch(/^kg\/ha/);
  });
});

describe('items', () => {
  it('pages with numberMatched, numberReturned and next/prev/self links', async () => {
    const res = await get('/collections/regions/items');
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^application\/geo\+json/);
    const p1 = res.json();
    expect(p1.type).toBe('FeatureCollection');
    expect([p1.numberMatched, p1.numberReturned, p1.features.length]).toEqual([141, 100, 100]);
    expect(link(p1.links, 'prev')).toBeUndefined();
    expect(pathOf(link(p1.links, 'self')!.href)).toBe('/collections/regions/items?crop=soy&year=2021&limit=100&offset=0');
    const p2 = (await get(pathOf(link(p1.links, 'next')!.href))).json();
    expect([p2.numberMatched, p2.numberReturned]).toEqual([141, 41]);
    expect(link(p2.links, 'next')).toBeUndefined();
    expect(pathOf(link(p2.links, 'prev')!.href)).toBe('/collections/regions/items?crop=soy&year=2021&limit=100&offset=0');
    const ids = new Set([...p1.features, ...p2.features].map((f: Feature) => f.id));
    expect(ids.size).toBe(141);
    // past the end: empty page, still numberMatched
    const past = (await get('/collections/regions/items?offset=500')).json();
    expect([past.numberMatched, past.numberReturned]).toEqual([141, 0]);
  });

  it('clamps limit to 1000 and says so', async () => {
    const res = await get('/collections/crop-samples/items?limit=5000');
    expect(res.statusCode).toBe(200);
    expect(res.headers['granary-limit-clamped']).toBe('5000');
    const b = res.json();
    expect(b.numberMatched).toBe(allSamples.length);
    expect(b.numberReturned).toBe(1000);
    expect(link(b.links, 'next')!.href).toMatch(/limit=1000&offset=1000$/);
    for (const bad of ['limit=0', 'limit=-1', 'limit=ten', 'offset=-5']) expect((await get(`/collections/regions/items?${bad}`)).statusCode, bad).toBe(400);
  });

  it('filters by bbox, datetime and exact property values (case-insensitive strings)', async () => {
    const box = [-56, -12, -55, -11];
    const inBox = allSamples.filter((r) => +r['longitude']! >= box[0]! && +r['longitude']! <= box[2]! && +r['latitude']! >= box[1]! && +r['latitude']! <= box[3]!);
    const b = (await get(`/collections/crop-samples/items?bbox=${box.join(',')}&limit=1000`)).json();
    expect(b.numberMatched).toBe(inBox.length);
    expect(inBox.length).toBeGreaterThan(13);

    const soyCorn = allSamples.filter((r) => r['label'] === 'Soy_Corn').length;
    expect((await get('/collections/crop-samples/items?label=soy_corn')).json().numberMatched).toBe(soyCorn);
    const both = (await get('/collections/crop-samples/items?label=Soy_Corn&dataset=SINOP_CROP')).json();
    expect(both.numberMatched).toBe(sinopSamples.filter((r) => r['label'] === 'Soy_Corn').length);
    expect(both.features[0].properties).toMatchObject({ label: 'Soy_Corn', dataset: 'sinop_crop', season: '2013-09-14/2014-08-29', source: expect.stringMatching(/sits/) });

    const season = allSamples.filter((r) => r['start_date']! <= '2014-01-01' && r['end_date']! >= '2014-01-01').length;
    expect((await get('/collections/crop-samples/items?datetime=2014-01-01')).json().numberMatched).toBe(season);

    const sinop = (await get('/collections/regions/items?name=sinop')).json();
    expect(sinop.features.map((f: Feature) => f.id)).toEqual(['5107909']);
    expect((await get('/collections/regions/items?regionId=5103056')).json().features[0].properties.name).toBe('Cláudia');
    const people = sinop.features[0].properties.population;
    const byPopulation = (await get(`/collections/regions/items?population=${people}`)).json();
    expect(byPopulation.features.map((f: Feature) => f.id)).toContain('5107909');
    expect((await get('/collections/regions/items?population=many')).json().detail).toMatch(/property population is numeric/);

    const unknown = await get('/collections/regions/items?colour=red');
    expect(unknown.statusCode).toBe(400);
    expect(unknown.json().detail).toMatch(/^unknown property "colour" for collection regions; filterable properties: regionId, name/);
    expect((await get('/collections/regions/items?bbox=1,2,3')).statusCode).toBe(400);
    expect((await get('/collections/regions/items?datetime=yesterday')).statusCode).toBe(400);
    expect((await get('/collections/regions/items?bbox-crs=EPSG:3857')).statusCode).toBe(400);
  });

  it('carries the indicators of the chosen year and crop, equal to /api/yield-gap', async () => {
    const feats = await allItems('/collections/yield-gap/items?year=2014&crop=maize&limit=50');
    expect(feats).toHaveLength(141);
    const rows = (await get('/api/yield-gap?crop=maize&year=2014')).json().rows as Array<Record<string, unknown>>;
    for (const r of rows) {
      const f = feats.find((x) => x.id === r['regionId'])!;
      for (const k of ['actualYieldKgHa', 'yieldGapKgHa', 'productionGapValueUsd', 'priorityRank', 'population']) expect(f.properties![k], k).toBe(r[k]);
      expect(f.properties!['year']).toBe(2014);
    }
    const reg = (await get('/collections/regions/items/5107925?year=2014&crop=soy')).json();
    const soy = (await get('/api/yield-gap?crop=soy&year=2014&region=5107925')).json().rows[0];
    expect(reg.properties.yieldGapKgHa).toBe(soy.yieldGapKgHa);
    expect(reg.properties.crop).toBe('soy');
    expect((await get('/collections/regions/items?crop=rice')).json().detail).toMatch(/valid crops: soy, maize/);
    expect((await get('/collections/regions/items?year=1990')).statusCode).toBe(400);
  });

  it('serves RFC 7946 geometries: valid, exterior rings counter-clockwise, holes clockwise, 6 decimals', async () => {
    const regions = await allItems('/collections/regions/items?limit=1000');
    for (const f of [...regions, ...(await allItems('/collections/crop-samples/items?limit=1000'))]) checkRfc7946(f.geometry);
    // the yield-gap layer serves the same region geometries
    const yg = await allItems('/collections/yield-gap/items?limit=1000');
    expect(yg.map((f) => [f.id, f.geometry])).toEqual(regions.map((f) => [f.id, f.geometry]));
    const barra = (await get('/collections/regions/items/5101704')).json();
    expect(barra.geometry.type).toBe('MultiPolygon');
    expect(barra.properties.name).toBe('Barra do Bugres');
  });

  it('serves one feature, and 404s an unknown one', async () => {
    const res = await get('/collections/crop-samples/items/sinop_crop-1');
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^application\/geo\+json/);
    const f = res.json();
    expect(f.geometry.coordinates).toEqual([-55.65931, -11.76267]);
    expect(f.properties.label).toBe('Pasture');
    const missing = await get('/collections/regions/items/0000000');
    expect(missing.statusCode).toBe(404);
    expect(missing.json().detail).toMatch(/collection regions has no feature "0000000"/);
  });
});

describe('layer downloads', () => {
  it('streams a whole layer as a GeoJSON attachment', async () => {
    const res = await get('/api/layers/regions.geojson?crop=maize&year=2014');
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^application\/geo\+json/);
    expect(res.headers['content-disposition']).toBe('attachment; filename="regions_maize_2014.geojson"');
    const fc = JSON.parse(res.body) as FeatureCollection;
    expect(fc.type).toBe('FeatureCollection');
    expect(fc.features).toHaveLength(141);
    expect(fc.features.find((f) => f.id === '5103056')!.properties!['name']).toBe('Cláudia');
    const samples = JSON.parse((await get('/api/layers/crop-samples.geojson')).body) as FeatureCollection;
    expect(samples.features).toHaveLength(allSamples.length);
  });

  it('gives CSV for the tabular layers', async () => {
    const res = await get('/api/layers/crop-samples.csv');
    expect(res.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(res.headers['content-disposition']).toBe('attachment; filename="crop-samples.csv"');
    const recs = parseCsvRecords(res.body.replace(/\r\n$/, ''));
    expect(recs[0]!.slice(0, 5)).toEqual(['id', 'longitude', 'latitude', 'sampleId', 'dataset']);
    expect(recs).toHaveLength(allSamples.length + 1);
    const yg = await get('/api/layers/yield-gap.csv?crop=soy&year=2014');
    expect(yg.body.split('\r\n')[0]).toMatch(/^regionId,name,crop,year,reportedYieldKgHa,actualYieldKgHa/);
    expect(yg.body).toContain('Cláudia');
    expect((await get('/api/layers/regions.txt')).statusCode).toBe(400);
    expect((await get('/api/layers/nope.geojson')).statusCode).toBe(404);
  });
});

describe('crop-map collection', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(async () => {
    await t?.close();
  });

  // embedded only: a crop map dropped into <dataDir>/cropmaps is picked up from the folder; in cluster
  // mode the registry is PostGIS, filled when a job publishes (test/cluster/api-modes.test.ts pages
  // the same polygons from SQL in both modes)
  it.skipIf(TEST_MODE === 'cluster')('is listed once a crop-map polygon layer exists, and served rewound', async () => {
    const list = async () => (await t.app.inject({ url: '/collections' })).json().collections.map((c: { id: string }) => c.id);
    expect(await list()).not.toContain('crop-map');
    await mkdir(join(t.dataDir, 'cropmaps'), { recursive: true });
    // clockwise exterior ring with a counter-clockwise hole, 8 decimals: must be rewound and rounded
    const shell = [[-55.6, -11.6], [-55.5, -11.6], [-55.5, -11.7], [-55.6, -11.7], [-55.6, -11.6]];
    expect(signed(shell)).toBeLessThan(0);
    const hole = [[-55.58, -11.68], [-55.52, -11.68], [-55.52, -11.62], [-55.58, -11.62], [-55.58, -11.68]];
    expect(signed(hole)).toBeGreaterThan(0);
    const fcIn = {
      type: 'FeatureCollection',
      features: [
        { type: 'Feature', id: 1, geometry: { type: 'Polygon', coordinates: [shell.map(([x, y]) => [x! + 1.23e-8, y!]), hole] }, properties: { class: 'Soy_Corn', areaHa: 812.5, meta: { model: 'm' } } },
        { type: 'Feature', id: 2, geometry: { type: 'Polygon', coordinates: [shell] }, properties: { class: 'Forest', areaHa: 3.5, meta: null } },
      ],
    };
    await writeFile(join(t.dataDir, 'cropmaps', 'sinop__m.polygons.geojson'), JSON.stringify(fcIn));
    expect(await list()).toContain('crop-map');
    const items = (await t.app.inject({ url: '/collections/crop-map/items?class=soy_corn' })).json();
    expect(items.numberMatched).toBe(1);
    const g = items.features[0].geometry;
    checkRfc7946(g);
    expect(g.coordinates[0][1]).toEqual([-55.6, -11.7]);
    expect(items.features[0].properties.meta).toBe('{"model":"m"}');
    expect((await t.app.inject({ url: '/api/layers/crop-map.csv' })).statusCode).toBe(400);
    expect((await t.app.inject({ url: '/api/layers/crop-map.geojson' })).json().features).toHaveLength(2);
  });
});

const ogrinfo = promisify(execFile);
const hasOgr = await ogrinfo('ogrinfo', ['--version']).then(
  () => true,
  () => false,
);

describe.skipIf(!hasOgr)('GDAL OAPIF driver (ogrinfo)', () => {
  let server: FastifyInstance;
  let base: string;
  beforeAll(async () => {
    server = checkContract(await buildApp(loadConfig({ GRANARY_WORKERS: '1' })));
    await server.listen({ port: 0, host: '127.0.0.1' });
    const addr = server.server.address();
    if (!addr || typeof addr === 'string') throw new Error('no port');
    base = `http://127.0.0.1:${addr.port}`;
  });
  afterAll(async () => {
    await server?.close();
  });

  it('opens the landing page and counts the features of every layer as numberMatched', async () => {
    const env = { ...process.env, GDAL_HTTP_TIMEOUT: '60', CPL_DEBUG: 'OFF' };
    const { stdout } = await ogrinfo('ogrinfo', ['-ro', '-so', `OAPIF:${base}/ogc`], { env });
    const layers = [...stdout.matchAll(/^\d+: (\S+) /gm)].map((m) => m[1]);
    expect(layers).toEqual(['regions', 'yield-gap', 'crop-samples', 'crop-map', 'weather-stations', 'alerts', 'start-of-season']);
    for (const layer of layers) {
      const page = (await fetch(`${base}/ogc/collections/${layer}/items?limit=1`).then((r) => r.json())) as { numberMatched: number };
      const matched = page.numberMatched;
      const out = (await ogrinfo('ogrinfo', ['-ro', '-al', '-so', `OAPIF:${base}/ogc`, layer!], { env })).stdout;
      const count = Number(/Feature Count: (\d+)/.exec(out)?.[1]);
      expect(count, layer).toBe(matched);
      expect(out).toMatch(/Geometry: (Polygon|Point)/);
    }
  });
});
