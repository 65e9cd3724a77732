/**
 * What the dashboard needs from the service to stay light (issue #15): compressed API responses
 * (Brotli and gzip, never for PNG tiles), the municipal boundaries as simplified TopoJSON (with
 * ETag/304 and a precise 400), the catalog flag that keeps test scenes out of the users' list, and the
 * page's Link header preloading the data its choropleth waits for.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sceneFromItem, type StacItem } from '../../server/catalog/scene.js';
import { PACKAGE_ROOT } from '../../server/config.js';
import { dashboardPreloads } from '../../server/plugins/client.js';
import { createTestApp, FIXTURES, LANDSAT_BAHAMAS, SINOP, type TestApp } from '../helpers/test-app.js';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp({ scenes: [SINOP, LANDSAT_BAHAMAS] });
});
afterAll(async () => {
  await t?.close();
});

interface Topo {
  type: string;
  objects: { regions: { type: string; geometries: Array<{ id?: string; properties: { id: string; name: string } }> } };
  arcs: number[][][];
  transform?: unknown;
}

describe('compressed API responses', () => {
  it('sends JSON as Brotli or gzip when accepted, and identical to the plain body', async () => {
    const plain = await t.app.inject({ url: '/api/yield-gap?crop=soy&year=2021' });
    const br = await t.app.inject({ url: '/api/yield-gap?crop=soy&year=2021', headers: { 'accept-encoding': 'br' } });
    const gz = await t.app.inject({ url: '/api/yield-gap?crop=soy&year=2021', headers: { 'accept-encoding': 'gzip' } });
    expect(plain.headers['content-encoding']).toBeUndefined();
    expect(br.headers['content-encoding']).toBe('br');
    expect(gz.headers['content-encoding']).toBe('gzip');
    expect(brotliDecompressSync(br.rawPayload).toString()).toBe(plain.body);
    expect(gunzipSync(gz.rawPayload).toString()).toBe(plain.body);
    expect(br.rawPayload.length).toBeLessThan(plain.rawPayload.length / 4);
  });

  it('sends a compressed JSON answer under 64 KiB whole, with its Content-Length (nothing a killed replica could cut after the headers)', async () => {
    const res = await t.app.inject({ url: '/api/scenes/sinop', headers: { 'accept-encoding': 'br' } });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-encoding']).toBe('br');
    expect(res.headers['transfer-encoding']).toBeUndefined();
    expect(Number(res.headers['content-length'])).toBe(res.rawPayload.length);
    expect(JSON.parse(brotliDecompressSync(res.rawPayload).toString())).toMatchObject({ id: 'sinop' });
  });

  it('leaves PNG tiles alone', async () => {
    const res = await t.app.inject({ url: '/tiles/sinop/10/354/545.png?variable=ndvi', headers: { 'accept-encoding': 'br, gzip' } });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('image/png');
    expect(res.headers['content-encoding']).toBeUndefined();
  });
});

describe('GET /api/boundaries/regions.topojson', () => {
  const get = async (q = '') => {
    const res = await t.app.inject({ url: `/api/boundaries/regions.topojson${q}` });
    return { res, topo: res.statusCode === 200 ? (res.json() as Topo) : null };
  };

  it('has every municipality with id and name, and the simplified level is much smaller', async () => {
    const low = await get();
    const full = await get('?detail=full');
    expect(low.res.statusCode).toBe(200);
    expect(low.topo!.type).toBe('Topology');
    const fc = JSON.parse(readFileSync(join(FIXTURES, 'boundaries/mt_municipalities.geojson'), 'utf8')) as { features: Array<{ properties: { id: string; name: string } }> };
    const ids = (topo: Topo) => topo.objects.regions.geometries.map((g) => g.properties.id).sort();
    expect(ids(low.topo!)).toEqual(fc.features.map((f) => String(f.properties.id)).sort());
    expect(ids(full.topo!)).toEqual(ids(low.topo!));
    expect(low.topo!.objects.regions.geometries.every((g) => g.properties.name.length > 0)).toBe(true);
    expect(low.res.rawPayload.length).toBeLessThan(full.res.rawPayload.length / 2);
    expect(full.res.rawPayload.length).toBeLessThan(readFileSync(join(FIXTURES, 'boundaries/mt_municipalities.geojson')).length);
  });

  it("leaves the service's own geometries exact (topojson-server quantises its input in place)", async () => {
    const before = JSON.stringify(t.app.regions.regions[0]!.geometry);
    await get('?detail=full');
    await get();
    expect(JSON.stringify(t.app.regions.regions[0]!.geometry)).toBe(before);
  });

  it('answers 304 to its ETag', async () => {
    const { res } = await get();
    const again = await t.app.inject({ url: '/api/boundaries/regions.topojson', headers: { 'if-none-match': String(res.headers.etag) } });
    expect(again.statusCode).toBe(304);
  });

  it('refuses an unknown detail level with a problem', async () => {
    const { res } = await get('?detail=medium');
    expect(res.statusCode).toBe(400);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
  });
});

describe('test scenes are flagged in the catalog', () => {
  const item = (id: string) => JSON.parse(readFileSync(join(FIXTURES, `catalog/${id}.json`), 'utf8')) as StacItem;
  it('the bundled Landsat test scene is purpose "test", the Mato Grosso scenes "data"', () => {
    expect(sceneFromItem(item('landsat-bahamas'), join(FIXTURES, 'catalog/landsat-bahamas.json'), 'v').purpose).toBe('test');
    expect(sceneFromItem(item('sinop'), join(FIXTURES, 'catalog/sinop.json'), 'v').purpose).toBe('data');
  });
  it('the start-of-season rasters are purpose "product" (out of the users\' list, still tiles)', () => {
    expect(sceneFromItem(item('sinop-sos'), join(FIXTURES, 'catalog/sinop-sos.json'), 'v').purpose).toBe('product');
    expect(sceneFromItem(item('ipiranga-sos'), join(FIXTURES, 'catalog/ipiranga-sos.json'), 'v').purpose).toBe('product');
  });
  it('/api/scenes states the purpose of each scene', async () => {
    const res = await t.app.inject({ url: '/api/scenes' });
    const scenes = (res.json() as { scenes: Array<{ id: string; purpose: string }> }).scenes;
    expect(scenes.map((s) => s.purpose)).toEqual(['data', 'data']);
  });
});

describe('the dashboard page preloads what its choropleth waits for', () => {
  const links = (header: unknown) => String(header ?? '').split(', ').map((l) => /^<([^>]+)>; rel=preload; as=fetch; crossorigin=anonymous; fetchpriority=low$/.exec(l)?.[1]);

  it('names the default crop\'s yield-gap table and normals of the default year, each answering', async () => {
    const r = t.app.regions;
    const urls = dashboardPreloads(t.app, {});
    expect(urls).toEqual([`/api/yield-gap?crop=${r.defaultCrop}`, `/api/normals?crop=${r.defaultCrop}&year=${r.defaultYear}`]);
    for (const url of urls) {
      const res = await t.app.inject({ url });
      expect(res.statusCode, url).toBe(200);
      expect(res.headers['content-type']).toMatch(/json/);
    }
  });

  it('follows the page\'s crop and year when the server has them, else the defaults', async () => {
    const r = t.app.regions;
    const other = r.crops.find((c) => c !== r.defaultCrop)!;
    const [first] = r.yearRange(other);
    expect(dashboardPreloads(t.app, { crop: other, year: String(first) })).toEqual([`/api/yield-gap?crop=${other}`, `/api/normals?crop=${other}&year=${first}`]);
    expect(dashboardPreloads(t.app, { crop: 'rice', year: '1850' })).toEqual([`/api/yield-gap?crop=${r.defaultCrop}`, `/api/normals?crop=${r.defaultCrop}&year=${r.defaultYear}`]);
  });

  it.skipIf(!existsSync(join(PACKAGE_ROOT, 'client', 'dist', 'index.html')))('sends them as a Link header with the page (built client only)', async () => {
    const res = await t.app.inject({ url: '/?lang=pt' });
    expect(res.statusCode).toBe(200);
    expect(links(res.headers.link)).toEqual(dashboardPreloads(t.app, {}));
    const api = await t.app.inject({ url: '/api/crops' });
    expect(api.headers.link).toBeUndefined();
  });
});
