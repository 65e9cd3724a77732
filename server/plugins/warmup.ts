/**
 * Work that makes later requests faster but that no request needs yet (route schemas not compiled,
 * memoised tables, a model session, a first decoded block) is done after the server listens, in
 * small steps, one per turn of the event loop and only while no request is in flight: start-up does
 * not wait for it, and a request that comes meanwhile waits for at most the step that is running.
 * A step that fails is logged and skipped (the request that needs it does the work and reports).
 *
 * Not started by buildApp (tests use inject and never listen): `onListen` starts it.
 */
import fp from 'fastify-plugin';
import type { FastifyInstance } from 'fastify';

declare module 'fastify' {
  interface FastifyInstance {
    warmup: Warmup;
  }
}

type WarmupStep = () => unknown;

export class Warmup {
  private readonly queue: Array<{ name: string; step: WarmupStep }> = [];
  private readonly inflight = new Set<object>();
  private running = false;
  /** a turn is scheduled (at most one at a time) */
  private scheduled = false;
  /** a step is running */
  private busy = false;
  private stopped = false;
  done = 0;
  failed = 0;
  /** names of the steps that ran without failing, in order */
  readonly completed: string[] = [];
  /** set when the queue empties: ms from start() to the last step */
  finishedMs: number | null = null;
  private startedAt = 0;
  /** the longest step so far (a request that comes during a step waits for it) */
  longest = { name: '', ms: 0 };

  onFinished: ((w: Warmup) => void) | null = null;

  constructor(private readonly log: (msg: string, err?: unknown) => void = () => undefined) {}

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
  }

  requestEnded(req: object): void {
    this.inflight.delete(req);
  }

  start(): void {
    if (this.running || this.stopped) return;
    this.running = true;
    this.startedAt = performance.now();
    this.schedule(0);
  }

  stop(): void {
    this.stopped = true;
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
    try {
      await item.step();
      this.done++;
      this.completed.push(item.name);
    } catch (e) {
      this.failed++;
      this.log(`warm-up step ${item.name} failed`, e);
    } finally {
      this.busy = false;
    }
    const ms = performance.now() - t0;
    if (ms > this.longest.ms) this.longest = { name: item.name, ms };
    this.schedule(0);
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
  app.addHook('onClose', async () => warmup.stop());
}

export default fp(warmupPlugin, { name: 'granary-warmup' });
