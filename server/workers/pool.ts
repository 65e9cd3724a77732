/**
 * A pool of CHILD PROCESSES for the CPU work (decode, warp, inference, encode, zonal statistics).
 *
 * Why processes and not worker threads: a V8 fatal error ("invalid size error", heap OOM) inside a
 * worker thread aborts the whole process, HTTP server included. In a child process it ends only that
 * child: its tasks fail with a 503 problem, a new child takes its place, every other request goes on.
 * Each child gets its own heap limit (--max-old-space-size).
 *
 * Why hand-written: piscina and tinypool run threads only; workerpool can fork processes but has no
 * lanes with their own workers, no key affinity (a crop block must be classified where it is
 * cached), no per-client share of bulk CPU and no per-task CPU figure for the footprint.
 *
 * - Typed: `WorkerPool<M>` over a task map (`TaskMap` in tasks.ts), so `run('imagery-tile', input)`
 *   checks the input and types the output. Tests add their own kinds with `extraTaskModules`.
 * - Lanes: interactive tasks (tiles, points) run in `size` children; bulk tasks (zonal statistics,
 *   whole-scene work, inspections) in `bulkSize` other children, started on first use and niced, so
 *   a tile never queues behind bulk work and the kernel favours tiles when both compete for a core.
 *   Each lane has its own bounded queue (503 + Retry-After when full). Bulk tasks are taken from the
 *   client with the fewest running, and a client over its bulk CPU share per minute gets 503.
 * - Affinity: a task with a `key` goes to child hash(key) mod size while that child is free or
 *   recently started its task, so a crop block classified once is reused by the next tiles on it.
 * - Cancellation: `signal` (the client went away) drops a queued task; a running one is told to stop
 *   (its handler's AbortSignal) and its child is replaced if it does not stop within a grace time.
 * - Accounting: a child runs one task at a time and reports the process CPU time (user + system,
 *   all its threads: inference and GC threads included) between start and end of the task.
 */
import type { ChildProcess } from 'node:child_process';
import { AsyncLocalStorage } from 'node:async_hooks';
import { setPriority } from 'node:os';
import { EARLY_TASK_ID, forkWorkerChild, takeEarlyWorker, type InitMessage } from './fork-child.js';
import { GranaryError, fromWire, type WireError } from '../errors.js';
import type { Lane, TaskMapBase } from './tasks.js';
import { percentileLinear } from '../analytics/percentile.js';

export interface PoolOptions {
  /** children for interactive tasks (started at once, in parallel) */
  size: number;
  /** children for bulk tasks (started when the first bulk task arrives) */
  bulkSize: number;
  /** interactive tasks waiting before 503 */
  queueLimit: number;
  /** bulk tasks waiting before 503 */
  bulkQueueLimit: number;
  /** bulk CPU one client may use per minute (ms, summed over its finished bulk tasks) before 503; 0 = no cap */
  bulkCpuMsPerClientMinute: number;
  taskTimeoutMs: number;
  /** V8 heap limit of each child (MB) */
  heapMb: number;
  /** module URL of the child entry (worker-main.ts), loaded through workers/boot.mjs */
  entry: URL;
  /** sent to each child before its first task */
  init: unknown;
  /** the lane of each task kind; kinds not listed run interactive */
  lanes: Readonly<Record<string, Lane>>;
  /** tests only: modules whose exported `tasks` table is added to every child's handlers */
  extraTaskModules?: URL[];
}

export interface RunOptions {
  /** aborts the task: dropped if queued, stopped in its child if running */
  signal?: AbortSignal | undefined;
  /** who asked (client IP): the bulk lane shares CPU between clients */
  client?: string | undefined;
  /** affinity key: tasks with the same key run in the same child (cache reuse) */
  key?: string | undefined;
}

/** Per-request CPU accounting: run a request inside `cpuAccounting.run(acc, ...)` to collect the worker CPU time of its tasks. */
export interface CpuAccount {
  cpuMs: number;
  byKind: Record<string, number>;
}
export const cpuAccounting = new AsyncLocalStorage<CpuAccount>();

interface Task {
  id: number;
  kind: string;
  input: unknown;
  lane: Lane;
  key: string | undefined;
  client: string;
  account: CpuAccount | undefined;
  resolve: (v: unknown) => void;
  reject: (e: Error) => void;
  enqueued: number;
  started?: number;
  settled: boolean;
  timer?: NodeJS.Timeout;
  signal?: AbortSignal | undefined;
  onAbort?: () => void;
}

interface Child {
  proc: ChildProcess;
  lane: Lane;
  index: number;
  ready: boolean;
  task: Task | null;
  cancelTimer?: NodeJS.Timeout;
  /** consecutive deaths of the child in this slot without a finished task (respawn back-off) */
  failures: number;
  /** it has been given the priming task (prime()) */
  primed: boolean;
  /** primed as the early child (fork-child.ts): a later prime() does not prime it again */
  earlyPrimed: boolean;
}

/** A task of the service's own (priming), which no caller awaits. */
const serviceTask = (id: number, kind: string, input: unknown, lane: Lane, now: number): Task => ({ id, kind, input, lane, key: undefined, client: '(service)', account: undefined, resolve: () => undefined, reject: () => undefined, enqueued: now, settled: false, signal: undefined });

type ChildMessage = { t: 'ready' } | { t: 'done'; id: number; ok: boolean; result?: unknown; error?: WireError; cpuMs: number };

interface LaneStats {
  children: number;
  queued: number;
  running: number;
  /** age of the oldest waiting task now (ms) */
  oldestWaitMs: number;
  /** queue wait of the tasks started in the window (at most the last 256) */
  waitP50Ms: number;
  waitP95Ms: number;
  waitMaxMs: number;
}

interface PoolStats {
  workers: number;
  queued: number;
  inflight: number;
  completed: number;
  failed: number;
  rejected: number;
  cancelled: number;
  restarts: number;
  cpuMsByKind: Record<string, number>;
}

/**
 * Extra time allowed to a task sent to a child that has not said ready: a new child first loads its
 * modules (seconds on a busy machine), which must not count against the task timeout.
 */
const BOOT_GRACE_MS = 30_000;
/** A cancelled task whose child has not stopped after this long: the child is replaced. */
const CANCEL_GRACE_MS = 2_000;
/** A keyed task waits for its child at most this long (then any free child of the lane takes it). */
const AFFINITY_WAIT_MS = 100;
/** The other interactive children start when the first is ready (primed: when a request waits for a child), or after this long. */
const STAGGER_MS = 2_000;
const WAIT_SAMPLES = 256;
const MINUTE = 60_000;

const overloaded = (detail: string, retryAfterS: number) => new GranaryError('overloaded', detail, {}, { 'Retry-After': String(retryAfterS) });

function hash(s: string): number {
  let h = 0x811c9dc5; // FNV-1a
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

const quantile = (sorted: number[], q: number): number => (sorted.length === 0 ? 0 : percentileLinear(sorted, q * 100, { sorted: true }));

class LaneState {
  children: Array<Child | null> = [];
  queue: Task[] = [];
  /** [time started, ms waited] of the last WAIT_SAMPLES started tasks */
  waits: Array<[number, number]> = [];
  constructor(
    readonly name: Lane,
    readonly size: number,
    readonly queueLimit: number,
  ) {}
  recordWait(now: number, ms: number): void {
    this.waits.push([now, ms]);
    if (this.waits.length > WAIT_SAMPLES) this.waits.shift();
  }
  stats(now: number, windowMs: number): LaneStats {
    const sorted = this.waits.filter(([t]) => now - t <= windowMs).map(([, w]) => w).sort((a, b) => a - b);
    return {
      children: this.children.filter((c) => c !== null).length,
      queued: this.queue.length,
      running: this.children.filter((c) => c?.task).length,
      oldestWaitMs: this.queue.length > 0 ? Math.round(now - Math.min(...this.queue.map((t) => t.enqueued))) : 0,
      waitP50Ms: Math.round(quantile(sorted, 0.5)),
      waitP95Ms: Math.round(quantile(sorted, 0.95)),
      waitMaxMs: Math.round(sorted[sorted.length - 1] ?? 0),
    };
  }
}

export class WorkerPool<M extends TaskMapBase> {
  private readonly lanes: Record<Lane, LaneState>;
  private nextId = 1;
  private closed = false;
  private readonly listeners: Array<(kind: string, cpuMs: number) => void> = [];
  /** finished bulk tasks per client in the last minute: [end time, cpu ms] */
  private readonly bulkCpu = new Map<string, Array<[number, number]>>();
  private readonly sweeper: NodeJS.Timeout;
  private staggered: NodeJS.Timeout;
  private restStarted = false;
  private priming: { kind: string; input: unknown } | null = null;
  readonly stats: PoolStats = { workers: 0, queued: 0, inflight: 0, completed: 0, failed: 0, rejected: 0, cancelled: 0, restarts: 0, cpuMsByKind: {} };

  constructor(private readonly opts: PoolOptions) {
    this.lanes = {
      interactive: new LaneState('interactive', opts.size, opts.queueLimit),
      bulk: new LaneState('bulk', Math.max(1, opts.bulkSize), opts.bulkQueueLimit),
    };
    // The first interactive child starts now, the others once it is ready (or after STAGGER_MS):
    // children loading at once share the cores with the server's own start, and on two cores the
    // first one answered (and the service was healthy) only when all were loaded
    this.lanes.interactive.children = Array.from({ length: opts.size }, (_, i) => (i === 0 ? this.spawn('interactive', 0, 0) : null));
    this.staggered = setTimeout(() => this.spawnRest(), STAGGER_MS);
    this.staggered.unref();
    this.lanes.bulk.children = Array.from({ length: this.lanes.bulk.size }, () => null);
    this.stats.workers = opts.size;
    // affinity fall-back, queue deadlines (children that never come up)
    this.sweeper = setInterval(() => this.sweep(), 25);
    this.sweeper.unref();
  }

  /** Starts the interactive children not started yet (once: the first child is ready, or STAGGER_MS passed). */
  private spawnRest(): void {
    clearTimeout(this.staggered);
    if (this.closed || this.restStarted) return;
    this.restStarted = true;
    const children = this.lanes.interactive.children;
    for (let i = 1; i < children.length; i++) if (children[i] === null) children[i] = this.spawn('interactive', i, 0);
  }

  private spawn(lane: Lane, index: number, failures: number): Child {
    // the first interactive child may have been forked at process start (fork-child.ts)
    const init: InitMessage = { t: 'init', init: this.opts.init, extra: (this.opts.extraTaskModules ?? []).map((u) => u.href) };
    const early = lane === 'interactive' && index === 0 && failures === 0 ? takeEarlyWorker(this.opts.entry, this.opts.heapMb, init) : null;
    const proc = early?.proc ?? forkWorkerChild(this.opts.entry, this.opts.heapMb);
    const child: Child = { proc, lane, index, ready: early?.ready ?? false, task: null, failures, primed: early?.primed ?? false, earlyPrimed: early?.primed ?? false };
    if (early?.firstRunning) {
      // the early child's priming, sent before this pool existed: its 'done' comes here
      child.task = { ...serviceTask(EARLY_TASK_ID, early.firstRunning, null, lane, performance.now()), started: performance.now() };
      this.stats.inflight++;
    }
    if (lane === 'bulk' && proc.pid !== undefined) {
      try {
        setPriority(proc.pid, 10); // the kernel gives interactive children the CPU first
      } catch {
        /* not permitted here: the separate children still keep the lanes apart */
      }
    }
    proc.on('message', (m: ChildMessage) => this.onMessage(child, m));
    // 'error': the fork failed, or a message could not be written (the child just died: its 'exit'
    // follows, or its channel broke): either way this child is done and is replaced
    proc.on('error', (e) => this.onExit(child, proc.pid === undefined ? `could not be started (${e.message})` : `lost its channel (${e.message})`));
    proc.on('exit', (code, signal) => this.onExit(child, signal ? `was killed (${signal})` : `exited with code ${code}`));
    if (!early?.initSent) proc.send(init);
    // children keep the process alive until close() (an unref'd channel let a process with only
    // pool work pending, e.g. a benchmark awaiting a task, exit in the middle)
    return child;
  }

  private onMessage(child: Child, m: ChildMessage): void {
    if (m.t === 'ready') {
      child.ready = true;
      // with priming, the others start when a request waits for a child (pump) or after STAGGER_MS:
      // on two cores a child loading beside the first one's priming and the server's own start slowed
      // all three, and one loading just after start slowed a fresh process's first tiles 2-3x
      if (child.lane === 'interactive' && !this.priming && !child.primed) this.spawnRest();
      this.pump(child.lane);
      return;
    }
    const task = child.task;
    if (!task || task.id !== m.id) return;
    child.task = null;
    child.failures = 0;
    clearTimeout(task.timer);
    clearTimeout(child.cancelTimer);
    this.stats.inflight--;
    this.account(task, m.cpuMs);
    if (!task.settled) {
      if (m.ok) {
        this.stats.completed++;
        this.settle(task, () => task.resolve(m.result));
      } else {
        this.stats.failed++;
        this.settle(task, () => task.reject(fromWire(m.error!)));
      }
    }
    this.pump(child.lane);
  }

  private account(task: Task, cpuMs: number): void {
    this.stats.cpuMsByKind[task.kind] = (this.stats.cpuMsByKind[task.kind] ?? 0) + cpuMs;
    if (task.account) {
      task.account.cpuMs += cpuMs;
      task.account.byKind[task.kind] = (task.account.byKind[task.kind] ?? 0) + cpuMs;
    }
    if (task.lane === 'bulk') {
      const list = this.bulkCpu.get(task.client) ?? [];
      list.push([Date.now(), cpuMs]);
      this.bulkCpu.set(task.client, list);
    }
    for (const l of this.listeners) l(task.kind, cpuMs);
  }

  private settle(task: Task, f: () => void): void {
    if (task.settled) return;
    task.settled = true;

    if (task.signal && task.onAbort) task.signal.removeEventListener('abort', task.onAbort);
    f();
  }

  private onExit(child: Child, why: string): void {
    const lane = this.lanes[child.lane];
    if (lane.children[child.index] !== child) return; // already replaced
    clearTimeout(child.cancelTimer);
    const task = child.task;
    // a child that died priming would die again at every restart: no more priming
    if (task && this.priming && task.kind === this.priming.kind && task.client === '(service)') this.priming = null;
    child.task = null;
    if (task) {
      clearTimeout(task.timer);
      this.stats.inflight--;
      this.stats.failed++;
      this.settle(task, () => task.reject(overloaded(`a worker process ${why} while running this ${task.kind} task; the other requests were not affected, this one can be retried`, 1)));
    }
    if (child.proc.exitCode === null && child.proc.signalCode === null) child.proc.kill('SIGKILL');
    if (this.closed) {
      lane.children[child.index] = null;
      return;
    }
    this.stats.restarts++;
    const failures = child.ready && task === null ? 0 : child.failures + 1;
    // a child that keeps dying before doing any work is restarted with a growing delay
    const delay = failures <= 1 ? 0 : Math.min(30_000, 100 * 2 ** failures);
    lane.children[child.index] = null;
    const respawn = () => {
      if (this.closed || lane.children[child.index] !== null) return;
      lane.children[child.index] = this.spawn(child.lane, child.index, failures);
    };
    if (delay === 0) respawn();
    else setTimeout(respawn, delay).unref();
  }

  /** Stops a child (timeout, cancelled task that does not stop): its task fails, a new child replaces it. */
  private kill(child: Child, error: Error | null): void {
    const task = child.task;
    if (task && error) {
      this.stats.failed++;
      this.settle(task, () => task.reject(error));
    }
    if (task) {
      child.task = null;
      clearTimeout(task.timer);
      this.stats.inflight--;
    }
    clearTimeout(child.cancelTimer);
    child.proc.kill('SIGKILL');
    // replaced now (its exit event is then ignored): the restart is visible at once
    const lane = this.lanes[child.lane];
    if (lane.children[child.index] === child && !this.closed) {
      this.stats.restarts++;
      lane.children[child.index] = this.spawn(child.lane, child.index, 0);
    }
  }

  /**
   * A task every interactive child runs once before its first request from then on (children that
   * start or restart later too): warming work such as rendering the catalog's first tiles. A child
   * that is busy or not up yet gets it when it is next free; queued requests wait behind it.
   */
  prime<K extends keyof M & string>(kind: K, input: M[K]['input']): void {
    this.priming = { kind, input };
    for (const c of this.lanes.interactive.children) if (c && !c.earlyPrimed) c.primed = false;
    this.pump('interactive');
  }

  /** The first interactive child was primed before this pool existed (the early child: fork-child.ts). */
  get primedEarly(): boolean {
    return this.lanes.interactive.children[0]?.earlyPrimed === true;
  }

  /**
   * Stops the priming that runs now (the server is ready for requests): each priming child finishes
   * the tile it is on and its minimum (PrimeTiles.minTiles) and answers; children that start later
   * still prime in full before their first request (they are not what a fresh process waits for).
   */
  stopPriming(): void {
    for (const c of this.lanes.interactive.children) {
      if (c?.task && this.isPriming(c.task)) c.proc.send({ t: 'cancel', id: c.task.id }, undefined, {}, () => undefined);
    }
  }

  private isPriming(t: Task): boolean {
    return t.client === '(service)' && (t.id === EARLY_TASK_ID || t.kind === this.priming?.kind);
  }

  /** Runs a task in a child process; rejects with 503 + Retry-After when its lane is full. */
  run<K extends keyof M & string>(kind: K, input: M[K]['input'], options: RunOptions = {}): Promise<M[K]['output']> {
    if (this.closed) return Promise.reject(overloaded('the service is shutting down', 5));
    if (options.signal?.aborted) return Promise.reject(overloaded('the request was cancelled', 1));
    const laneName = this.opts.lanes[kind] ?? 'interactive';
    const lane = this.lanes[laneName];
    const client = options.client ?? '(service)';
    if (lane.queue.length >= lane.queueLimit) {
      this.stats.rejected++;
      return Promise.reject(overloaded(`the ${laneName} processing queue is full (${lane.queueLimit} tasks waiting); retry shortly`, laneName === 'bulk' ? 10 : 1));
    }
    // the service's own work (crop-map jobs, region areas: no client) is not capped
    if (laneName === 'bulk' && options.client !== undefined && this.opts.bulkCpuMsPerClientMinute > 0) {
      const wait = this.bulkWaitMs(client);
      if (wait > 0) {
        this.stats.rejected++;
        return Promise.reject(overloaded(`this client used its share of bulk processing (${Math.round(this.opts.bulkCpuMsPerClientMinute / 1000)} CPU seconds per minute); retry later`, Math.ceil(wait / 1000)));
      }
    }
    return new Promise((resolve, reject) => {
      const task: Task = { id: this.nextId++, kind, input, lane: laneName, key: options.key, client, account: cpuAccounting.getStore(), resolve, reject, enqueued: performance.now(), settled: false, signal: options.signal };
      if (options.signal) {
        task.onAbort = () => this.cancel(task);
        options.signal.addEventListener('abort', task.onAbort, { once: true });
      }
      lane.queue.push(task);
      if (laneName === 'bulk') this.ensureBulkChildren();
      this.pump(laneName);
    });
  }

  /** ms until the client's bulk CPU of the last minute falls under its share (0: it may run now). */
  private bulkWaitMs(client: string): number {
    const now = Date.now();
    const list = (this.bulkCpu.get(client) ?? []).filter(([t]) => now - t < MINUTE);
    if (list.length === 0) this.bulkCpu.delete(client);
    else this.bulkCpu.set(client, list);
    let used = list.reduce((a, [, ms]) => a + ms, 0);
    if (used < this.opts.bulkCpuMsPerClientMinute) return 0;
    for (const [t, ms] of list) {
      used -= ms;
      if (used < this.opts.bulkCpuMsPerClientMinute) return t + MINUTE - now;
    }
    return MINUTE;
  }

  private ensureBulkChildren(): void {
    const lane = this.lanes.bulk;
    const wanted = Math.min(lane.size, lane.queue.length + lane.children.filter((c) => c?.task).length);
    for (let i = 0; i < lane.size && lane.children.filter((c) => c !== null).length < wanted; i++) {
      if (lane.children[i] === null) lane.children[i] = this.spawn('bulk', i, 0);
    }
  }

  private cancel(task: Task): void {
    if (task.settled) return;
    this.stats.cancelled++;
    const lane = this.lanes[task.lane];
    const at = lane.queue.indexOf(task);
    if (at >= 0) {
      lane.queue.splice(at, 1);
      this.stats.queued = this.queued;
      this.settle(task, () => task.reject(overloaded('the request was cancelled', 1)));
      return;
    }
    const child = lane.children.find((c) => c?.task === task);
    this.settle(task, () => task.reject(overloaded('the request was cancelled', 1)));
    if (!child) return;
    // a child that died meanwhile: nothing to stop, its exit replaces it (the error is not a new failure)
    child.proc.send({ t: 'cancel', id: task.id }, undefined, {}, () => undefined);
    clearTimeout(child.cancelTimer);
    child.cancelTimer = setTimeout(() => {
      if (child.task === task) this.kill(child, null);
    }, CANCEL_GRACE_MS);
    child.cancelTimer.unref();
  }

  /** The child has started and is not running its priming. */
  private serving(c: Child): boolean {
    return c.ready && !(c.task && this.isPriming(c.task));
  }

  /** The index in the lane's queue of the next task for this free child, or -1. */
  private pick(lane: LaneState, child: Child, now: number): number {
    if (lane.name === 'bulk') {
      // the waiting task of the client with the fewest running bulk tasks (FIFO among equals)
      const running = new Map<string, number>();
      for (const c of lane.children) if (c?.task) running.set(c.task.client, (running.get(c.task.client) ?? 0) + 1);
      let best = -1;
      for (let i = 0; i < lane.queue.length; i++) {
        if (best < 0 || (running.get(lane.queue[i]!.client) ?? 0) < (running.get(lane.queue[best]!.client) ?? 0)) best = i;
      }
      return best;
    }
    for (let i = 0; i < lane.queue.length; i++) {
      const t = lane.queue[i]!;
      if (t.key === undefined) return i;
      const home = lane.children[hash(t.key) % lane.size];
      // its home child, or any child once it waited AFFINITY_WAIT_MS, or at once while the home
      // child is not serving yet (its slot restarting, the child loading or priming: a fresh process's
      // first crop tile goes to the child that primed it, not after a wait for one that did not)
      if (home === child || !home || !this.serving(home) || now - t.enqueued >= AFFINITY_WAIT_MS) return i;
    }
    return -1;
  }

  private pump(name: Lane): void {
    const lane = this.lanes[name];
    const now = performance.now();
    for (const child of lane.children) {
      if (!child || !child.ready || child.task) continue;
      if (name === 'interactive' && this.priming && !child.primed) {
        child.primed = true;
        const { kind, input } = this.priming;
        this.start(child, serviceTask(this.nextId++, kind, input, name, now), now);
        continue;
      }
      if (lane.queue.length === 0) continue;
      const i = this.pick(lane, child, now);
      if (i < 0) continue;
      const task = lane.queue.splice(i, 1)[0]!;
      this.start(child, task, now);
    }
    this.stats.queued = this.lanes.interactive.queue.length + this.lanes.bulk.queue.length;
    // a request (not the service's own ping or priming) waits while the started children are busy
    if (name === 'interactive' && !this.restStarted && lane.queue.some((t) => t.client !== '(service)')) this.spawnRest();
  }

  private start(child: Child, task: Task, now: number): void {
    task.started = now;
    this.lanes[child.lane].recordWait(now, now - task.enqueued);
    child.task = task;
    this.stats.inflight++;
    task.timer = setTimeout(() => {
      this.kill(child, overloaded(`the task took longer than ${this.opts.taskTimeoutMs} ms and was stopped`, 5));
    }, this.opts.taskTimeoutMs);
    task.timer.unref();
    child.proc.send({ t: 'run', id: task.id, kind: task.kind, input: task.input }, (err) => {
      if (err && child.task === task) this.kill(child, overloaded(`the task could not be sent to a worker (${err.message})`, 1));
    });
  }

  private sweep(): void {
    const now = performance.now();
    for (const lane of Object.values(this.lanes)) {
      // tasks that could not start for longer than a task may run (no child came up): refused
      for (const t of [...lane.queue]) {
        if (now - t.enqueued > this.opts.taskTimeoutMs + BOOT_GRACE_MS) {
          lane.queue.splice(lane.queue.indexOf(t), 1);
          this.stats.queued = this.queued;
          this.stats.failed++;
          this.settle(t, () => t.reject(overloaded(`no worker could take the task within ${this.opts.taskTimeoutMs + BOOT_GRACE_MS} ms`, 5)));
        }
      }
      if (lane.queue.length > 0) this.pump(lane.name);
    }
  }

  /** Called with the worker CPU time of every finished task (for footprint accounting). */
  onTaskCpu(listener: (kind: string, cpuMs: number) => void): void {
    this.listeners.push(listener);
  }

  get queued(): number {
    return this.lanes.interactive.queue.length + this.lanes.bulk.queue.length;
  }

  /** Queue wait per lane over the last `windowMs` (for /healthz: a load balancer can see starvation). */
  laneStats(windowMs = 60_000): Record<Lane, LaneStats> {
    const now = performance.now();
    return { interactive: this.lanes.interactive.stats(now, windowMs), bulk: this.lanes.bulk.stats(now, windowMs) };
  }

  /** The process ids of the children of a lane (tests kill one to check containment). */
  pids(lane: Lane = 'interactive'): number[] {
    return this.lanes[lane].children.flatMap((c) => (c?.proc.pid !== undefined ? [c.proc.pid] : []));
  }

  /** Resolves when every interactive child has said ready, those not started yet started now (or after `timeoutMs`, whichever is first). */
  async ready(timeoutMs = Infinity): Promise<void> {
    // the service's warm-up asks for them after listen: started here, they load while it runs
    // rather than waiting for a request to queue (or STAGGER_MS)
    this.spawnRest();
    const until = performance.now() + timeoutMs;
    while (!this.closed && performance.now() < until && this.lanes.interactive.children.some((c) => !c?.ready)) await new Promise((r) => setTimeout(r, 10));
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.sweeper);
    clearTimeout(this.staggered);
    for (const lane of Object.values(this.lanes)) {
      for (const t of lane.queue) this.settle(t, () => t.reject(overloaded('the service is shutting down', 5)));
      lane.queue = [];
    }
    const all = () => [...this.lanes.interactive.children, ...this.lanes.bulk.children].filter((c): c is Child => c !== null);
    // let running tasks finish (bounded by their timeouts), then stop the children
    const deadline = Date.now() + this.opts.taskTimeoutMs;
    while (all().some((c) => c.task) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    await Promise.all(
      all().map(
        (c) =>
          new Promise<void>((resolve) => {
            if (c.proc.exitCode !== null || c.proc.signalCode !== null) return resolve();
            c.proc.once('exit', () => resolve());
            c.proc.kill('SIGTERM');
            setTimeout(() => c.proc.kill('SIGKILL'), 2000).unref();
          }),
      ),
    );
  }
}
