/**
 * The same API checks against both modes, through inject():
 *   embedded  files + SQLite + in-process jobs (the default)
 *   cluster   PostgreSQL/PostGIS (fresh database) + BullMQ on a private Redis + one `granary worker`
 *             running in this process
 * Catalog, field reports and their review, the field-reports and crop-map collections (in cluster
 * mode crop-map pages come from SQL through the GiST index: they must equal the embedded answers),
 * jobs, /readyz.
 */
import type { InjectOptions } from 'fastify';
import { afterAll, describe, expect, it } from 'vitest';
import { pino } from 'pino';
import { createTestApp, SINOP, SINOP_EVI, SINOP_NDVI, type TestApp } from '../helpers/test-app.js';
import { startWorker, type RunningWorker } from '../../server/jobs/worker.js';
import { loadConfig } from '../../server/config.js';
import { createDatabase, startRedis, waitFor, type TestDatabase, type TestRedis } from './support.js';

const TOKEN = 'api-modes-token-0123456789abc';
const AUTH = { authorization: `Bearer ${TOKEN}` };

/** crop-map pages by query, filled by the embedded run, compared in the cluster run */
const pages = new Map<string, { numberMatched: number; ids: string[] }>();
/** crop-map answers other than bbox pages (collection document, queryables, one feature, filtered pages, download), filled by the embedded run */
const answers = new Map<string, unknown>();
const ANSWERS = [
  '/collections/crop-map',
  '/collections/crop-map/queryables',
  '/collections/crop-map/items/1',
  '/collections/crop-map/items/17',
  '/collections/crop-map/items/017',
  '/collections/crop-map/items/0',
  '/collections/crop-map/items/abc',
  '/collections/crop-map/items/99999999999',
  '/collections/crop-map/items?className=pasture&limit=5',
  '/collections/crop-map/items?className=PASTURE&bbox=-55.6,-11.7,-55.55,-11.6&limit=1000',
  '/collections/crop-map/items?classId=3&limit=3&offset=2',
  '/collections/crop-map/items?areaHa=456.1483',
  '/collections/crop-map/items?pixels=85&className=Pasture&limit=1000',
  '/collections/crop-map/items?className=nope',
  '/collections/crop-map/items?datetime=2014-01-01/2014-02-01&limit=2',
  '/collections/crop-map/items?datetime=yesterday',
  '/collections/crop-map/items?classId=abc',
  '/collections/crop-map/items?nope=1',
  '/api/layers/crop-map.geojson',
  '/api/layers/crop-map.csv',
];
/** the parts of an answer that must be the same in both modes (the layer's description names its storage; pages carry a timeStamp) */
function comparable(url: string, status: number, body: Record<string, unknown>): unknown {
  const { description, timeStamp, ...rest } = body;
  if (url === '/collections/crop-map') return { status, ...rest };
  if (url.startsWith('/api/layers/') && status === 200) return { status, ...rest, descriptionStart: String(description).slice(0, 9) };
  return { status, ...rest, ...(description === undefined ? {} : { description }), ...(timeStamp === undefined ? {} : { hasTimeStamp: true }) };
}

const QUERIES = ['limit=7', 'limit=5&offset=40', 'bbox=-55.6,-11.7,-55.55,-11.6&limit=1000', 'bbox=-55.52,-11.9,-55.5,-11.85&limit=3&offset=2', 'bbox=10,10,11,11'];

type Mode = 'embedded' | 'cluster';

describe.each<Mode>(['embedded', 'cluster'])('%s mode', (mode) => {
  let t: TestApp;
  let db: TestDatabase | null = null;
  let redis: TestRedis | null = null;
  let worker: RunningWorker | null = null;

  const inject = (o: InjectOptions) => t.app.inject(o);

  it('starts and is ready, naming its backing services', async () => {
    const env: Record<string, string> = { GRANARY_TOKEN: TOKEN, GRANARY_JOB_LOCK_MS: '5000' };
    if (mode === 'cluster') {
      db = await createDatabase();
      redis = await startRedis();
      env['GRANARY_DATABASE_URL'] = db.url;
      env['GRANARY_REDIS_URL'] = redis.url;
    }
    t = await createTestApp({ scenes: [SINOP], env });
    if (mode === 'cluster') worker = await startWorker(loadConfig({ ...process.env, GRANARY_DATA_DIR: t.dataDir, GRANARY_READ_DIRS: t.config.readOnlyDirs.join(','), GRANARY_WORKERS: '1', PORT: '0', ...env }), { logger: pino({ level: 'silent' }) });
    const r = await inject({ url: '/readyz' });
    expect(r.statusCode).toBe(200);
    const body = r.json();
    expect(body.mode).toBe(mode);
    expect(Object.keys(body.checks).sort()).toEqual(mode === 'cluster' ? ['catalog', 'database', 'redis'] : ['catalog', 'database']);
  }, 120_000);

  it('catalog: lists, serves, adds (201, then 409) and refuses unknown scenes (404)', async () => {
    expect((await inject({ url: '/api/scenes' })).json().scenes.map((s: { id: string }) => s.id)).toEqual(['sinop']);
    expect((await inject({ url: '/api/scenes/sinop' })).json().id).toBe('sinop');
    const add = { method: 'POST' as const, url: '/api/scenes', headers: AUTH, payload: { id: 'sinop-b', hrefs: [SINOP_NDVI, SINOP_EVI], scale: 0.0001 } };
    expect((await inject(add)).statusCode).toBe(201);
    expect((await inject(add)).statusCode).toBe(409);
    expect((await inject({ url: '/api/scenes' })).json().scenes.map((s: { id: string }) => s.id).sort()).toEqual(['sinop', 'sinop-b']);
    const tile = await inject({ url: '/tiles/sinop-b/10/354/545.png?variable=ndvi' });
    expect(tile.statusCode).toBe(200);
    expect((await inject({ url: '/api/scenes/nope' })).statusCode).toBe(404);
  });

  it('field reports: validation, review rules, only approved reports served as data', async () => {
    const post = (payload: Record<string, unknown>) => inject({ method: 'POST', url: '/api/field-reports', payload, headers: AUTH });
    expect((await post({ lon: -55.5, lat: -11.86, class: 'Banana', date: '2014-02-10' })).statusCode).toBe(400);
    expect((await post({ lon: -55.5, lat: -11.86, class: 'Soy_Corn', date: '2014-02-31' })).statusCode).toBe(400);
    const a = await post({ lon: -55.5, lat: -11.86, class: 'Soy_Corn', date: '2014-02-10', note: 'first' });
    const b = await post({ lon: -55.4, lat: -11.8, class: 'Pasture', date: '2014-03-01' });
    expect([a.statusCode, b.statusCode]).toEqual([201, 201]);
    const [ida, idb] = [a.json().id, b.json().id];
    expect((await inject({ url: '/api/field-reports?status=pending', headers: AUTH })).json()).toMatchObject({ total: 2, reports: [{ id: ida, note: 'first' }, { id: idb }] });
    expect((await inject({ url: '/api/field-reports' })).statusCode).toBe(401);
    expect((await inject({ method: 'POST', url: `/api/field-reports/${ida}/approve`, headers: AUTH, payload: { note: 'seen' } })).json()).toMatchObject({ status: 'approved', reviewNote: 'seen' });
    expect((await inject({ method: 'POST', url: `/api/field-reports/${ida}/approve`, headers: AUTH, payload: {} })).statusCode).toBe(409);
    expect((await inject({ method: 'POST', url: `/api/field-reports/${idb}/reject`, headers: AUTH, payload: {} })).json().status).toBe('rejected');
    expect((await inject({ method: 'POST', url: '/api/field-reports/999999/approve', headers: AUTH, payload: {} })).statusCode).toBe(404);
    const items = (await inject({ url: '/collections/field-reports/items' })).json();
    expect(items.features.map((f: { id: string }) => String(f.id))).toEqual([String(ida)]);
    expect(items.features[0].geometry.coordinates).toEqual([-55.5, -11.86]);
  });

  it('jobs: token, scene and season checked before queueing; a crop-map job runs to done with progress', async () => {
    const submit = (payload: Record<string, unknown>, headers: Record<string, string> = AUTH) => inject({ method: 'POST', url: '/api/jobs/cropmap', payload, headers });
    expect((await submit({ scene: 'sinop' }, {})).statusCode).toBe(401);
    expect((await submit({ scene: 'nope' })).statusCode).toBe(404);
    expect((await submit({ scene: 'sinop', season: 1999 })).json()).toMatchObject({ status: 400, detail: expect.stringMatching(/season/) });
    expect((await inject({ url: '/api/jobs/jdoesnotexist0' })).statusCode).toBe(404);
    const r = await submit({ scene: 'sinop' });
    expect(r.statusCode).toBe(202);
    const job = r.json();
    expect(r.headers.location).toBe(`/api/jobs/${job.id}`);
    expect(job).toMatchObject({ kind: 'cropmap', params: { scene: 'sinop', model: 'granary-mlp-ndvi-evi', season: 2013 }, blocksTotal: 1 });
    const done = await waitFor('job done', async () => {
      const j = (await inject({ url: `/api/jobs/${job.id}` })).json();
      return j.state === 'done' || j.state === 'failed' ? j : null;
    }, 90_000, 100);
    expect(done.error).toBeNull();
    expect(done).toMatchObject({ state: 'done', blocksDone: 1, result: { width: 254, height: 144, mappedPixels: 36576 } });
    expect(done.requestId).toBe(job.requestId);
    expect((await inject({ url: '/api/jobs' })).json().jobs[0].id).toBe(job.id);
  }, 120_000);

  it('crop-map collection: the same pages in both modes (cluster: bbox, limit, offset in SQL)', async () => {
    for (const q of QUERIES) {
      const r = await inject({ url: `/collections/crop-map/items?${q}` });
      expect(r.statusCode).toBe(200);
      const fc = r.json();
      const got = { numberMatched: fc.numberMatched, ids: fc.features.map((f: { id: string }) => String(f.id)) };
      expect(got.ids.length).toBe(fc.numberReturned);
      if (mode === 'embedded') pages.set(q, got);
      else expect(got, q).toEqual(pages.get(q));
    }
    expect(pages.get('limit=7')!.numberMatched).toBeGreaterThan(2000);
    expect(pages.get('bbox=10,10,11,11')!.numberMatched).toBe(0);
    expect((await inject({ url: '/collections/crop-map/items?bbox=1,2,3' })).statusCode).toBe(400);
  });

  it('crop-map collection: the same documents, features, filtered pages and download in both modes (cluster: no request reads the whole layer)', async () => {
    // cluster: every SQL statement sent for these requests, to prove none reads all polygons
    const sql: string[] = [];
    const pool = t.app.backends.pg;
    const original = pool?.query;
    if (pool && original) {
      pool.query = ((...args: unknown[]) => {
        const a = args[0];
        sql.push(typeof a === 'string' ? a : (a as { text: string }).text);
        return (original as (...a: unknown[]) => unknown).apply(pool, args);
      }) as typeof pool.query;
    }
    try {
      for (const url of ANSWERS) {
        const r = await inject({ url });
        const got = comparable(url, r.statusCode, r.json());
        if (mode === 'embedded') answers.set(url, got);
        else expect.soft(got, url).toEqual(answers.get(url));
      }
    } finally {
      if (pool && original) pool.query = original;
    }
    const a = (url: string) => answers.get(url) as { status: number; features: unknown[]; numberMatched: number; properties: Record<string, unknown>; detail: string };
    expect(a('/collections/crop-map/items/17').status).toBe(200);
    expect(a('/collections/crop-map/items/017').status).toBe(404);
    expect(Object.keys(a('/collections/crop-map/queryables').properties)).toEqual(expect.arrayContaining(['geometry', 'classId', 'className', 'areaHa', 'meanConfidence']));
    expect(a('/collections/crop-map/items?className=pasture&limit=5').numberMatched).toBeGreaterThan(5);
    expect(a('/collections/crop-map/items?className=PASTURE&bbox=-55.6,-11.7,-55.55,-11.6&limit=1000').numberMatched).toBeGreaterThan(0);
    expect(a('/collections/crop-map/items?className=nope').numberMatched).toBe(0);
    expect(a('/collections/crop-map/items?classId=abc').status).toBe(400);
    expect(a('/collections/crop-map/items?nope=1').detail).toMatch(/^unknown property "nope"/);
    expect(a('/api/layers/crop-map.geojson').features.length).toBeGreaterThan(2000);
    if (mode === 'cluster') {
      const polygonReads = sql.filter((s) => /FROM cropmap_polygons/i.test(s) && /ST_AsGeoJSON/i.test(s));
      // every statement that reads polygons is bounded by a LIMIT (a page, one feature or a keyset page of the download)
      expect(polygonReads.filter((s) => !/\bLIMIT\b/i.test(s))).toEqual([]);
      expect(polygonReads.length).toBeGreaterThan(ANSWERS.length / 2);
      // the download came in keyset pages
      expect(sql.filter((s) => /fid > \$2/.test(s)).length).toBeGreaterThanOrEqual(3);
    }
  }, 120_000);

  afterAll(async () => {
    await worker?.close();
    await t?.close();
    await redis?.stop();
    await db?.drop();
  }, 60_000);
});
