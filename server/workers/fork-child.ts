/**
 * Forking a worker child (workers/boot.mjs with the task-table entry), and the one child `granary
 * serve` forks first thing: bin/granary.js forks it (with the default heap limit) before the
 * service's bundle loads, so the child loads its modules (~200 ms) while the server loads and builds
 * (~350 ms) on the other core.
 *
 * Once the configuration is read, the CLI gives that child its init and a first task
 * (startEarlyWorker): its priming (the 'prime-catalog' task: its first tiles and crop tiles), done
 * while the server is still being built, so the process is healthy and warm at about the same
 * moment. The pool adopts the child as its first interactive child when it was forked for the same
 * entry and heap limit, was given the same init message and is still alive, taking over its state
 * (ready, first task running or done); otherwise it forks its own and the early one is stopped.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { childEnv } from '../util/child-env.js';

const BOOT = fileURLToPath(new URL('./boot.mjs', import.meta.url));

/** The id of the early child's first task (the pool numbers its own tasks from 1). */
export const EARLY_TASK_ID = -1;

/**
 * The garbage collector on the child's own thread, without V8's helper threads. A child runs one
 * task at a time and the pool keeps about one child per core, so helper threads only compete with
 * the other children: on the Landsat bench tiles (GRANARY_WORKERS=2, concurrency 1, /proc CPU of
 * the tile child over 8 s, two runs each) 3.0-3.5 ms per tile with this flag, 3.8-4.4 without it,
 * at the same throughput.
 */
const WORKER_V8_FLAGS = ['--single-threaded-gc'];

export function forkWorkerChild(entry: URL, heapMb: number): ChildProcess {
  // without NODE_EXTRA_CA_CERTS (util/child-env.ts): the one place a worker needs it, the reading
  // of remote COGs, gets the file from its init (SourcePolicy.extraCaFile)
  return fork(BOOT, [entry.href], {
    env: childEnv(process.env),
    execArgv: [`--max-old-space-size=${heapMb}`, ...WORKER_V8_FLAGS],
    serialization: 'advanced',
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
}

/** The init message every child gets first (child.ts): the pool's `init` and its extra task modules. */
export interface InitMessage {
  t: 'init';
  init: unknown;
  extra: string[];
  /** a task the child runs as soon as it is ready, before any other */
  first?: { id: number; kind: string; input: unknown };
}

/** What makes two init messages interchangeable (not the first task). */
const initKey = (m: InitMessage) => JSON.stringify([m.init, m.extra]);

/** What the early child is given before the pool exists: its init message and a task to run first. */
interface EarlyStart {
  init: InitMessage;
  first?: { kind: string; input: unknown };
}

interface Early {
  entry: string;
  heapMb: number;
  proc: ChildProcess;
  /** initKey of the init message sent, if one was */
  initKey: string | null;
  ready: boolean;
  /** the task sent with the init, if any */
  first: { kind: string; input: unknown } | null;
  firstDone: boolean;
  listener: ((m: { t: string; id?: number }) => void) | null;
}

// The early child is forked by bin/granary.js, from this module's compiled copy in dist/, before the
// service's bundle loads, and given its init by the bundle's copy of this module: one state for both
const EARLY = Symbol.for('granary.earlyWorker');
const state = globalThis as typeof globalThis & { [EARLY]?: Early | null };

/**
 * Forks the first worker child now, for the pool built later in this process to adopt (its pid):
 * the child loads its modules while this process loads its own. It waits for its init
 * (startEarlyWorker, or the pool's when adopted as is).
 */
export function forkEarlyWorker(entry: URL, heapMb: number): number | undefined {
  const e = state[EARLY];
  if (e) return e.proc.pid;
  const proc = forkWorkerChild(entry, heapMb);
  // a fork that fails emits 'error': the pool then forks its own (an unheard 'error' would throw)
  proc.on('error', () => undefined);
  state[EARLY] = { entry: entry.href, heapMb, proc, initKey: null, ready: false, first: null, firstDone: false, listener: null };
  return proc.pid;
}

/**
 * Gives the early child (forked now if there is none, or none for this entry and heap limit) its
 * init and the task it runs as soon as it is ready (its priming), before the pool exists.
 */
export function startEarlyWorker(entry: URL, heapMb: number, start: EarlyStart): number | undefined {
  const old = state[EARLY];
  if (old && (old.entry !== entry.href || old.heapMb !== heapMb || old.initKey !== null)) {
    old.proc.kill();
    state[EARLY] = null;
  }
  forkEarlyWorker(entry, heapMb);
  const early = state[EARLY]!;
  early.initKey = initKey(start.init);
  early.first = start.first ?? null;
  early.proc.send({ ...start.init, ...(early.first ? { first: { id: EARLY_TASK_ID, ...early.first } } : {}) }, undefined, {}, () => undefined);
  early.listener = (m) => {
    if (m.t === 'ready') early.ready = true;
    else if (m.t === 'done' && m.id === EARLY_TASK_ID) early.firstDone = true;
  };
  early.proc.on('message', early.listener);
  return early.proc.pid;
}

/** The early child as the pool takes it over. */
interface AdoptedChild {
  proc: ChildProcess;
  /** its init message was sent (the pool must not send another) */
  initSent: boolean;
  /** it said ready before it was adopted (the pool hears no second 'ready') */
  ready: boolean;
  /** its first task (sent with its init) runs or waits to run now: the pool hears its 'done', with EARLY_TASK_ID */
  firstRunning: string | null;
  /** it was given a first task (ran, runs or will run): its priming */
  primed: boolean;
}

/**
 * The early child if it was forked for this entry and heap limit, with this init message if it was
 * given one, and is still alive (once), else null (a child that does not fit is stopped).
 */
export function takeEarlyWorker(entry: URL, heapMb: number, init: InitMessage): AdoptedChild | null {
  const e = state[EARLY];
  state[EARLY] = null;
  if (!e) return null;
  if (e.listener) e.proc.off('message', e.listener);
  const alive = e.proc.exitCode === null && e.proc.signalCode === null && e.proc.connected;
  const fits = e.entry === entry.href && e.heapMb === heapMb && (e.initKey === null || e.initKey === initKey(init));
  if (alive && fits) {
    return {
      proc: e.proc,
      initSent: e.initKey !== null,
      ready: e.ready,
      firstRunning: e.first && !e.firstDone ? e.first.kind : null,
      primed: e.first !== null,
    };
  }
  if (alive) e.proc.kill();
  return null;
}
