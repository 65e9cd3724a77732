/**
 * Test-only worker tasks, loaded into the pool's children by tests alone
 * (`buildApp(config, { extraWorkerTasks: [FAULT_TASKS] })`); the production table has none of them.
 */
import type { TaskContext, TaskSpec } from '../../server/workers/tasks.js';

export type FaultTasks = {
  'crash-for-test': TaskSpec<null, never>;
  'hang-for-test': TaskSpec<null, never>;
  'abort-for-test': TaskSpec<null, never>;
  /** busy for `ms` unless cancelled (checks its signal between slices): answers how long it ran */
  'spin-for-test': TaskSpec<{ ms: number }, { ranMs: number; cancelled: boolean }>;
  'pid-for-test': TaskSpec<null, number>;
  /** a fixed amount of arithmetic (CPU time proportional to n whatever the machine's load) */
  'work-for-test': TaskSpec<{ n: number }, number>;
  /** marks this child primed (WorkerPool.prime); `primed-for-test` answers the mark and the pid */
  'prime-for-test': TaskSpec<null, true>;
  'primed-for-test': TaskSpec<null, { pid: number; primed: boolean }>;
};

let primed = false;

export const FAULT_TASKS = new URL('./fault-tasks.ts', import.meta.url);

export const tasks = {
  'crash-for-test': async () => process.exit(3),
  'hang-for-test': async () => {
    for (;;) {
      /* busy loop: the pool's timeout must replace this child */
    }
  },
  // a V8 fatal error (the kind a worker thread cannot contain): the heap limit is reached
  // ("Reached heap limit ... JavaScript heap out of memory" aborts the process)
  'abort-for-test': async () => {
    const keep: number[][] = [];
    for (;;) keep.push(new Array<number>(1e6).fill(1.5));
  },
  'spin-for-test': async (p: { ms: number }, ctx: TaskContext) => {
    const t0 = performance.now();
    while (performance.now() - t0 < p.ms) {
      if (ctx.signal.aborted) return { ranMs: performance.now() - t0, cancelled: true };
      const s = performance.now();
      while (performance.now() - s < 5) {
        /* burn a 5 ms slice */
      }
      await new Promise((r) => setImmediate(r));
    }
    return { ranMs: performance.now() - t0, cancelled: false };
  },
  'pid-for-test': async () => process.pid,
  'prime-for-test': async () => (primed = true),
  'primed-for-test': async () => ({ pid: process.pid, primed }),
  'work-for-test': async (p: { n: number }) => {
    let x = 0;
    for (let i = 0; i < p.n; i++) x = (x + Math.sqrt(i) * 1.0000001) % 1e9;
    return x;
  },
};
