/**
 * Work that makes later requests faster but that no request needs yet (route schemas not compiled,
 * memoised tables, a model session, a first decoded block) is done after the server listens, in
 * small steps, one per turn of the event loop and only while no request is in flight: start-up does
 * not wait for it, and a request that comes meanwhile waits for at most the step that is running.
 * A step that fails is logged and skipped (the request that needs it does the work and reports).
 *
 * Not started by buildApp (tests use inject and never listen): `onListen` starts it. The first step
 * waits until no request has come for START_IDLE_MS: a fresh process's first visitors (a load
 * balancer's health check, then a map's first tiles) find the cores free, not shared with the
 * warm-up and the worker processes its first step starts.
 *
 * Shutdown: a step may be in the middle of a request through the app (inject) or a worker task when
 * `close()` comes. Fastify runs the plugins' onClose hooks children first and otherwise last
 * registered first, so an onClose here (registered early) ran after the footprint recorder, the
 * pool and the stores had closed, and the running step then touched them (EBADF from the closed
 * thread-CPU clock). The stop is therefore a `preClose` hook, which Fastify runs before any onClose:
 * it aborts the steps' signal (a step waiting for workers or between requests gives up) and waits
 * for the running step to settle, so nothing of the warm-up outlives the resources it uses.
 */
import fp from 'fastify-plugin';
import type { FastifyInstance } from 'fastify';

declare module 'fastify' {
  interface FastifyInstance {
    warmup: Warmup;
  }
}

/** Quiet time after listen (no request begun or ended) before the first step. */
const START_IDLE_MS = 100;

/** `signal` is aborted when the server closes: a step that waits or does several things checks it */
type WarmupStep = (signal: AbortSignal) => unknown;

/** `p`, or a rejection with the signal's reason as soon as `signal` aborts (whichever is first). */
export function unlessAborted<T>(p: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason as Error);
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason as Error);
    signal.addEventListener('abort', onAbort, { once: true });
    p.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}

export class Warmup {
  private readonly queue: Array<{ name: string; step: WarmupStep }> = [];
  private readonly inflight = new Set<object>();
  private running = false;
  /** a turn is scheduled (at most one at a time) */
  private scheduled = false;
  /** a step is running */
  private busy = false;
  private stopped = false;
  private readonly abort = new AbortController();
  /** the step running now (settles without throwing) */
  private current: Promise<void> | null = null;
  done = 0;
  failed = 0;
  /** names of the steps that ran without failing, in order */
  readonly completed: string[] = [];
  /** set when the queue empties: ms from start() to the last step */
  finishedMs: number | null = null;
  private startedAt = 0;
  /** the longest step so far (a request that comes during a step waits for it) */
  longest = { name: '', ms: 0 };
  /** when a request last began or ended (or start() was called) */
  private lastActivity = 0;

  onFinished: ((w: Warmup) => void) | null = null;

  constructor(
    private readonly log: (msg: string, err?: unknown) => void = () => undefined,
    private readonly startIdleMs = START_IDLE_MS,
  ) {}

  /** Queues a step; steps run in the order added (`first`: before every step queued so far). */
  add(name: string, step: WarmupStep, opts: { first?: boolean } = {}): void {
    if (opts.first) this.queue.unshift({ name, step });
    else this.queue.push({ name, step });
    // one chain of steps at a time: a step that adds steps must not start a second chain
    if (this.running && !this.scheduled && !this.busy) this.schedule(0);
  }

  /** `req`: any object naming the request (ended twice, by abort and response, counts once) */
  requestStarted(req: object): void {
    this.inflight.add(req);
    this.lastActivity = performance.now();
  }

  requestEnded(req: object): void {
    this.inflight.delete(req);
    this.lastActivity = performance.now();
  }

  start(): void {
    if (this.running || this.stopped) return;
    this.running = true;
    this.startedAt = performance.now();
    this.lastActivity = this.startedAt;
    this.schedule(this.startIdleMs);
  }

  /** No step starts after this; the running one is aborted and awaited. */
  async stop(): Promise<void> {
    if (!this.stopped) {
      this.stopped = true;
      this.abort.abort(new Error('warm-up stopped: the server is closing'));
    }
    await this.current;
  }

  get pending(): number {
    return this.queue.length;
  }

  private schedule(delayMs: number): void {
    this.scheduled = true;
    const t = delayMs > 0 ? setTimeout(() => void this.next(), delayMs) : setImmediate(() => void this.next());
    t.unref();
  }

  private async next(): Promise<void> {
    this.scheduled = false;
    if (this.stopped) return;
    // a request is being served: let it have the process, look again shortly
    if (this.inflight.size > 0) return this.schedule(5);
    // before the first step: until no request has come for startIdleMs
    const quiet = performance.now() - this.lastActivity;
    if (this.done + this.failed === 0 && quiet < this.startIdleMs) return this.schedule(Math.max(1, this.startIdleMs - quiet));
    const item = this.queue.shift();
    if (!item) {
      if (this.finishedMs === null) {
        this.finishedMs = performance.now() - this.startedAt;
        this.onFinished?.(this);
      }
      return;
    }
    const t0 = performance.now();
    this.busy = true;
    this.current = this.run(item);
    await this.current;
    this.current = null;
    this.busy = false;
    if (this.stopped) return;
    const ms = performance.now() - t0;
    if (ms > this.longest.ms) this.longest = { name: item.name, ms };
    this.schedule(0);
  }

  private async run(item: { name: string; step: WarmupStep }): Promise<void> {
    try {
      await item.step(this.abort.signal);
      this.done++;
      this.completed.push(item.name);
    } catch (e) {
      // a step cut short by the shutdown did not fail
      if (this.stopped) return;
      this.failed++;
      this.log(`warm-up step ${item.name} failed`, e);
    }
  }
}

async function warmupPlugin(app: FastifyInstance) {
  const warmup = new Warmup((msg, err) => app.log.warn({ err }, msg));
  warmup.onFinished = (w) => app.log.info({ steps: w.done, failed: w.failed, ms: Math.round(w.finishedMs ?? 0), longest: { step: w.longest.name, ms: Math.round(w.longest.ms) } }, 'warm-up done');
  app.decorate('warmup', warmup);
  app.addHook('onRequest', async (req) => warmup.requestStarted(req));
  app.addHook('onResponse', async (req) => warmup.requestEnded(req));
  app.addHook('onRequestAbort', async (req) => warmup.requestEnded(req));
  app.addHook('onListen', async () => warmup.start());
  // preClose, not onClose: see the header (it runs before every plugin's onClose)
  app.addHook('preClose', async () => warmup.stop());
}

export default fp(warmupPlugin, { name: 'granary-warmup' });
