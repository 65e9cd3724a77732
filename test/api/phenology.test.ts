import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { createTestApp, SINOP, IPIRANGA_SCENE, FIXTURES, type TestApp } from '../helpers/test-app.js';
import { buildPhenology } from '../../server/phenology/build.js';
import { createRasterContext } from '../../server/workers/raster-context.js';
import { sourcePolicy } from '../../server/app.js';
import { loadRegions } from '../../server/regions/load.js';
import { regionLookup } from '../../server/regions/point-lookup.js';
import { inspectScene } from '../../server/catalog/inspect.js';
import { SOS_NODATA } from '../../server/phenology/grid.js';
import proj4 from 'proj4';

let t: TestApp;

beforeAll(async () => {
  t = await createTestApp({
    scenes: [SINOP, IPIRANGA_SCENE],
    setup: async ({ dataDir, config, catalog }) => {
      const ctx = createRasterContext({ policy: sourcePolicy(config), blockCacheBytes: 64 * 1024 * 1024 });
      const regionAt = regionLookup(loadRegions(config.regionsConfig).regions);
      for (const [id, samples] of [['sinop', 'sinop_crop_samples_public.csv'], ['ipiranga', 'lucc_mt_samples_public.csv']] as const) {
        const { cogPath, product } = await buildPhenology(ctx, await catalog.get(id), { variable: 'ndvi', outDir: join(dataDir, 'phenology'), regionAt, samplesCsv: join(FIXTURES, 'labels', samples) });
        await catalog.save(await inspectScene([cogPath], { id: product.sosScene, variables: ['sos'], nodata: SOS_NODATA, purpose: 'product' }, sourcePolicy(config), catalog.dir), { replace: true });
      }
      await ctx.close();
    },
  });
}, 120_000);
afterAll(async () => t?.close());

describe('start of season API', () => {
  it('lists the products with their method and tile links, and the tiles draw', async () => {
    const res = await t.app.inject({ url: '/api/phenology' });
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body.products.map((p: { scene: string }) => p.scene).sort()).toEqual(['ipiranga', 'sinop']);
    const ip = body.products.find((p: { scene: string }) => p.scene === 'ipiranga');
    expect(ip.seasons.map((s: { season: number }) => s.season)).toEqual([2007, 2008, 2009, 2010, 2011, 2012]);
    expect(ip.method).toMatch(/20 %/);
    const tj = await t.app.inject({ url: body.products.find((p: { scene: string }) => p.scene === 'sinop').tilejson[0].href });
    expect(tj.statusCode).toBe(200);
    const tile = await t.app.inject({ url: tj.json().tiles[0].replace(/^https?:\/\/[^/]+/, '').replace('{z}', '11').replace('{x}', '707').replace('{y}', '1090') });
    expect(tile.statusCode).toBe(200);
    expect(tile.headers['content-type']).toBe('image/png');
  });

  it('dates a Soybean-maize field of Ipiranga do Norte in every season and places it against its class window', async () => {
    // sample 'Soybean-maize' of lucc_mt_samples_public.csv
    const res = await t.app.inject({ url: '/api/phenology/point?lon=-55.9818&lat=-12.0322&scene=ipiranga&class=Soy_Corn' });
    expect(res.statusCode).toBe(200);
    const b = res.json();
    expect(b.region).toEqual({ id: '5104526', name: 'Ipiranga do Norte' });
    expect(b.seasons).toHaveLength(6);
    expect(b.windows[0].label).toBe('Soybean-maize');
    for (const s of b.seasons.filter((x: { date: string | null }) => x.date)) {
      expect(['earlier', 'within', 'later']).toContain(s.classWindow.position);
      expect(s.municipality.pixelsWithSeason).toBeGreaterThan(900);
    }
  });

  it('uses the crop model\'s class when no class is given (Sinop)', async () => {
    const res = await t.app.inject({ url: '/api/phenology/point?lon=-55.55&lat=-11.65' });
    expect(res.statusCode).toBe(200);
    const b = res.json();
    expect(b.scene).toBe('sinop');
    expect(b.seasons).toHaveLength(1);
    expect(b.class === null || /model/.test(b.class.source)).toBe(true);
  });

  it('gives a municipality\'s distribution per season as JSON and CSV', async () => {
    const res = await t.app.inject({ url: '/api/phenology/regions/5104526' });
    expect(res.statusCode).toBe(200);
    const b = res.json();
    expect(b.seasons.filter((s: { scene: string }) => s.scene === 'ipiranga')).toHaveLength(6);
    expect(b.windows.map((w: { label: string }) => w.label)).toContain('Soybean-millet');
    const csv = await t.app.inject({ url: '/api/phenology/regions/5104526?format=csv' });
    expect(csv.headers['content-type']).toMatch(/text\/csv/);
    expect(csv.body.split('\n')[0]).toMatch(/^regionId,name,scene,season/);
    const none = await t.app.inject({ url: '/api/phenology/regions/5100250' });
    expect(none.statusCode).toBe(200);
    expect(none.json().seasons).toEqual([]);
    expect(none.json().notes[0]).toMatch(/no start-of-season product/);
  });

  it('answers bad input with problem+json', async () => {
    for (const [url, status] of [
      ['/api/phenology/point?lon=10&lat=10', 404],
      ['/api/phenology/point?lon=-55.98&lat=-12.03&scene=nope', 404],
      ['/api/phenology/point?lon=500&lat=0', 400],
      ['/api/phenology/regions/9999999', 404],
      ['/api/phenology/regions/abc', 400],
    ] as const) {
      const res = await t.app.inject({ url });
      expect(res.statusCode, url).toBe(status);
      expect(res.headers['content-type']).toMatch(/application\/problem\+json/);
    }
  });
});

describe('start of season of a field (POST /api/phenology/field)', () => {
  const square = (lon: number, lat: number, half: number) => ({ type: 'Feature', properties: {}, geometry: { type: 'Polygon', coordinates: [[[lon - half, lat - half], [lon + half, lat - half], [lon + half, lat + half], [lon - half, lat + half], [lon - half, lat - half]]] } });
  const post = (body: unknown, query = '', type = 'application/geo+json') => t.app.inject({ method: 'POST', url: `/api/phenology/field${query}`, headers: { 'content-type': type }, payload: typeof body === 'string' ? body : JSON.stringify(body) });

  it('a field inside one pixel has that pixel\'s start of season (the point answer, from the NDVI series) in all six Ipiranga seasons', async () => {
    // the centre of the pixel holding the Soybean-maize sample, from the scene's own georeferencing (STAC)
    const item = (await t.app.inject({ url: '/api/scenes/ipiranga' })).json();
    const at = (await t.app.inject({ url: '/api/phenology/point?lon=-55.9818&lat=-12.0322&scene=ipiranga' })).json();
    const [a, , c, , e, f0] = item.properties['proj:transform'] as number[];
    const [lon, lat] = proj4(item.properties['granary:proj4'], 'EPSG:4326', [c! + (at.pixel.col + 0.5) * a!, f0! + (at.pixel.row + 0.5) * e!]) as [number, number];
    const field = await post(square(lon, lat, 0.0003), '?class=Soy_Corn&scene=ipiranga');
    expect(field.statusCode).toBe(200);
    const f = field.json();
    const point = (await t.app.inject({ url: `/api/phenology/point?lon=${lon}&lat=${lat}&scene=ipiranga&class=Soy_Corn` })).json();
    expect(f.region).toEqual({ id: '5104526', name: 'Ipiranga do Norte' });
    expect(f.class).toEqual({ name: 'Soy_Corn', source: 'query' });
    expect(f.seasons).toHaveLength(6);
    expect(f.field.pixelCount).toBe(1);
    for (const s of f.seasons) {
      const p = point.seasons.find((x: { season: number }) => x.season === s.season);
      // the raster stores whole days; the point answer has the day with a decimal
      if (p.dayOfSeason === null) expect(s.dayOfSeason).toBeNull();
      else expect(Math.abs(s.dayOfSeason - p.dayOfSeason)).toBeLessThanOrEqual(1);
      if (s.dayOfSeason !== null) {
        expect(s.earliest).toBe(s.latest);
        expect(['earlier', 'within', 'later']).toContain(s.classWindow.position);
        expect(s.classWindow.label).toBe('Soybean-maize');
      }
    }
  });

  it('a soy field of several pixels greens up between September and December, its mean between its earliest and latest pixel', async () => {
    const res = await post(square(-55.9818, -12.0322, 0.004).geometry, '?class=Soybean-maize', 'application/json');
    expect(res.statusCode).toBe(200);
    const f = res.json();
    expect(f.field.pixelCount).toBeGreaterThan(9);
    expect(f.field.areaHa).toBeGreaterThan(70);
    for (const s of f.seasons.filter((x: { dayOfSeason: number | null }) => x.dayOfSeason !== null)) {
      expect(s.dayOfSeason).toBeGreaterThanOrEqual(s.earliest);
      expect(s.dayOfSeason).toBeLessThanOrEqual(s.latest);
      expect(s.date >= `${s.season}-09-01` && s.date <= `${s.season}-12-31`, `${s.season}: ${s.date}`).toBe(true);
      expect(s.municipality.p50).not.toBeNull();
    }
  });

  it('takes the field\'s class from the crop map of the scene where there is one (Sinop)', async () => {
    const res = await post(square(-55.55, -11.65, 0.003));
    expect(res.statusCode).toBe(200);
    const f = res.json();
    expect(f.scene).toBe('sinop');
    expect(f.seasons).toHaveLength(1);
    expect(f.class === null || /crop map|model/.test(f.class.source)).toBe(true);
  });

  it('answers bad fields with precise problem+json', async () => {
    const huge = square(-55.9, -12.0, 0.3); // ~ 66 km wide: a region, not a field
    const many = { type: 'Feature', properties: {}, geometry: { type: 'Polygon', coordinates: [[...Array.from({ length: 6000 }, (_, i) => [-55.98 + 0.001 * Math.cos((2 * Math.PI * i) / 6000), -12.03 + 0.001 * Math.sin((2 * Math.PI * i) / 6000)]), [-55.979, -12.03]]] } };
    many.geometry.coordinates[0]![6000] = many.geometry.coordinates[0]![0]!;
    for (const [body, status, detail] of [
      ['{"type":', 400, /not valid JSON/],
      [{ type: 'FeatureCollection', features: [square(-55.98, -12.03, 0.001), square(-55.97, -12.03, 0.001)] }, 400, /one field/],
      [{ type: 'Feature', properties: {}, geometry: { type: 'LineString', coordinates: [[-55.98, -12.03], [-55.97, -12.03]] } }, 400, /not Polygon/],
      [{ type: 'Feature', properties: {}, geometry: { type: 'Polygon', coordinates: [[[-55.98, -12.03], [-55.97, 95]]] } }, 400, /outside WGS84/],
      [huge, 413, /at most 20000 ha/],
      [many, 413, /at most 5000/],
      [square(10, 10, 0.001), 404, /no start-of-season product covers/],
      [{ type: 'Polygon', coordinates: [[[-55.99, -12.04], [-55.97, -12.02], [-55.97, -12.04], [-55.99, -12.02], [-55.99, -12.04]]] }, 400, /self-intersects/],
    ] as const) {
      const res = await post(body);
      expect(res.statusCode, JSON.stringify(detail)).toBe(status);
      expect(res.headers['content-type']).toMatch(/application\/problem\+json/);
      expect(res.json().detail).toMatch(detail);
    }
    const big = await post(`{"type":"Feature","properties":{"pad":"${'x'.repeat(300 * 1024)}"},"geometry":null}`);
    expect(big.statusCode).toBe(413);
    expect(big.headers['content-type']).toMatch(/application\/problem\+json/);
  });

  it('lists the start-of-season rasters as products, not as users\' scenes, and still draws them', async () => {
    const scenes = (await t.app.inject({ url: '/api/scenes' })).json().scenes as Array<{ id: string; purpose: string }>;
    expect(scenes.filter((s) => s.purpose === 'product').map((s) => s.id).sort()).toEqual(['ipiranga-sos', 'sinop-sos']);
    expect(scenes.filter((s) => s.purpose === 'data').map((s) => s.id).sort()).toEqual(['ipiranga', 'sinop']);
    const tile = await t.app.inject({ url: '/tiles/ipiranga-sos/13/2822/4370.png?variable=sos&date=2010-09-01&colormap=viridis&rescale=0,180' });
    expect(tile.statusCode).toBe(200);
  });
});
