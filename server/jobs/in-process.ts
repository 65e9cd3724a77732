/**
 * The embedded job queue: jobs run one at a time in this process, their blocks on the worker pool
 * (off the event loop), the map published by the same code as `granary cropmap`. Live state is in
 * memory (the newest 200 jobs) and written through to SQLite (server/jobs/sqlite-jobs.ts: at every
 * state change, progress at most once a second), so GET /api/jobs/{id} answers after a restart too.
 * A job queued or running when the process stopped is not resumed: the next start marks it failed
 * ("interrupted: ...") and logs it (cluster mode hands such a job back to the queue instead).
 */
import { randomBytes } from 'node:crypto';
import type { FastifyBaseLogger } from 'fastify';
import { CropMapCanvas } from './cropmap-blocks.js';
import { cpuAccounting, type CpuAccount } from '../workers/pool.js';
import { planCropMap, runBlock, runPublish, type JobDeps } from './plan.js';
import { eta, type CropMapJobParams, type JobQueue, type JobView } from './types.js';
import { SqliteJobs } from './sqlite-jobs.js';

const KEEP = 200;

interface Internal {
  view: JobView;
  startedMs: number | null;
}

export function newJobId(): string {
  return `j${Date.now().toString(36)}${randomBytes(5).toString('hex')}`;
}

export class InProcessJobs implements JobQueue {
  readonly mode = 'in-process' as const;
  private readonly jobs = new Map<string, Internal>();
  private readonly waiting: string[] = [];
  private running: string | null = null;
  private closed = false;
  /** called when a job finishes (metrics) */
  onFinished: (v: JobView, seconds: number) => void = () => undefined;

  private readonly store: SqliteJobs;
  private lastSavedMs = 0;

  constructor(
    private readonly deps: JobDeps,
    private readonly log: FastifyBaseLogger,
  ) {
    this.store = new SqliteJobs(deps.config.reportsDb);
    const interrupted = this.store.failInterrupted();
    if (interrupted.length > 0) log.warn({ jobs: interrupted }, `${interrupted.length} job(s) were queued or running when the service last stopped: marked failed (interrupted)`);
  }

  /** Writes the job's state through to SQLite; a failing write is logged, the job goes on. */
  private persist(v: JobView): void {
    if (this.closed) return;
    try {
      this.store.save(v);
      this.lastSavedMs = Date.now();
    } catch (e) {
      this.log.error({ err: e, jobId: v.id }, 'could not record the job state in SQLite');
    }
  }

  async submit(params: CropMapJobParams, blocksTotal: number, requestId: string | null): Promise<JobView> {
    const id = newJobId();
    const view: JobView = { id, kind: 'cropmap', state: 'queued', params, blocksDone: 0, blocksTotal, etaSeconds: null, createdAt: new Date().toISOString(), startedAt: null, finishedAt: null, requestId, result: null, error: null };
    this.jobs.set(id, { view, startedMs: null });
    for (const old of [...this.jobs.keys()].slice(0, Math.max(0, this.jobs.size - KEEP))) if (old !== this.running && !this.waiting.includes(old)) this.jobs.delete(old);
    this.waiting.push(id);
    this.persist(view);
    this.log.info({ jobId: id, requestId, ...params, blocksTotal }, 'job queued');
    queueMicrotask(() => this.pump());
    return { ...view };
  }

  private pump(): void {
    if (this.running || this.closed) return;
    const id = this.waiting.shift();
    if (!id) return;
    this.running = id;
    void this.run(this.jobs.get(id)!).finally(() => {
      this.running = null;
      this.pump();
    });
  }

  private async run(job: Internal): Promise<void> {
    const v = job.view;
    const t0 = performance.now();
    const log = this.log.child({ jobId: v.id, requestId: v.requestId });
    try {
      v.state = 'running';
      v.startedAt = new Date().toISOString();
      job.startedMs = Date.now();
      this.persist(v);
      const plan = await planCropMap(this.deps, v.params);
      const canvas = new CropMapCanvas(plan.grid);
      let cpuMs = 0;
      // blocks in order, up to the pool's size at a time; placed in index order (the canvas counts
      // classes in placement order, as the CLI does)
      const width = Math.max(1, this.deps.config.workers);
      const results = new Map<number, Awaited<ReturnType<typeof runBlock>>>();
      let next = 0;
      let placed = 0;
      const worker = async () => {
        while (next < plan.grid.total && !this.closed) {
          const i = next++;
          // the worker thread's CPU for this block (the pool reports it into the account)
          const account: CpuAccount = { cpuMs: 0, byKind: {} };
          results.set(i, await cpuAccounting.run(account, () => runBlock(this.deps.pool, plan, i)));
          cpuMs += account.cpuMs;
          while (results.has(placed)) {
            canvas.place(results.get(placed)!);
            results.delete(placed);
            placed++;
          }
          v.blocksDone = placed;
          if (Date.now() - this.lastSavedMs >= 1000) this.persist(v);
        }
      };
      await Promise.all(Array.from({ length: width }, worker));
      if (this.closed) throw new Error('the service shut down while the job ran');
      const missing = canvas.missing();
      if (missing.length > 0) throw new Error(`blocks ${missing.slice(0, 10).join(', ')} missing`);
      const wall = (performance.now() - t0) / 1000;
      const r = await runPublish(this.deps.pool, this.deps.config, plan, canvas, cpuMs, wall);
      v.result = { cog: r.tif, polygons: r.polygonsPath, width: plan.grid.width, height: plan.grid.height, mappedPixels: r.mappedPixels, polygonCount: r.polygonCount, wallSeconds: Number(((performance.now() - t0) / 1000).toFixed(3)), cpuSeconds: Number((cpuMs / 1000).toFixed(3)) };
      v.state = 'done';
      log.info({ blocks: plan.grid.total, seconds: v.result.wallSeconds }, 'job done');
    } catch (e) {
      v.state = 'failed';
      v.error = (e as Error).message;
      log.error({ err: e }, 'job failed');
    } finally {
      v.finishedAt = new Date().toISOString();
      this.persist(v);
      this.onFinished({ ...v }, (performance.now() - t0) / 1000);
    }
  }

  async get(id: string): Promise<JobView | null> {
    const j = this.jobs.get(id);
    if (!j) return this.store.get(id);
    return { ...j.view, etaSeconds: j.view.state === 'running' ? eta(j.view.blocksDone, j.view.blocksTotal, j.startedMs, Date.now()) : null };
  }

  async list(limit: number): Promise<JobView[]> {
    const stored = this.store.list(limit);
    if (stored.length === 0) return Promise.all([...this.jobs.keys()].reverse().slice(0, limit).map(async (id) => (await this.get(id))!));
    return Promise.all(stored.map(async (v) => (this.jobs.has(v.id) ? (await this.get(v.id))! : v)));
  }

  async depth(): Promise<number> {
    return this.waiting.length + (this.running ? 1 : 0);
  }

  async checks() {
    return {};
  }

  async close(): Promise<void> {
    const stopped = (v: JobView, error: string) => {
      v.state = 'failed';
      v.error = error;
      v.finishedAt = new Date().toISOString();
      this.persist(v);
    };
    for (const id of this.waiting.splice(0)) stopped(this.jobs.get(id)!.view, 'the service shut down before the job started');
    if (this.running) stopped(this.jobs.get(this.running)!.view, 'the service shut down while the job ran');
    this.closed = true;
    this.store.close();
  }
}
