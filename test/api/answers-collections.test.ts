/**
 * The alerts and the per-municipality start of season as OGC API - Features collections
 * (server/services/layers/answers.ts): the same answers as GET /api/alerts and
 * GET /api/phenology/regions/{id}, drawn as the municipality polygons of the regions collection
 * (an alert in no municipality as the place it was seen), with bbox, limit, offset and property filters.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { copyFile, mkdir, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { Feature, Geometry } from 'geojson';
import { createTestApp, FIXTURES, type TestApp } from '../helpers/test-app.js';

const TOKEN = 'answers-collections-token-0123456789';
const AUTH = { authorization: `Bearer ${TOKEN}` };
let t: TestApp;

type Item = Feature<Geometry, Record<string, unknown>> & { id: string };
const items = async (path: string): Promise<{ numberMatched: number; numberReturned: number; features: Item[] }> => {
  const res = await t.app.inject({ url: path });
  expect(res.statusCode, `${path}: ${res.body.slice(0, 200)}`).toBe(200);
  return res.json();
};
const regionGeometry = async (id: string) => (await t.app.inject({ url: `/collections/regions/items/${id}` })).json().geometry as Geometry;

beforeAll(async () => {
  t = await createTestApp({
    env: { GRANARY_TOKEN: TOKEN, GRANARY_ALERTS_DISPATCH_SECONDS: '0' },
    setup: async ({ dataDir }) => {
      await mkdir(join(dataDir, 'weather'), { recursive: true });
      await copyFile(join(FIXTURES, 'weather/inmet_mt_2025_daily.csv'), join(dataDir, 'weather/inmet_mt_2025_daily.csv'));
      await mkdir(join(dataDir, 'phenology'), { recursive: true });
      for (const f of await readdir(join(FIXTURES, 'phenology'))) await copyFile(join(FIXTURES, 'phenology', f), join(dataDir, 'phenology', f));
    },
  });
  // three approved pest reports close together outside Mato Grosso (Brasília): an alert in no municipality of the regions
  for (const [i, category] of (['pest', 'disease', 'pest'] as const).entries()) {
    const r = await t.app.inject({ method: 'POST', url: '/api/field-reports', headers: AUTH, payload: { lon: -47.9 + i * 0.01, lat: -15.8, class: 'Soy_Corn', date: `2025-11-0${i + 1}`, category } });
    expect(r.statusCode).toBe(201);
    expect((await t.app.inject({ method: 'POST', url: `/api/field-reports/${r.json().id}/approve`, headers: AUTH })).statusCode).toBe(200);
  }
}, 120_000);
afterAll(async () => t?.close());

describe('alerts and start of season as OGC API - Features collections', () => {
  it('lists both collections with their queryables', async () => {
    const ids = (await t.app.inject({ url: '/collections' })).json().collections.map((c: { id: string }) => c.id);
    expect(ids).toEqual(expect.arrayContaining(['alerts', 'start-of-season', 'weather-stations']));
    const q = (await t.app.inject({ url: '/collections/start-of-season/queryables' })).json();
    expect(Object.keys(q.properties)).toEqual(expect.arrayContaining(['regionId', 'season', 'p50', 'p50Date']));
    expect(Object.keys((await t.app.inject({ url: '/ogc/collections/alerts/queryables' })).json().properties)).toEqual(expect.arrayContaining(['kind', 'severity', 'regionId', 'title']));
  });

  it('start-of-season: one municipality polygon per season with the figures of GET /api/phenology/regions/{id}', async () => {
    const all = await items('/collections/start-of-season/items?limit=1000');
    expect(all.numberMatched).toBe(all.features.length);
    const regions = [...new Set(all.features.map((f) => f.properties['regionId'] as string))];
    // Ipiranga do Norte (6 seasons) and the Sinop scene's municipalities
    expect(regions).toContain('5104526');
    expect(all.features.filter((f) => f.properties['regionId'] === '5104526').map((f) => f.properties['season'])).toEqual(expect.arrayContaining([2007, 2008, 2009, 2010, 2011, 2012]));
    for (const id of regions) {
      const api = (await t.app.inject({ url: `/api/phenology/regions/${id}` })).json() as { seasons: Array<{ scene: string; season: number; pixels: number; pixelsWithSeason: number; p10: number | null; p50: number | null; p90: number | null; p50Date: string | null }> };
      const mine = all.features.filter((f) => f.properties['regionId'] === id);
      expect(mine).toHaveLength(api.seasons.length);
      for (const s of api.seasons) {
        const f = mine.find((x) => x.properties['scene'] === s.scene && x.properties['season'] === s.season)!;
        expect(f.id).toBe(`${id}-${s.scene}-${s.season}`);
        expect(f.properties).toMatchObject({ pixels: s.pixels, pixelsWithSeason: s.pixelsWithSeason, p10: s.p10, p50: s.p50, p90: s.p90, p50Date: s.p50Date });
      }
      expect(mine[0]!.geometry).toEqual(await regionGeometry(id));
    }
    // a season as a property filter; the datetime filter by the season's September-August interval
    const s2010 = await items('/collections/start-of-season/items?season=2010&limit=1000');
    expect(s2010.features.map((f) => f.id)).toEqual(all.features.filter((f) => f.properties['season'] === 2010).map((f) => f.id));
    const dt = await items('/collections/start-of-season/items?datetime=2011-01-15&limit=1000');
    expect(dt.features.map((f) => f.id)).toEqual(s2010.features.map((f) => f.id));
  });

  it('start-of-season: bbox keeps the municipalities the box touches (as the regions collection does), limit and offset page', async () => {
    const all = await items('/collections/start-of-season/items?limit=1000');
    // a small box inside Ipiranga do Norte, and one over the Sinop scene
    for (const bbox of ['-55.96,-12.01,-55.94,-11.99', '-55.7,-12.0,-55.3,-11.5']) {
      const touched = new Set((await items(`/collections/regions/items?bbox=${bbox}&limit=1000`)).features.map((f) => String(f.id)));
      const got = await items(`/collections/start-of-season/items?bbox=${bbox}&limit=1000`);
      expect(got.features.length).toBeGreaterThan(0);
      expect(got.features.map((f) => f.id)).toEqual(all.features.filter((f) => touched.has(f.properties['regionId'] as string)).map((f) => f.id));
    }
    expect(new Set((await items('/collections/start-of-season/items?bbox=-55.96,-12.01,-55.94,-11.99')).features.map((f) => f.properties['regionId']))).toEqual(new Set(['5104526']));
    const pages: string[] = [];
    for (let offset = 0; offset < all.features.length; offset += 4) {
      const p = await items(`/collections/start-of-season/items?limit=4&offset=${offset}`);
      expect(p.numberMatched).toBe(all.features.length);
      pages.push(...p.features.map((f) => f.id));
    }
    expect(pages).toEqual(all.features.map((f) => f.id));
    const one = all.features[0]!;
    expect((await t.app.inject({ url: `/collections/start-of-season/items/${one.id}` })).json().properties).toEqual(one.properties);
  });

  it('alerts: the alerts of GET /api/alerts, each as its municipality, in the language asked for', async () => {
    const api = (await t.app.inject({ url: '/api/alerts?limit=5000&lang=pt' })).json() as { asOf: string; alerts: Array<{ id: string; kind: string; severity: string; regionId: string | null; title: string; start: string; end: string; location: { lon: number; lat: number } | null }> };
    expect(api.alerts.length).toBeGreaterThan(0);
    const all = await items('/collections/alerts/items?limit=1000&lang=pt');
    expect(all.features.map((f) => f.id)).toEqual(api.alerts.map((a) => a.id));
    const geoms = new Map<string, Geometry>();
    for (const a of api.alerts) {
      const f = all.features.find((x) => x.id === a.id)!;
      expect(f.properties).toMatchObject({ alertId: a.id, kind: a.kind, severity: a.severity, title: a.title, start: a.start, end: a.end, regionId: a.regionId ?? '', asOf: api.asOf });
      if (a.regionId) {
        if (!geoms.has(a.regionId)) geoms.set(a.regionId, await regionGeometry(a.regionId));
        expect(f.geometry).toEqual(geoms.get(a.regionId));
      }
    }
    // the pest cluster in Brasília is in no municipality of the regions: drawn at the reports' centre
    const unplaced = all.features.filter((f) => f.properties['regionId'] === '');
    expect(unplaced).toHaveLength(1);
    expect(unplaced[0]!.properties).toMatchObject({ kind: 'pest-disease-cluster', code: 'pest-disease-cluster-unplaced' });
    expect(unplaced[0]!.geometry).toEqual({ type: 'Point', coordinates: [-47.89, -15.8] });
    // a dry spell's station is where it was seen
    const dry = all.features.find((f) => f.properties['kind'] === 'dry-spell')!;
    const a = api.alerts.find((x) => x.id === dry.id)!;
    expect(dry.properties['locationLon']).toBeCloseTo(a.location!.lon, 6);
    expect(dry.properties['locationLat']).toBeCloseTo(a.location!.lat, 6);
    // English by default
    const en = (await t.app.inject({ url: '/api/alerts?limit=5000&lang=en' })).json().alerts as Array<{ id: string; title: string }>;
    expect((await items('/collections/alerts/items?limit=1000')).features.map((f) => f.properties['title'])).toEqual(en.map((x) => x.title));
  });

  it('alerts: asOf evaluates with the data up to that day; bbox, kind, limit and offset as on any collection; bad parameters are 400', async () => {
    const oct = (await t.app.inject({ url: '/api/alerts?limit=5000&asOf=2025-10-15' })).json() as { alerts: Array<{ id: string; kind: string }> };
    const got = await items('/collections/alerts/items?limit=1000&asOf=2025-10-15');
    expect(got.features.map((f) => f.id)).toEqual(oct.alerts.map((a) => a.id));
    const all = await items('/collections/alerts/items?limit=1000');
    expect(got.features.length).toBeLessThan(all.features.length);
    const dry = await items('/collections/alerts/items?kind=dry-spell&limit=1000');
    expect(dry.features.map((f) => f.id)).toEqual(all.features.filter((f) => f.properties['kind'] === 'dry-spell').map((f) => f.id));
    // a box over Sinop: the alerts of the municipalities it touches, and not the Brasília cluster
    const bbox = '-55.6,-11.9,-55.4,-11.7';
    const touched = new Set((await items(`/collections/regions/items?bbox=${bbox}&limit=1000`)).features.map((f) => String(f.id)));
    const inBox = await items(`/collections/alerts/items?bbox=${bbox}&limit=1000`);
    expect(inBox.features.length).toBeGreaterThan(0);
    expect(inBox.features.map((f) => f.id)).toEqual(all.features.filter((f) => touched.has(f.properties['regionId'] as string)).map((f) => f.id));
    expect((await items('/collections/alerts/items?bbox=-48,-16,-47.8,-15.7')).features.map((f) => f.properties['kind'])).toEqual(['pest-disease-cluster']);
    const page = await items('/collections/alerts/items?limit=2&offset=1');
    expect(page.numberMatched).toBe(all.features.length);
    expect(page.features.map((f) => f.id)).toEqual(all.features.slice(1, 3).map((f) => f.id));
    for (const bad of ['asOf=2025-13-40', 'asOf=yesterday', 'lang=de', 'bbox=1,2,3']) {
      const res = await t.app.inject({ url: `/collections/alerts/items?${bad}` });
      expect(res.statusCode, bad).toBe(400);
      expect(res.headers['content-type']).toMatch(/problem\+json/);
    }
    const csv = await t.app.inject({ url: '/api/layers/alerts.csv' });
    expect(csv.statusCode).toBe(200);
    expect(csv.body.split('\n')[0]).toMatch(/^alertId,kind,code,severity,regionId,regionName,title,detail/);
  });
});
