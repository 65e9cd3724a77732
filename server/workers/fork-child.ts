/**
 * Forking a worker child (workers/boot.mjs with the task-table entry), and the one child `granary
 * serve` forks first thing, before the server's own modules load: a child takes ~250 ms to load its
 * modules and the server ~500 ms to load and build, so started together on two cores the worker is
 * ready when the server is, instead of starting only when the pool is built. The pool adopts that
 * child as its first interactive child (and sends it its init) when it was forked for the same entry
 * and heap limit and is still alive; otherwise it forks its own and the early one is stopped.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const BOOT = fileURLToPath(new URL('./boot.mjs', import.meta.url));

export function forkWorkerChild(entry: URL, heapMb: number): ChildProcess {
  return fork(BOOT, [entry.href], {
    execArgv: [`--max-old-space-size=${heapMb}`],
    serialization: 'advanced',
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
}

let early: { entry: string; heapMb: number; proc: ChildProcess } | null = null;

/** Forks the first worker child now, for the pool built later in this process to adopt (its pid). */
export function forkEarlyWorker(entry: URL, heapMb: number): number | undefined {
  if (early) return early.proc.pid;
  const proc = forkWorkerChild(entry, heapMb);
  // a fork that fails emits 'error': the pool then forks its own (an unheard 'error' would throw)
  proc.on('error', () => undefined);
  early = { entry: entry.href, heapMb, proc };
  return proc.pid;
}

/** The early child if it was forked for this entry and heap limit and is still alive (once), else null. */
export function takeEarlyWorker(entry: URL, heapMb: number): ChildProcess | null {
  const e = early;
  early = null;
  if (!e) return null;
  const alive = e.proc.exitCode === null && e.proc.signalCode === null && e.proc.connected;
  if (alive && e.entry === entry.href && e.heapMb === heapMb) return e.proc;
  if (alive) e.proc.kill();
  return null;
}
