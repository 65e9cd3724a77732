/**
 * Embedded crop-map jobs survive a restart (server/jobs/sqlite-jobs.ts): a finished job's state and
 * result are answered by a new app on the same data directory, and a job the stopped process left
 * running (the row a kill -9 leaves: it cannot be produced in this process, so it is written as that
 * process would have) is reported failed as interrupted, never running or done. Restart = a new app.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp, sourcePolicy } from '../../server/app.js';
import { loadConfig, type Config } from '../../server/config.js';
import { Catalog } from '../../server/catalog/catalog.js';
import { inspectScene } from '../../server/catalog/inspect.js';
import { INTERRUPTED, SqliteJobs } from '../../server/jobs/sqlite-jobs.js';
import { FIXTURES, SINOP, TEST_FIXTURES } from '../helpers/test-app.js';
import { waitFor } from '../cluster/support.js';

const TOKEN = 'jobs-restart-token-0123456789';
const AUTH = { authorization: `Bearer ${TOKEN}` };
let dir: string;
let config: Config;
const apps: FastifyInstance[] = [];
const start = async () => {
  const app = await buildApp(config);
  await app.ready();
  apps.push(app);
  return app;
};

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'granary-jobs-restart-'));
  config = loadConfig({ GRANARY_DATA_DIR: dir, GRANARY_READ_DIRS: `${FIXTURES},${TEST_FIXTURES}`, GRANARY_WORKERS: '1', GRANARY_LOG_LEVEL: 'silent', GRANARY_RATE_LIMIT: '0', GRANARY_MAX_EVENT_LOOP_DELAY_MS: '0', GRANARY_TOKEN: TOKEN });
  const catalog = new Catalog(join(dir, 'catalog'));
  await catalog.save(await inspectScene(SINOP.hrefs, { id: SINOP.id, ...SINOP.options }, sourcePolicy(config), catalog.dir));
}, 60_000);
afterAll(async () => {
  for (const a of apps) await a.close().catch(() => undefined);
  await rm(dir, { recursive: true, force: true });
});

describe('embedded jobs across a restart', () => {
  it('a done job keeps its state and result; one left running is reported failed (interrupted)', async () => {
    const a = await start();
    const sub = await a.inject({ method: 'POST', url: '/api/jobs/cropmap', headers: AUTH, payload: { scene: 'sinop' } });
    expect(sub.statusCode, sub.body).toBe(202);
    const id = sub.json().id as string;
    const done = await waitFor('job done', async () => {
      const j = (await a.inject({ url: `/api/jobs/${id}` })).json();
      if (j.state === 'failed') throw new Error(j.error);
      return j.state === 'done' ? j : null;
    }, 120_000, 100);
    // what a process killed mid-job leaves behind: its row still running
    const killed = { ...done, id: 'jkilled000000', state: 'running' as const, blocksDone: 0, finishedAt: null, result: null, startedAt: new Date().toISOString() };
    await a.close();
    const rows = new SqliteJobs(config.reportsDb);
    rows.save(killed);
    rows.close();

    const b = await start();
    const again = await b.inject({ url: `/api/jobs/${id}` });
    expect(again.statusCode).toBe(200);
    expect(again.json()).toEqual(done);
    const k = (await b.inject({ url: '/api/jobs/jkilled000000' })).json();
    expect(k).toMatchObject({ state: 'failed', error: INTERRUPTED, result: null });
    expect(k.finishedAt).not.toBeNull();
    const list = (await b.inject({ url: '/api/jobs' })).json().jobs as Array<{ id: string; state: string }>;
    expect(list.map((j) => [j.id, j.state])).toEqual(expect.arrayContaining([[id, 'done'], ['jkilled000000', 'failed']]));
    // a new job on the restarted app is recorded too
    const sub2 = await b.inject({ method: 'POST', url: '/api/jobs/cropmap', headers: AUTH, payload: { scene: 'sinop' } });
    expect(sub2.statusCode).toBe(202);
    expect(new SqliteJobs(config.reportsDb).get(sub2.json().id)).not.toBeNull();
  }, 180_000);
});
