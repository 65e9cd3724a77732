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
