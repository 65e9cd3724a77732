/**
 * The worker child `granary serve` forks before its own modules load (server/workers/fork-child.ts):
 * the pool adopts it as its first interactive child when it was forked for the same entry, heap
 * limit and init (it answers tasks: its pid is the one forked early), and stops it otherwise. Given
 * its init and a first task early (its priming), the child runs that task before the pool exists,
 * and the pool's stopPriming() reaches it even before it has started.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { forkEarlyWorker, startEarlyWorker, takeEarlyWorker } from '../../../server/workers/fork-child.js';
import { WorkerPool } from '../../../server/workers/pool.js';
import type { FaultTasks } from '../../hardening/fault-tasks.js';

const ENTRY = new URL('../../hardening/pool-entry.ts', import.meta.url);
let pool: WorkerPool<FaultTasks> | null = null;
afterEach(async () => {
  await pool?.close();
  pool = null;
});

const make = (heapMb: number) =>
  (pool = new WorkerPool<FaultTasks>({ size: 1, bulkSize: 1, queueLimit: 4, bulkQueueLimit: 4, bulkCpuMsPerClientMinute: 0, taskTimeoutMs: 10_000, heapMb, entry: ENTRY, init: null, lanes: {} }));

describe('early worker child', () => {
  it('is adopted by a pool for the same entry and heap limit: the first task runs in it', async () => {
    const pid = forkEarlyWorker(ENTRY, 128);
    const p = make(128);
    expect(p.pids()).toEqual([pid]);
    expect(await p.run('pid-for-test', null)).toBe(pid);
    expect(takeEarlyWorker(ENTRY, 128, { t: 'init', init: null, extra: [] })).toBeNull(); // taken once
  }, 30_000);

  it('given its init and a first task early, runs that task before its first request, in the child the pool adopts', async () => {
    const pid = startEarlyWorker(ENTRY, 128, { init: { t: 'init', init: null, extra: [] }, first: { kind: 'prime-for-test', input: null } });
    const p = make(128);
    expect(p.pids()).toEqual([pid]);
    expect(await p.run('primed-for-test', null)).toEqual({ pid, primed: true });
  }, 30_000);

  it('stopPriming() reaches the early first task even before the child has started it', async () => {
    // a first task of 20 s that checks its signal: stopped at once, the next request is answered
    const pid = startEarlyWorker(ENTRY, 128, { init: { t: 'init', init: null, extra: [] }, first: { kind: 'spin-for-test', input: { ms: 20_000 } } });
    const p = make(128);
    p.stopPriming();
    const t0 = performance.now();
    expect(await p.run('pid-for-test', null)).toBe(pid);
    expect(performance.now() - t0).toBeLessThan(10_000);
  }, 30_000);

  it('is stopped, not adopted, when it was given another init than the pool gives', async () => {
    const pid = startEarlyWorker(ENTRY, 128, { init: { t: 'init', init: { other: true }, extra: [] } })!;
    const p = make(128);
    expect(await p.run('pid-for-test', null)).not.toBe(pid);
  }, 30_000);

  it('is stopped, not adopted, when the pool wants another heap limit', async () => {
    const pid = forkEarlyWorker(ENTRY, 128)!;
    const p = make(256);
    const answered = await p.run('pid-for-test', null);
    expect(answered).not.toBe(pid);
    // the early child was stopped (asked until it is gone: a busy machine may take a moment)
    const gone = () => {
      try {
        process.kill(pid, 0);
        return false;
      } catch {
        return true;
      }
    };
    for (let i = 0; i < 100 && !gone(); i++) await new Promise((r) => setTimeout(r, 50));
    expect(gone()).toBe(true);
  }, 30_000);
});
