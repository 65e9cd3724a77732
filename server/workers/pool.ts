/**
 * A pool of worker threads for CPU-heavy work (decode, warp, inference, encode), with a bounded
 * queue: when it is full, callers get a 503 with Retry-After instead of waiting without bound.
 * A worker that crashes or exceeds the task timeout is replaced; its tasks are answered with errors.
 */
import { Worker } from 'node:worker_threads';
import { AsyncLocalStorage } from 'node:async_hooks';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { GranaryError, fromWire, type WireError } from '../errors.js';

export interface PoolOptions {
  size: number;
  queueLimit: number;
  taskTimeoutMs: number;
  /** module URL of the worker entry (a .ts module, loaded through workers/boot.mjs) */
  entry: URL;
  /** passed to the worker as workerData.init */
  init: unknown;
  /** tasks in flight per worker (I/O overlaps with compute) */
  perWorker?: number;
}

/** Per-request CPU accounting: run a request inside `cpuAccounting.run(acc, ...)` to collect the worker CPU time of its tasks. */
export interface CpuAccount {
  cpuMs: number;
  byKind: Record<string, number>;
}
export const cpuAccounting = new AsyncLocalStorage<CpuAccount>();

interface Task {
  id: number;
  account?: CpuAccount | undefined;
  kind: string;
  payload: unknown;
  resolve: (v: unknown) => void;
  reject: (e: Error) => void;
  timer?: NodeJS.Timeout;
  started?: number;
}

interface Slot {
  worker: Worker;
  inflight: Map<number, Task>;
  ready: boolean;
}

export interface PoolStats {
  workers: number;
  queued: number;
  inflight: number;
  completed: number;
  failed: number;
  rejected: number;
  restarts: number;
  cpuMsByKind: Record<string, number>;
}

const BOOT = fileURLToPath(new URL('./boot.mjs', import.meta.url));
/**
 * Extra time allowed to a task sent to a worker that has not answered anything yet: a replacement
 * worker first loads its modules (seconds), which must not count against the task timeout, or a
 * small GRANARY_TASK_TIMEOUT_MS would replace every new worker before it could work.
 */
const BOOT_GRACE_MS = 30_000;

export class WorkerPool {
  private slots: Slot[] = [];
  private queue: Task[] = [];
  private nextId = 1;
  private closed = false;
  private readonly listeners: Array<(kind: string, cpuMs: number) => void> = [];
  readonly stats: PoolStats = { workers: 0, queued: 0, inflight: 0, completed: 0, failed: 0, rejected: 0, restarts: 0, cpuMsByKind: {} };

  constructor(private readonly opts: PoolOptions) {
    for (let i = 0; i < opts.size; i++) this.slots.push(this.spawn());
    this.stats.workers = opts.size;
  }

  private spawn(): Slot {
    const worker = new Worker(BOOT, { workerData: { entry: this.opts.entry.href, init: this.opts.init } });
    const slot: Slot = { worker, inflight: new Map(), ready: false };
    worker.on('message', (m: { id: number; ok: boolean; result?: unknown; error?: WireError; cpuMs?: number }) => {
      slot.ready = true;
      const task = slot.inflight.get(m.id);
      if (!task) return;
      slot.inflight.delete(m.id);
      clearTimeout(task.timer);
      this.stats.inflight--;
      if (m.cpuMs !== undefined) {
        this.stats.cpuMsByKind[task.kind] = (this.stats.cpuMsByKind[task.kind] ?? 0) + m.cpuMs;
        if (task.account) {
          task.account.cpuMs += m.cpuMs;
          task.account.byKind[task.kind] = (task.account.byKind[task.kind] ?? 0) + m.cpuMs;
        }
        for (const l of this.listeners) l(task.kind, m.cpuMs);
      }
      if (m.ok) {
        this.stats.completed++;
        task.resolve(m.result);
      } else {
        this.stats.failed++;
        task.reject(fromWire(m.error!));
      }
      this.pump();
    });
    const onDeath = (why: string) => {
      if (!this.slots.includes(slot)) return;
      this.replace(slot, new GranaryError('overloaded', `a worker ${why}; the request can be retried`, {}, { 'Retry-After': '1' }));
    };
    worker.on('error', (e) => onDeath(`crashed (${e.message})`));
    worker.on('exit', (code) => {
      if (!this.closed) onDeath(`exited with code ${code}`);
    });
    worker.unref();
    return slot;
  }

  private replace(slot: Slot, error: Error): void {
    const i = this.slots.indexOf(slot);
    if (i < 0) return;
    for (const t of slot.inflight.values()) {
      clearTimeout(t.timer);
      this.stats.inflight--;
      this.stats.failed++;
      t.reject(error);
    }
    slot.inflight.clear();
    void slot.worker.terminate();
    this.stats.restarts++;
    if (!this.closed) {
      this.slots[i] = this.spawn();
      this.pump();
    } else {
      this.slots.splice(i, 1);
    }
  }

  /** Runs a task in a worker; rejects with 503 when the queue is full. */
  run<T>(kind: string, payload: unknown): Promise<T> {
    if (this.closed) return Promise.reject(new GranaryError('overloaded', 'the service is shutting down', {}, { 'Retry-After': '5' }));
    if (this.queue.length >= this.opts.queueLimit) {
      this.stats.rejected++;
      return Promise.reject(new GranaryError('overloaded', `the processing queue is full (${this.opts.queueLimit} tasks waiting); retry shortly`, {}, { 'Retry-After': '1' }));
    }
    return new Promise<T>((resolve, reject) => {
      this.queue.push({ id: this.nextId++, kind, payload, account: cpuAccounting.getStore(), resolve: resolve as (v: unknown) => void, reject });
      this.stats.queued = this.queue.length;
      this.pump();
    });
  }

  private pump(): void {
    const per = this.opts.perWorker ?? 1; // one task at a time per worker: CPU accounting per task stays exact
    while (this.queue.length > 0) {
      let best: Slot | undefined;
      for (const s of this.slots) if (s.inflight.size < per && (!best || s.inflight.size < best.inflight.size)) best = s;
      if (!best) break;
      const task = this.queue.shift()!;
      const slot = best;
      task.started = performance.now();
      task.timer = setTimeout(() => {
        this.replace(slot, new GranaryError('overloaded', `the task took longer than ${this.opts.taskTimeoutMs} ms and was stopped`, {}, { 'Retry-After': '5' }));
      }, this.opts.taskTimeoutMs + (slot.ready ? 0 : BOOT_GRACE_MS));
      slot.inflight.set(task.id, task);
      this.stats.inflight++;
      slot.worker.postMessage({ id: task.id, kind: task.kind, payload: task.payload });
    }
    this.stats.queued = this.queue.length;
  }

  /** Called with the worker CPU time of every finished task (for footprint accounting). */
  onTaskCpu(listener: (kind: string, cpuMs: number) => void): void {
    this.listeners.push(listener);
  }

  get queued(): number {
    return this.queue.length;
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const t of this.queue) t.reject(new GranaryError('overloaded', 'the service is shutting down', {}, { 'Retry-After': '5' }));
    this.queue = [];
    // Let in-flight tasks finish (bounded by their timeouts), then stop the workers.
    const deadline = Date.now() + this.opts.taskTimeoutMs;
    while (this.slots.some((s) => s.inflight.size > 0) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    await Promise.all(this.slots.map((s) => s.worker.terminate()));
  }
}

export const workerEntry = (relative: string, base: string) => pathToFileURL(fileURLToPath(new URL(relative, base)));
