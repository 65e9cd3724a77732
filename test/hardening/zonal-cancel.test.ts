/**
 * A dropped zonal-statistics request stops its work between polygons: the client closes its
 * connection, the server cancels the task, the child sees the cancel at the next polygon (the zonal
 * loop gives the event loop a turn between polygons) and takes the next task at once, without
 * being killed and replaced (the pool kills a child only if it ignores a cancel for 2 s).
 * Over real HTTP on a loopback port, so the cancellation comes from the socket closing.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, SINOP, type TestApp } from '../helpers/test-app.js';
import { heavyZonal, httpRequest } from '../bench/fair.js';

let t: TestApp;
let base = '';
let bbox: [number, number, number, number];

beforeAll(async () => {
  t = await createTestApp({ scenes: [SINOP], env: { GRANARY_RATE_LIMIT: '0', GRANARY_WORKERS: '1', GRANARY_BULK_WORKERS: '1', GRANARY_BULK_CPU_S_PER_MIN: '0', GRANARY_TASK_TIMEOUT_MS: '120000', GRANARY_LOG_LEVEL: 'silent' } });
  await t.app.pool.ready();
  base = await t.app.listen({ port: 0, host: '127.0.0.1' });
  bbox = (JSON.parse((await httpRequest(`${base}/api/scenes/sinop`)).body.toString()) as { bbox: [number, number, number, number] }).bbox;
}, 120_000);
afterAll(async () => {
  await t?.close();
});

const zonal = (count: number, signal?: AbortSignal) => httpRequest(`${base}/api/zonal-stats?scene=sinop`, { method: 'POST', body: heavyZonal(bbox, count), headers: { 'content-type': 'application/json' }, ...(signal ? { signal } : {}) });

describe('zonal statistics cancellation', () => {
  it('a dropped heavy request frees its worker between polygons: the next request is answered long before the heavy one would have finished', async () => {
    const pool = t.app.pool;
    // the heavy request's run time, not cancelled (one task: 50 polygons over the whole scene)
    expect((await zonal(1)).status).toBe(200); // warm: bulk child up, blocks cached
    const h0 = performance.now();
    const full = await zonal(50);
    expect(full.status).toBe(200);
    const heavyMs = performance.now() - h0;

    const restarts = pool.stats.restarts;
    const cancelled = pool.stats.cancelled;
    const ac = new AbortController();
    const start = performance.now();
    const dropped = zonal(50, ac.signal).catch((e: Error) => e);
    while (pool.laneStats().bulk.running === 0 && performance.now() - start < 10_000) await new Promise((r) => setTimeout(r, 5));
    await new Promise((r) => setTimeout(r, heavyMs / 4));
    ac.abort();
    const abortedAt = performance.now();
    expect(await dropped).toBeInstanceOf(Error);
    const next = await zonal(1);
    expect(next.status).toBe(200);
    const nextDoneAt = performance.now();
    console.log(`heavy request ${Math.round(heavyMs)} ms; dropped after ${Math.round(abortedAt - start)} ms; the next request answered ${Math.round(nextDoneAt - abortedAt)} ms after the drop`);
    expect(pool.stats.cancelled - cancelled).toBe(1);
    // the next task ran before the heavy one would have finished (it would end at start + heavyMs)
    expect(nextDoneAt - start).toBeLessThan(heavyMs);
    expect(nextDoneAt - abortedAt).toBeLessThan(heavyMs / 2);
    // the child stopped by itself at the next polygon: not killed after the cancel grace time
    expect(pool.stats.restarts).toBe(restarts);
  }, 180_000);
});
