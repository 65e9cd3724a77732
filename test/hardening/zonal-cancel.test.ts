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
}, 180_000);
afterAll(async () => {
  await t?.close();
});

const zonal = (count: number, signal?: AbortSignal) => httpRequest(`${base}/api/zonal-stats?scene=sinop`, { method: 'POST', body: heavyZonal(bbox, count), headers: { 'content-type': 'application/json' }, ...(signal ? { signal } : {}) });

describe('zonal statistics cancellation', () => {
  it('a dropped heavy request frees its worker between polygons: the task stops early, the next request is answered at once', async () => {
    const pool = t.app.pool;
    const cpu: number[] = []; // CPU ms of each finished zonal task, measured in its child (load-independent)
    pool.onTaskCpu((kind, ms) => kind === 'zonal-stats' && cpu.push(ms));
    // the heavy request, not cancelled (one task: 50 polygons over the whole scene)
    expect((await zonal(1)).status).toBe(200); // warm: bulk child up, blocks cached
    const h0 = performance.now();
    expect((await zonal(50)).status).toBe(200);
    const heavyMs = performance.now() - h0;
    const heavyCpu = cpu.at(-1)!;

    const restarts = pool.stats.restarts;
    const cancelled = pool.stats.cancelled;
    const ac = new AbortController();
    const start = performance.now();
    const dropped = zonal(50, ac.signal).catch((e: Error) => e);
    while (pool.laneStats().bulk.running === 0 && performance.now() - start < 30_000) await new Promise((r) => setTimeout(r, 5));
    await new Promise((r) => setTimeout(r, heavyMs / 4));
    ac.abort();
    const abortedAt = performance.now();
    expect(await dropped).toBeInstanceOf(Error);
    const next = await zonal(1);
    expect(next.status).toBe(200);
    const nextMs = performance.now() - abortedAt;
    const droppedCpu = cpu.at(-2)!; // the dropped task reported its end before the next one ran
    console.log(`heavy request ${Math.round(heavyMs)} ms (${Math.round(heavyCpu)} CPU ms); dropped after ${Math.round(abortedAt - start)} ms, its task stopped after ${Math.round(droppedCpu)} CPU ms; the next request answered ${Math.round(nextMs)} ms after the drop`);
    expect(pool.stats.cancelled - cancelled).toBe(1);
    // the child stopped by itself at the next polygon: not killed after the 2 s cancel grace time
    // (without the check between polygons it works on, is killed and replaced, and reports no end)
    expect(pool.stats.restarts).toBe(restarts);
    expect(cpu).toHaveLength(4);
    expect(droppedCpu).toBeLessThan(heavyCpu * 0.6);
    // and the next task did not wait for the rest of the heavy one
    expect(nextMs).toBeLessThan(heavyMs);
  }, 300_000);
});
