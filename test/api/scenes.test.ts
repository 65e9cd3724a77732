/**
 * Service, catalog and colormap routes through app.inject(): /healthz, /api/scenes, the STAC item,
 * /api/colormaps, /openapi.json, and registering a scene with POST /api/scenes (403 without a
 * configured token, 401 with a wrong or missing bearer, 201 with the right one, then served).
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, LANDSAT_BAHAMAS, SINOP, TEST_FIXTURES, type TestApp } from '../helpers/test-app.js';
import { readRaster } from '../helpers/tiff.js';

const TOKEN = 'scenes-test-token-0123456789';

let open: TestApp; // no GRANARY_TOKEN: writing disabled
let secured: TestApp; // GRANARY_TOKEN set
beforeAll(async () => {
  open = await createTestApp({ scenes: [SINOP, LANDSAT_BAHAMAS] });
  secured = await createTestApp({ scenes: [SINOP], env: { GRANARY_TOKEN: TOKEN } });
});
afterAll(async () => {
  await open?.close();
  await secured?.close();
});

function expectProblem(res: { statusCode: number; headers: Record<string, unknown>; json: () => unknown }, status: number, detail: RegExp) {
  expect(res.statusCode).toBe(status);
  expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
  const p = res.json() as { status: number; detail: string };
  expect(p.status).toBe(status);
  expect(p.detail).toMatch(detail);
}

describe('service', () => {
  it('GET /healthz is 200 ok once ready', async () => {
    const res = await open.app.inject({ url: '/healthz' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ status: 'ok' });
  });

  it('GET /openapi.json documents the tile route and its parameters', async () => {
    const res = await open.app.inject({ url: '/openapi.json' });
    expect(res.statusCode).toBe(200);
    const doc = res.json() as { openapi: string; paths: Record<string, Record<string, { parameters?: Array<{ name: string; in: string }> }>> };
    expect(doc.openapi).toMatch(/^3\./);
    const tile = doc.paths['/tiles/{sceneId}/{z}/{x}/{y}']?.['get'];
    expect(tile, Object.keys(doc.paths).join(', ')).toBeDefined();
    const params = (tile!.parameters ?? []).map((p) => `${p.in}:${p.name}`);
    for (const p of ['path:sceneId', 'path:z', 'path:x', 'path:y', 'query:variable', 'query:bands', 'query:expression', 'query:date', 'query:rescale', 'query:colormap', 'query:resampling']) {
      expect(params).toContain(p);
    }
    expect(doc.paths['/tiles/{sceneId}/tilejson.json']).toBeDefined();
    expect(doc.paths['/api/scenes']?.['post']).toBeDefined();
    expect(doc.paths['/api/colormaps/{name}']).toBeDefined();
  });
});

describe('catalog', () => {
  it('GET /api/scenes lists every scene with bbox, crs, variables and dates', async () => {
    const res = await open.app.inject({ url: '/api/scenes' });
    expect(res.statusCode).toBe(200);
    const scenes = (res.json() as { scenes: Array<{ id: string; bbox: number[]; crs: string; variables: string[]; dates: string[] }> }).scenes;
    expect(scenes.map((s) => s.id).sort()).toEqual(['landsat-bahamas', 'sinop']);
    const sinop = scenes.find((s) => s.id === 'sinop')!;
    expect(sinop.variables).toEqual(['ndvi', 'evi']);
    expect(sinop.dates).toHaveLength(23);
    expect(sinop.dates[0]).toBe('2013-09-14');
    expect(sinop.dates[22]).toBe('2014-08-29');
    expect(sinop.crs).toMatch(/\+proj=sinu/);
    sinop.bbox.forEach((v, i) => expect(v).toBeCloseTo([-55.8002, -11.7998, -55.2, -11.4998][i]!, 3));
    const landsat = scenes.find((s) => s.id === 'landsat-bahamas')!;
    expect(landsat.crs).toBe('EPSG:32618');
    expect(landsat.variables).toEqual(['red', 'green', 'blue']);
    expect(landsat.dates).toEqual([]);
  });

  it('GET /api/scenes/sinop is a STAC Item with raster:bands scale', async () => {
    const res = await open.app.inject({ url: '/api/scenes/sinop' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^application\/geo\+json/);
    const item = res.json() as {
      type: string;
      stac_version: string;
      id: string;
      bbox: number[];
      geometry: { type: string; coordinates: number[][][] };
      properties: Record<string, unknown>;
      assets: Record<string, { href: string; type: string; roles: string[]; 'raster:bands': Array<{ scale: number; offset: number; 'granary:date': string }> }>;
      links: Array<{ rel: string; href: string }>;
    };
    expect(item.type).toBe('Feature');
    expect(item.stac_version).toMatch(/^1\./);
    expect(item.id).toBe('sinop');
    const [w, s, e, n] = item.bbox as [number, number, number, number];
    expect(w).toBeGreaterThanOrEqual(-180);
    expect(e).toBeLessThanOrEqual(180);
    expect(w).toBeLessThan(e);
    expect(s).toBeLessThan(n);
    expect(item.geometry.type).toBe('Polygon');
    const ring = item.geometry.coordinates[0]!;
    expect(ring[0]).toEqual(ring[ring.length - 1]);
    for (const [lon, lat] of ring as Array<[number, number]>) {
      expect(lon).toBeGreaterThanOrEqual(w - 1e-9);
      expect(lon).toBeLessThanOrEqual(e + 1e-9);
      expect(lat).toBeGreaterThanOrEqual(s - 1e-9);
      expect(lat).toBeLessThanOrEqual(n + 1e-9);
    }
    expect(item.properties['start_datetime']).toBe('2013-09-14T00:00:00Z');
    expect(item.properties['end_datetime']).toBe('2014-08-29T00:00:00Z');
    expect(Object.keys(item.assets).sort()).toEqual(['evi', 'ndvi']);
    const ndvi = item.assets['ndvi']!;
    expect(ndvi.href).toMatch(/sinop_mod13q1_ndvi.*\.tif$/);
    expect(ndvi.type).toMatch(/image\/tiff/);
    expect(ndvi['raster:bands']).toHaveLength(23);
    for (const b of ndvi['raster:bands']) {
      expect(b.scale).toBe(0.0001);
      expect(b.offset).toBe(0);
    }
    expect(ndvi['raster:bands'][8]!['granary:date']).toBe('2014-01-17');
    expect(item.links.map((l) => l.rel)).toEqual(expect.arrayContaining(['self', 'tilejson']));
  });

  it('GET /api/scenes/landsat-bahamas carries the EPSG code and nodata', async () => {
    const item = (await open.app.inject({ url: '/api/scenes/landsat-bahamas' })).json() as { properties: Record<string, unknown>; assets: Record<string, { 'raster:bands': Array<{ nodata: number; name: string }> }> };
    expect(item.properties['proj:code']).toBe('EPSG:32618');
    const bands = Object.values(item.assets)[0]!['raster:bands'];
    expect(bands.map((b) => b.name)).toEqual(['red', 'green', 'blue']);
    expect(bands.every((b) => b.nodata === 0)).toBe(true);
  });

  it('unknown scene: 404 listing the valid ids; traversal-looking ids: 400/404, never 500', async () => {
    expectProblem(await open.app.inject({ url: '/api/scenes/nope' }), 404, /unknown scene "nope" \(available: landsat-bahamas, sinop\)/);
    for (const id of ['..%2F..%2Fetc', '..%2F..%2Fetc%2Fpasswd', '%2E%2E%2Fcatalog%2Fsinop', 'sinop.json']) {
      const res = await open.app.inject({ url: `/api/scenes/${id}` });
      expect([400, 404], `${id}: ${res.statusCode}`).toContain(res.statusCode);
      expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    }
  });
});

describe('colormaps', () => {
  it('GET /api/colormaps lists the colormaps with legend data', async () => {
    const res = await open.app.inject({ url: '/api/colormaps' });
    expect(res.statusCode).toBe(200);
    const maps = (res.json() as { colormaps: Array<{ name: string; kind: string; stops?: Array<{ value: number; color: string }> }> }).colormaps;
    const names = maps.map((m) => m.name);
    expect(names).toEqual(expect.arrayContaining(['viridis', 'ndvi', 'greys']));
    for (const m of maps.filter((x) => x.kind === 'continuous')) {
      expect(m.stops!.length).toBeGreaterThanOrEqual(2);
      expect(m.stops![0]!.value).toBe(0);
      expect(m.stops![m.stops!.length - 1]!.value).toBe(1);
      for (const s of m.stops!) expect(s.color).toMatch(/^#[0-9a-f]{6}$/i);
    }
  });

  it('GET /api/colormaps/{name}: one colormap, 404 listing the available ones', async () => {
    const res = await open.app.inject({ url: '/api/colormaps/viridis' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ name: 'viridis', kind: 'continuous' });
    expectProblem(await open.app.inject({ url: '/api/colormaps/rainbow' }), 404, /unknown colormap "rainbow" \(available: .*viridis/);
    const trav = await open.app.inject({ url: '/api/colormaps/..%2F..%2Fetc%2Fpasswd' });
    expect([400, 404]).toContain(trav.statusCode);
  });
});

describe('POST /api/scenes', () => {
  const body = (id: string) => ({ id, hrefs: [join(TEST_FIXTURES, 'bad', 'ok.tif')], variables: ['ndvi'], scale: 0.0001, title: 'Registered in a test' });

  it('403 when no token is configured', async () => {
    const res = await open.app.inject({ method: 'POST', url: '/api/scenes', payload: body('new-scene'), headers: { authorization: `Bearer ${TOKEN}` } });
    expectProblem(res, 403, /writing routes are disabled: no GRANARY_TOKEN/);
  });

  it('401 with a missing or wrong bearer token', async () => {
    const missing = await secured.app.inject({ method: 'POST', url: '/api/scenes', payload: body('new-scene') });
    expectProblem(missing, 401, /needs "Authorization: Bearer <token>"/);
    expect(missing.headers['www-authenticate']).toMatch(/^Bearer/);
    const wrong = await secured.app.inject({ method: 'POST', url: '/api/scenes', payload: body('new-scene'), headers: { authorization: 'Bearer not-the-token-at-all' } });
    expectProblem(wrong, 401, /bearer token is not valid/);
    const basic = await secured.app.inject({ method: 'POST', url: '/api/scenes', payload: body('new-scene'), headers: { authorization: `Basic ${Buffer.from('a:b').toString('base64')}` } });
    expectProblem(basic, 401, /Bearer/);
    expect((await secured.app.inject({ url: '/api/scenes/new-scene' })).statusCode).toBe(404);
  });

  it('201 with the right token; the scene is then listed and served', async () => {
    const res = await secured.app.inject({ method: 'POST', url: '/api/scenes', payload: body('new-scene'), headers: { authorization: `Bearer ${TOKEN}` } });
    expect(res.statusCode, res.body.slice(0, 300)).toBe(201);
    expect(res.headers['location']).toBe('/api/scenes/new-scene');
    expect(res.json()).toMatchObject({ type: 'Feature', id: 'new-scene' });

    const list = (await secured.app.inject({ url: '/api/scenes' })).json() as { scenes: Array<{ id: string; dates: string[] }> };
    expect(list.scenes.find((s) => s.id === 'new-scene')?.dates).toEqual(['2014-01-17']);
    const item = await secured.app.inject({ url: '/api/scenes/new-scene' });
    expect(item.statusCode).toBe(200);

    const png = await secured.app.inject({ url: '/tiles/new-scene/12/1416/2181.png' });
    expect(png.statusCode).toBe(200);
    expect(png.headers['content-type']).toBe('image/png');
    // same values as the bundled scene's date 2014-01-17 (the file is that band)
    const a = await readRaster((await secured.app.inject({ url: '/tiles/new-scene/12/1416/2181.tif' })).rawPayload);
    const b = await readRaster((await secured.app.inject({ url: '/tiles/sinop/12/1416/2181.tif?variable=ndvi&date=2014-01-17' })).rawPayload);
    expect(Array.from(a.bands[0]!)).toEqual(Array.from(b.bands[0]!));

    const again = await secured.app.inject({ method: 'POST', url: '/api/scenes', payload: body('new-scene'), headers: { authorization: `Bearer ${TOKEN}` } });
    expectProblem(again, 409, /already exists/);
  });

  it('400 on an invalid body, 403 on a path outside the data directories', async () => {
    const auth = { authorization: `Bearer ${TOKEN}` };
    expectProblem(await secured.app.inject({ method: 'POST', url: '/api/scenes', payload: { id: '../x', hrefs: ['a.tif'] }, headers: auth }), 400, /id/);
    expectProblem(await secured.app.inject({ method: 'POST', url: '/api/scenes', payload: { id: 'x', hrefs: [] }, headers: auth }), 400, /hrefs/);
    expectProblem(await secured.app.inject({ method: 'POST', url: '/api/scenes', payload: { id: 'x', hrefs: ['/etc/passwd'] }, headers: auth }), 403, /outside the data directories/);
    expectProblem(await secured.app.inject({ method: 'POST', url: '/api/scenes', payload: { id: 'x', hrefs: ['../../../etc/passwd'] }, headers: auth }), 403, /outside the data directories/);
  });
});
