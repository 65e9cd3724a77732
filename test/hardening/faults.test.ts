/**
 * Faults: a worker that crashes or hangs is replaced and its request answered 503 with
 * Retry-After, and the next tile is served; a remote COG host that stops answering gives 504 for
 * the requests that need it while every other request is served; a full queue answers 503 with
 * Retry-After at once.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp, sourcePolicy } from '../../server/app.js';
import { loadConfig } from '../../server/config.js';
import { Catalog } from '../../server/catalog/catalog.js';
import { inspectScene } from '../../server/catalog/inspect.js';
import { FIXTURES, SINOP, SINOP_NDVI, TEST_FIXTURES } from '../helpers/test-app.js';
import { FAULT_TASKS, type FaultTasks } from './fault-tasks.js';
import type { WorkerPool } from '../../server/workers/pool.js';
import type { TaskMap } from '../../server/workers/tasks.js';
import { taskOptions } from '../../server/workers/request-options.js';
import { request } from 'node:http';
import { expectProblem, rangeServer, silentServer, TOKEN, type LocalServer, type RangeServerMode } from './support.js';
import { checkContract } from '../helpers/contract.js';

const TILE = '/tiles/sinop/12/1416/2181.png';
const REMOTE_TIMEOUT_MS = 600;
const TASK_TIMEOUT_MS = 4000;

let app: FastifyInstance;
let dataDir: string;
let remote: LocalServer & { mode: RangeServerMode };
let silent: LocalServer;
let downPort: number; // allowlisted, nothing listening
const auth = { authorization: `Bearer ${TOKEN}` };

beforeAll(async () => {
  remote = await rangeServer({ '/a.tif': SINOP_NDVI, '/b.tif': SINOP_NDVI });
  silent = await silentServer();
  const down = await silentServer();
  downPort = down.port;
  await down.close();
  dataDir = await mkdtemp(join(tmpdir(), 'granary-faults-'));
  const config = loadConfig({
    GRANARY_DATA_DIR: dataDir,
    GRANARY_READ_DIRS: `${FIXTURES},${TEST_FIXTURES}`,
    GRANARY_WORKERS: '1',
    GRANARY_LOG_LEVEL: 'silent',
    GRANARY_TOKEN: TOKEN,
    GRANARY_TASK_TIMEOUT_MS: String(TASK_TIMEOUT_MS),
    GRANARY_WORKER_HEAP_MB: '256', // the V8 fatal error test reaches the heap limit quickly
    GRANARY_REMOTE_TIMEOUT_MS: String(REMOTE_TIMEOUT_MS),
    GRANARY_REMOTE_HOSTS: `127.0.0.1:${remote.port},127.0.0.1:${silent.port},127.0.0.1:${downPort}`,
    GRANARY_RATE_LIMIT: '0',
  });
  const catalog = new Catalog(join(dataDir, 'catalog'));
  await catalog.save(await inspectScene(SINOP.hrefs, { id: SINOP.id, ...SINOP.options }, sourcePolicy(config), catalog.dir), { replace: true });
  app = checkContract(await buildApp(config, { extraWorkerTasks: [FAULT_TASKS] }));
  // test-only routes that run the pool's fault tasks inside a request
  const pool = app.pool as unknown as WorkerPool<TaskMap & FaultTasks>;
  app.get('/test/crash', async () => pool.run('crash-for-test', null));
  app.get('/test/hang', async () => pool.run('hang-for-test', null));
  app.get('/test/abort', async () => pool.run('abort-for-test', null));
  app.get<{ Querystring: { ms: string } }>('/test/spin', async (req, reply) => pool.run('spin-for-test', { ms: Number(req.query.ms) }, taskOptions(req, reply)));
  await app.ready();
}, 180_000); // registering Sinop and starting the workers takes a minute on a loaded 2-core machine
afterAll(async () => {
  await app?.close();
  await remote?.close();
  await silent?.close();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

describe('worker faults', () => {
  it('a worker that crashes: its request gets 503 + Retry-After, the worker is replaced, the next tile is served', async () => {
    const restarts = app.pool.stats.restarts;
    const res = await app.inject({ url: '/test/crash' });
    expectProblem(res, 503);
    expect(res.headers['retry-after']).toBeDefined();
    expect(res.json().detail).toMatch(/worker/);
    expect(app.pool.stats.restarts).toBe(restarts + 1);
    const tile = await app.inject({ url: TILE });
    expect(tile.statusCode).toBe(200);
    expect(tile.headers['content-type']).toBe('image/png');
  });

  it('a worker that hangs: stopped after the task timeout, its request gets 503 + Retry-After, the next tile is served', async () => {
    const restarts = app.pool.stats.restarts;
    const t0 = Date.now();
    const res = await app.inject({ url: '/test/hang' });
    expectProblem(res, 503);
    expect(res.headers['retry-after']).toBeDefined();
    expect(res.json().detail).toMatch(/longer than/);
    expect(Date.now() - t0).toBeLessThan(TASK_TIMEOUT_MS + 20_000); // doesn't hang
    expect(app.pool.stats.restarts).toBe(restarts + 1);
    const tile = await app.inject({ url: '/tiles/sinop/12/1416/2180.png' });
    expect(tile.statusCode).toBe(200);
  });

  it('a V8 fatal error (heap out of memory) in a task: 503 for that request, the service and the next tile are fine', async () => {
    await app.pool.ready();
    const res = await app.inject({ url: '/test/abort' });
    expectProblem(res, 503);
    expect(res.json().detail).toMatch(/worker process/);
    expect((await app.inject({ url: '/tiles/sinop/12/1416/2182.png' })).statusCode).toBe(200);
  });

  it('a worker process killed in the middle of a task: that request fails cleanly (503 problem), the next one succeeds', async () => {
    await app.pool.ready();
    const pending = app.inject({ url: '/test/spin?ms=8000' });
    await new Promise((r) => setTimeout(r, 500));
    const pool = app.pool as unknown as WorkerPool<TaskMap & FaultTasks>;
    expect(pool.laneStats().interactive.running).toBe(1);
    process.kill(pool.pids()[0]!, 'SIGKILL');
    const res = await pending;
    expectProblem(res, 503);
    expect(res.json().detail).toMatch(/killed \(SIGKILL\) while running this spin-for-test task/);
    expect((await app.inject({ url: '/tiles/sinop/12/1416/2183.png' })).statusCode).toBe(200);
  });

  it('a client that goes away: its running task is stopped in the worker (the worker is free at once)', async () => {
    await app.pool.ready();
    const address = await app.listen({ port: 0, host: '127.0.0.1' });
    const cancelled = app.pool.stats.cancelled;
    const req = request(`${address}/test/spin?ms=20000`);
    req.on('error', () => undefined);
    req.end();
    await new Promise((r) => setTimeout(r, 700));
    req.destroy();
    const t0 = Date.now();
    await new Promise((r) => setTimeout(r, 100));
    expect(app.pool.stats.cancelled).toBe(cancelled + 1);
    expect((await app.inject({ url: '/tiles/sinop/12/1416/2184.png' })).statusCode).toBe(200);
    expect(Date.now() - t0).toBeLessThan(5000); // not after the 20 s task
  });

  it('the pool keeps its size through crashes', async () => {
    for (let i = 0; i < 2; i++) expect((await app.inject({ url: '/test/crash' })).statusCode).toBe(503);
    expect(app.pool.stats.workers).toBe(1);
    expect((await app.inject({ url: '/tiles/sinop/11/708/1090.png' })).statusCode).toBe(200);
    expect((await app.inject({ url: '/healthz' })).statusCode).toBe(200);
  });
});

describe('remote COG faults', () => {
  it('an allowlisted remote COG is registered and served', async () => {
    for (const [id, path] of [['remote-a', '/a.tif'], ['remote-b', '/b.tif']] as const) {
      const res = await app.inject({ method: 'POST', url: '/api/scenes', headers: auth, payload: { id, hrefs: [`http://127.0.0.1:${remote.port}${path}`], variables: ['ndvi'], scale: 0.0001 } });
      expect(res.statusCode, res.body.slice(0, 300)).toBe(201);
    }
    const tile = await app.inject({ url: '/tiles/remote-b/12/1416/2181.png' });
    expect(tile.statusCode, tile.body.slice(0, 300)).toBe(200);
  });

  it('a remote host that stops answering: 504 for its tiles only; local tiles are served meanwhile', async () => {
    remote.mode.hang = true;
    try {
      const t0 = Date.now();
      const [slow, local] = await Promise.all([app.inject({ url: '/tiles/remote-a/12/1416/2181.png' }), app.inject({ url: '/tiles/sinop/10/354/545.png' })]);
      expectProblem(slow, 504);
      expect(slow.json().detail).toMatch(/did not answer within/);
      expect(local.statusCode).toBe(200);
      expect(Date.now() - t0).toBeLessThan(TASK_TIMEOUT_MS + 20_000);
      // the worker was not replaced for it: a timeout is not a crash
      expect((await app.inject({ url: '/tiles/sinop/10/354/546.png' })).statusCode).toBe(200);
    } finally {
      remote.mode.hang = false;
    }
  });

  it('registering a COG on a host that accepts and never answers: 504', async () => {
    const res = await app.inject({ method: 'POST', url: '/api/scenes', headers: auth, payload: { id: 'never', hrefs: [`http://127.0.0.1:${silent.port}/x.tif`], variables: ['ndvi'] } });
    expectProblem(res, 504);
    expect(silent.hits.length).toBeGreaterThan(0);
    expect((await app.inject({ url: '/healthz' })).statusCode).toBe(200);
  });

  it('a remote host that is down (connection refused): 502 for that request, not a crash', async () => {
    const res = await app.inject({ method: 'POST', url: '/api/scenes', headers: auth, payload: { id: 'down', hrefs: [`http://127.0.0.1:${downPort}/x.tif`], variables: ['ndvi'] } });
    expectProblem(res, 502);
    expect((await app.inject({ url: '/tiles/sinop/10/354/545.png' })).statusCode).toBe(200);
  });
});

describe('overload', () => {
  it('a full queue answers 503 + Retry-After at once instead of queueing without bound', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'granary-queue-'));
    const config = loadConfig({ GRANARY_DATA_DIR: dir, GRANARY_READ_DIRS: FIXTURES, GRANARY_WORKERS: '1', GRANARY_QUEUE_LIMIT: '2', GRANARY_LOG_LEVEL: 'silent', GRANARY_RATE_LIMIT: '0', GRANARY_TASK_TIMEOUT_MS: '2000' });
    const catalog = new Catalog(join(dir, 'catalog'));
    await catalog.save(await inspectScene(SINOP.hrefs, { id: SINOP.id, ...SINOP.options }, sourcePolicy(config), catalog.dir), { replace: true });
    const small = checkContract(await buildApp(config, { extraWorkerTasks: [FAULT_TASKS] }));
    const pool = small.pool as unknown as WorkerPool<TaskMap & FaultTasks>;
    small.get('/test/hang', async () => pool.run('hang-for-test', null));
    await small.ready();
    try {
      // occupy the only worker (2 tasks in flight per worker), then more than the queue holds
      const busy = [small.inject({ url: '/test/hang' }), small.inject({ url: '/test/hang' })];
      await new Promise((r) => setTimeout(r, 100));
      const burst = await Promise.all(Array.from({ length: 6 }, (_, i) => small.inject({ url: `/tiles/sinop/12/1416/${2175 + i}.png` })));
      const refused = burst.filter((r) => r.statusCode === 503);
      expect(refused.length).toBeGreaterThanOrEqual(4);
      for (const r of refused) {
        expectProblem(r, 503);
        expect(r.headers['retry-after']).toBeDefined();
      }
      for (const r of await Promise.all(busy)) expect(r.statusCode).toBe(503);
      expect(small.pool.stats.rejected).toBeGreaterThanOrEqual(4);
      expect((await small.inject({ url: '/tiles/sinop/12/1416/2181.png' })).statusCode).toBe(200);
    } finally {
      await small.close();
      await rm(dir, { recursive: true, force: true });
    }
  });
});
