/**
 * The worker pool itself (server/workers/pool.ts), with a light child entry and the test-only
 * fault tasks: containment of a V8 fatal error, cancellation reaching the child, lanes, affinity,
 * per-client bulk share, per-task CPU.
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { WorkerPool, type PoolOptions } from '../../server/workers/pool.js';
import { GranaryError } from '../../server/errors.js';
import type { FaultTasks } from './fault-tasks.js';

const ENTRY = new URL('./pool-entry.ts', import.meta.url);
const PARENT = new URL('./pool-parent.ts', import.meta.url);
let pool: WorkerPool<FaultTasks> | null = null;

function make(over: Partial<PoolOptions> = {}): WorkerPool<FaultTasks> {
  pool = new WorkerPool<FaultTasks>({
    size: 2,
    bulkSize: 1,
    queueLimit: 16,
    bulkQueueLimit: 4,
    bulkCpuMsPerClientMinute: 0,
    taskTimeoutMs: 10_000,
    heapMb: 128,
    entry: ENTRY,
    init: null,
    lanes: { 'spin-for-test': 'interactive' },
    ...over,
  });
  return pool;
}

afterEach(async () => {
  await pool?.close();
  pool = null;
});

async function rejection(p: Promise<unknown>): Promise<GranaryError> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(GranaryError);
    return e as GranaryError;
  }
  throw new Error('expected a rejection');
}

describe('worker pool (child processes)', () => {
  it('ready() with a time limit returns when no child can start (a warm-up never waits for good)', async () => {
    const p = make({ size: 1, entry: new URL('./no-such-entry.ts', import.meta.url) });
    const t0 = performance.now();
    await p.ready(300);
    expect(performance.now() - t0).toBeLessThan(5_000);
  }, 30_000);

  it('starts the first interactive child at once and the others when it is ready, so the first answers sooner', async () => {
    const p = make({ size: 3 });
    expect(p.pids()).toHaveLength(1);
    const first = p.pids()[0];
    // a task is answered by the first child while the others may still be loading
    expect(await p.run('pid-for-test', null)).toBe(first);
    await p.ready();
    expect(p.pids()).toHaveLength(3);
    expect(new Set(p.pids()).size).toBe(3);
  }, 60_000);

  it('prime(): every child runs the priming task before its first request, a restarted one too; a priming that kills its child is given up', async () => {
    const p = make({ size: 2 });
    p.prime('prime-for-test', null);
    const seen = new Map<number, boolean>();
    for (let i = 0; i < 12; i++) {
      const r = await Promise.all([p.run('primed-for-test', null), p.run('primed-for-test', null)]);
      for (const x of r) seen.set(x.pid, x.primed);
      await p.ready();
    }
    expect(seen.size).toBe(2);
    expect([...seen.values()]).toEqual([true, true]);
    // a child that dies is replaced, and the new one is primed before it answers
    const [victim] = p.pids();
    process.kill(victim!, 'SIGKILL');
    await new Promise((r) => setTimeout(r, 200));
    await p.ready();
    // (the new child primes first, so the other may answer the first pairs: ask until the new one answers)
    let fresh: { pid: number; primed: boolean } | undefined;
    for (let i = 0; i < 50 && !fresh; i++) {
      const after = await Promise.all([p.run('primed-for-test', null), p.run('primed-for-test', null)]);
      expect(after.every((x) => x.primed)).toBe(true);
      fresh = after.find((x) => x.pid !== victim && !seen.has(x.pid));
    }
    expect(fresh?.primed).toBe(true);
    // priming that crashes: one restart, then no more priming, and requests are answered
    await p.close();
    const q = make({ size: 1 });
    q.prime('crash-for-test', null);
    const r = await q.run('primed-for-test', null);
    expect(r.primed).toBe(false);
    expect(q.stats.restarts).toBe(1);
  }, 60_000);

  it('a V8 fatal error in a task ends only its child: the task fails with 503, the next task runs in a new child', async () => {
    const p = make({ size: 1, heapMb: 64 });
    await p.ready();
    const before = await p.run('pid-for-test', null);
    const e = await rejection(p.run('abort-for-test', null));
    expect(e.status).toBe(503);
    expect(e.message).toMatch(/worker process .* while running this abort-for-test task/);
    const after = await p.run('pid-for-test', null);
    expect(after).not.toBe(before);
    expect(p.stats.restarts).toBe(1);
  }, 60_000);

  it('a child killed mid-task: that task fails cleanly, the next one succeeds', async () => {
    const p = make({ size: 1 });
    await p.ready();
    const [pid] = p.pids();
    const running = p.run('spin-for-test', { ms: 5000 });
    await new Promise((r) => setTimeout(r, 200));
    process.kill(pid!, 'SIGKILL');
    const e = await rejection(running);
    expect(e.status).toBe(503);
    expect(e.message).toMatch(/killed \(SIGKILL\)/);
    expect(await p.run('spin-for-test', { ms: 10 })).toMatchObject({ cancelled: false });
  }, 60_000);

  it('cancellation reaches the child: a running task sees its signal and the child is free again at once', async () => {
    const p = make({ size: 1 });
    await p.ready();
    const ac = new AbortController();
    const t0 = performance.now();
    const running = p.run('spin-for-test', { ms: 8000 }, { signal: ac.signal });
    await new Promise((r) => setTimeout(r, 300));
    ac.abort();
    await rejection(running);
    // the child stopped the cancelled task: the next task starts well before 8 s have passed
    const next = await p.run('spin-for-test', { ms: 10 });
    expect(next.cancelled).toBe(false);
    expect(performance.now() - t0).toBeLessThan(4000);
    expect(p.stats.restarts).toBe(0); // it stopped by itself, no kill needed
    expect(p.stats.cancelled).toBe(1);
  }, 60_000);

  it('a queued task whose caller went away is dropped without running', async () => {
    const p = make({ size: 1 });
    await p.ready();
    const busy = p.run('spin-for-test', { ms: 500 });
    const ac = new AbortController();
    const queued = p.run('spin-for-test', { ms: 5000 }, { signal: ac.signal });
    ac.abort();
    await rejection(queued);
    await busy;
    expect(p.stats.completed).toBe(1);
    expect(p.laneStats().interactive.queued).toBe(0);
  }, 60_000);

  it('interactive tasks never wait behind bulk tasks; a full bulk lane answers 503 with Retry-After', async () => {
    const p = make({ size: 1, lanes: { 'spin-for-test': 'bulk' }, bulkQueueLimit: 2 });
    await p.ready();
    await p.run('spin-for-test', { ms: 10 }, { client: 'warm-up' }); // the bulk child starts on first use
    const bulk = Array.from({ length: 3 }, () => p.run('spin-for-test', { ms: 1500 }, { client: 'heavy' }));
    const full = await rejection(p.run('spin-for-test', { ms: 10 }, { client: 'heavy' }));
    expect(full.status).toBe(503);
    expect(full.headers?.['Retry-After']).toBeDefined();
    const t0 = performance.now();
    await p.run('pid-for-test', null); // interactive lane
    expect(performance.now() - t0).toBeLessThan(1000); // not behind 3 x 1.5 s of bulk work
    await Promise.all(bulk);
    const lanes = p.laneStats();
    expect(lanes.bulk.waitMaxMs).toBeGreaterThan(1000);
    expect(lanes.interactive.waitMaxMs).toBeLessThan(1000);
  }, 60_000);

  it('bulk work is shared between clients: a client over its CPU share per minute gets 503 with Retry-After', async () => {
    const p = make({ size: 1, lanes: { 'spin-for-test': 'bulk', 'work-for-test': 'bulk' }, bulkCpuMsPerClientMinute: 20 });
    await p.ready();
    await p.run('work-for-test', { n: 2e7 }, { client: 'a' }); // far more than 20 ms of CPU
    const e = await rejection(p.run('spin-for-test', { ms: 10 }, { client: 'a' }));
    expect(e.status).toBe(503);
    expect(Number(e.headers?.['Retry-After'])).toBeGreaterThan(0);
    expect(await p.run('spin-for-test', { ms: 10 }, { client: 'b' })).toMatchObject({ cancelled: false });
  }, 60_000);

  it('tasks with the same affinity key run in the same child', async () => {
    const p = make({ size: 2 });
    await p.ready();
    for (const key of ['crop|a|1', 'crop|b|2', 'crop|c|3']) {
      const pids = new Set<number>();
      for (let i = 0; i < 4; i++) pids.add(await p.run('pid-for-test', null, { key }));
      expect(pids.size).toBe(1);
    }
  }, 60_000);

  it('reports the CPU time of each task, measured in its child', async () => {
    const p = make({ size: 1 });
    await p.ready();
    const seen: number[] = [];
    p.onTaskCpu((_k, ms) => seen.push(ms));
    const t0 = performance.now();
    await p.run('work-for-test', { n: 5e6 });
    const wall1 = performance.now() - t0;
    await p.run('work-for-test', { n: 4 * 5e6 });
    expect(seen).toHaveLength(2);
    // CPU time, not wall time: proportional to the work whatever else the machine runs
    expect(seen[1]! / seen[0]!).toBeGreaterThan(2.5);
    expect(seen[1]! / seen[0]!).toBeLessThan(6);
    expect(seen[0]!).toBeLessThanOrEqual(wall1 + 5);
  }, 60_000);

  it('a cancel sent to a child that has just died: the task fails once, the child is replaced, the next task runs', async () => {
    const p = make({ size: 1 });
    await p.ready();
    const [pid] = p.pids();
    const ac = new AbortController();
    const running = p.run('spin-for-test', { ms: 5000 }, { signal: ac.signal });
    await new Promise((r) => setTimeout(r, 200));
    process.kill(pid!, 'SIGKILL');
    ac.abort(); // the cancel is written to a channel whose other end is gone (EPIPE)
    expect((await rejection(running)).status).toBe(503);
    expect(await p.run('spin-for-test', { ms: 10 })).toMatchObject({ cancelled: false });
    expect(p.stats.restarts).toBe(1);
  }, 60_000);

  // The parent killed (or exiting) while its child works: the child must not write into the closed
  // channel and die with "Error: write EPIPE" and a stack trace; it exits, saying nothing.
  it.each([
    ['sync', 'SIGKILL'],
    ['sync', 'exit'],
    ['async', 'SIGKILL'],
    ['async', 'exit'],
  ])('a child whose parent dies in the middle of a task (%s work, parent %s) exits quietly', async (mode, death) => {
    // the child inherits the parent's stdout and stderr: both pipes close when the child is gone too
    const parent = spawn(process.execPath, ['--import', 'tsx', PARENT.pathname, mode, death], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    parent.stdout!.on('data', (c: Buffer) => (out += c.toString()));
    parent.stderr!.on('data', (c: Buffer) => (err += c.toString()));
    const closed = new Promise<boolean>((resolve) => {
      let open = 2;
      const done = () => --open === 0 && resolve(true);
      parent.stdout!.on('close', done);
      parent.stderr!.on('close', done);
      setTimeout(() => resolve(false), 90_000).unref();
    });
    const allClosed = await closed;
    const child = Number(/"child":(\d+)/.exec(out)?.[1]);
    expect(Number.isInteger(child), out + err).toBe(true);
    // running: its /proc entry exists and it is not a zombie (an orphan's exit is reaped by init, if ever)
    let alive = false;
    try {
      alive = !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${child}/stat`, 'utf8'));
    } catch {
      alive = false;
    }
    if (alive) process.kill(child, 'SIGKILL'); // our own orphan: do not leave it running
    expect(allClosed && !alive, `child ${child} still running 90 s after its parent died`).toBe(true);
    expect(err).toBe('');
  }, 120_000);
});
