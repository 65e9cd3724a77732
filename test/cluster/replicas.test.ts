/**
 * Two replicas and two workers behind nginx on loopback (scripts/cluster-up.ts), on a fresh
 * PostgreSQL database and a private Redis:
 *   - a field report written through one replica is read through the other;
 *   - a scene added through one replica is tiled by the other within a second (LISTEN/NOTIFY);
 *   - kill -9 of one replica during a bounded mixed GET load through nginx (test/cluster/mixed-load.ts):
 *     no failed GET (proxy_next_upstream retries the other replica); p50/p99 before and after are printed.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCluster, type Cluster } from '../../scripts/cluster-up.js';
import { FIXTURES, SINOP_EVI, SINOP_NDVI, TEST_FIXTURES } from '../helpers/test-app.js';
import { createDatabase, startRedis, type TestDatabase, type TestRedis } from './support.js';
import { mixedLoadWithKill } from './mixed-load.js';

const TOKEN = 'cluster-test-token-0123456789';
const AUTH = { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' };
const LOAD_SECONDS = Number(process.env['GRANARY_CLUSTER_LOAD_SECONDS'] ?? 20);

let db: TestDatabase;
let redis: TestRedis;
let dataDir: string;
let cluster: Cluster;

const direct = (i: number, path: string) => `http://127.0.0.1:${cluster.replicas[i]!.port}${path}`;

beforeAll(async () => {
  db = await createDatabase();
  redis = await startRedis();
  dataDir = await mkdtemp(join(tmpdir(), 'granary-cluster-data-'));
  cluster = await startCluster({
    replicas: 2,
    workers: 2,
    databaseUrl: db.url,
    redisUrl: redis.url,
    dataDir,
    env: { GRANARY_TOKEN: TOKEN, GRANARY_READ_DIRS: `${FIXTURES},${TEST_FIXTURES}`, GRANARY_WORKERS: '1', GRANARY_RATE_LIMIT: '0', GRANARY_MAX_EVENT_LOOP_DELAY_MS: '0', GRANARY_LOG_LEVEL: 'warn' },
  });
  const r = await fetch(`${cluster.url}/api/scenes`, { method: 'POST', headers: AUTH, body: JSON.stringify({ id: 'sinop', hrefs: [SINOP_NDVI, SINOP_EVI], scale: 0.0001, title: 'Sinop' }) });
  expect(r.status).toBe(201);
}, 180_000);

afterAll(async () => {
  await cluster?.stop();
  await redis?.stop();
  await db?.drop();
  await rm(dataDir, { recursive: true, force: true });
}, 60_000);

describe('two replicas behind nginx', () => {
  it('both replicas are ready and name PostgreSQL, Redis and the catalog', async () => {
    for (const i of [0, 1]) {
      const r = (await (await fetch(direct(i, "/readyz"))).json()) as { status: string; mode: string; checks: Record<string, { detail: string }> };
      expect(r.status).toBe('ready');
      expect(r.mode).toBe('cluster');
      expect(Object.keys(r.checks).sort()).toEqual(['catalog', 'database', 'redis']);
      expect(r.checks["database"]!.detail).toMatch(/PostGIS/);
    }
  });

  it('reads through one replica a field report written through the other', async () => {
    const w = await fetch(direct(0, '/api/field-reports'), { method: 'POST', headers: AUTH, body: JSON.stringify({ lon: -55.51, lat: -11.86, class: 'Soy_Corn', date: '2014-02-10', note: 'written on replica 1' }) });
    expect(w.status).toBe(201);
    const { id } = (await w.json()) as { id: number };
    const r = await fetch(direct(1, `/api/field-reports/${id}`), { headers: AUTH });
    expect(r.status).toBe(200);
    expect(await r.json()).toMatchObject({ id, class: 'Soy_Corn', note: 'written on replica 1', status: 'pending' });
    // approved on replica 2, served as data by replica 1
    expect((await fetch(direct(1, `/api/field-reports/${id}/approve`), { method: 'POST', headers: AUTH, body: '{}' })).status).toBe(200);
    const items = (await (await fetch(direct(0, "/collections/field-reports/items"))).json()) as { features: Array<{ id: unknown }> };
    expect(items.features.map((f: { id: unknown }) => String(f.id))).toContain(String(id));
  });

  it('tiles on one replica, within a second, a scene added through the other', async () => {
    const tile = direct(1, '/tiles/sinop2/10/354/545.png?variable=ndvi');
    expect((await fetch(tile)).status).toBe(404);
    const add = await fetch(direct(0, '/api/scenes'), { method: 'POST', headers: AUTH, body: JSON.stringify({ id: 'sinop2', hrefs: [SINOP_NDVI, SINOP_EVI], scale: 0.0001 }) });
    expect(add.status).toBe(201);
    const t0 = performance.now();
    let status = 0;
    while (performance.now() - t0 < 1000) {
      status = (await fetch(tile)).status;
      if (status === 200) break;
      await new Promise((r) => setTimeout(r, 20));
    }
    const ms = performance.now() - t0;
    console.log(`scene added on replica 1 tiled by replica 2 after ${ms.toFixed(0)} ms`);
    expect(status).toBe(200);
    expect(ms).toBeLessThan(1000);
  });

  it('answers every GET through nginx while one replica is killed with SIGKILL under load', async () => {
    const r = await mixedLoadWithKill(cluster, LOAD_SECONDS);
    console.log(r.summary);
    if (r.failed.length > 0) {
      // what nginx saw of the failed requests (upstream resets, cut bodies), for the reader of a red run
      const log = await readFile(join(cluster.runDir, 'error.log'), 'utf8').catch(() => '');
      console.log(`nginx error.log (last 20 lines):\n${log.trim().split('\n').slice(-20).join('\n')}`);
    }
    expect(r.after.n).toBeGreaterThan(20);
    expect(r.failed.slice(0, 5)).toEqual([]);
  }, 120_000);
});
