/**
 * The worker child `granary serve` forks before its own modules load (server/workers/fork-child.ts):
 * the pool adopts it as its first interactive child when it was forked for the same entry and heap
 * limit (it answers tasks: its pid is the one forked early), and stops it otherwise.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { forkEarlyWorker, takeEarlyWorker } from '../../../server/workers/fork-child.js';
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
    expect(takeEarlyWorker(ENTRY, 128)).toBeNull(); // taken once
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
