/**
 * `granary worker`: consumes crop-map jobs from the BullMQ queue (cluster mode), on any number of
 * machines sharing the data directory, PostgreSQL and Redis.
 *
 *   block     classify one native block on this process's worker pool (the crop tiles' code),
 *             write it to <dataDir>/jobs/<job>/block-<n>.bin (temporary file + rename) and record it
 *             in job_blocks with its sha256 (idempotent: a block redone after a lost lock counts once)
 *   assemble  once BullMQ has every block done: check all blocks are recorded and on storage with
 *             the recorded sha256, place them, publish the COG + polygons (same code as embedded
 *             mode), then in one transaction register the map and its polygons in PostGIS, add the
 *             footprint to the ledger and mark the job done; only then delete the block files
 *
 * CPU work runs on the worker pool, so the event loop keeps renewing the queue locks. SIGTERM:
 * stop taking jobs, finish the active ones (blocks take about a second), then exit; a job killed
 * harder is taken over by another worker once its lock expires. Prometheus metrics on PORT.
 */
import { mkdir, readFile, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { join } from 'node:path';
import { Queue, Worker, type Job } from 'bullmq';
import { pino, type Logger } from 'pino';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { Config } from '../config.js';
import { sourcePolicy } from '../raster/source-policy.js';
import { ModelRegistry } from '../inference/registry.js';
import { WorkerPool, cpuAccounting, type CpuAccount } from '../workers/pool.js';
import type { TaskMap } from '../workers/tasks.js';
import { createBackends, type Backends } from '../store/backends.js';
import { writeFileAtomic } from '../util/atomic-write.js';
import { CropMapCanvas, decodeBlock, encodeBlock, sha256 } from './cropmap-blocks.js';
import { planCropMap, runBlock, runPublish, type CropMapPlan, type JobDeps } from './plan.js';
import { PgJobs } from './pg-jobs.js';
import { QUEUE_NAME, redisConnection } from './redis.js';
import { registerCropMap } from './registry-pg.js';
import type { AssembleJobData, BlockJobData } from './cluster.js';
import type { CropMapJobResult } from './types.js';
import { siblingModule } from '../sibling-module.js';

const blockDir = (dataDir: string, jobId: string) => join(dataDir, 'jobs', jobId);
const blockPath = (dataDir: string, jobId: string, block: number) => join(blockDir(dataDir, jobId), `block-${block}.bin`);

export interface RunningWorker {
  port: number;
  close(): Promise<void>;
}

function workerMetrics() {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'granary_' });
  return {
    registry,
    blocks: new Counter({ name: 'granary_job_blocks_total', help: 'Crop-map blocks processed by this worker', labelNames: ['outcome'], registers: [registry] }),
    blockSeconds: new Histogram({ name: 'granary_job_block_seconds', help: 'Time to classify and store one block', buckets: [0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30], registers: [registry] }),
    jobSeconds: new Histogram({ name: 'granary_job_duration_seconds', help: 'Crop-map jobs from submission to publication (assembled by this worker)', buckets: [1, 5, 10, 30, 60, 120, 300, 900, 3600], registers: [registry] }),
    depth: new Gauge({ name: 'granary_job_queue_depth', help: 'BullMQ jobs waiting, active, delayed or waiting for children', labelNames: ['state'], registers: [registry] }),
  };
}

export async function startWorker(config: Config, opts: { logger?: Logger } = {}): Promise<RunningWorker> {
  if (!config.redisUrl || !config.databaseUrl) throw new Error('granary worker needs GRANARY_REDIS_URL and GRANARY_DATABASE_URL (cluster mode)');
  const log = opts.logger ?? pino({ level: config.logLevel, base: { instance: config.instanceName, role: 'worker' } });
  const backends: Backends = await createBackends(config, (m) => log.info(m));
  const pool = new WorkerPool<TaskMap>({
    size: config.workers,
    bulkSize: 1,
    queueLimit: config.queueLimit,
    bulkQueueLimit: config.bulkQueueLimit,
    bulkCpuMsPerClientMinute: 0,
    // publishing a large map (COG + polygons) may take minutes: the lock is renewed meanwhile
    taskTimeoutMs: Math.max(config.taskTimeoutMs, 30 * 60_000),
    heapMb: config.workerHeapMb,
    entry: siblingModule('../workers/worker-main.ts', import.meta.url),
    init: { policy: sourcePolicy(config), blockCacheBytes: config.blockCacheMb * 1024 * 1024 },
    // a job worker has only bulk work: all of it runs in its `size` children, no lane apart
    lanes: {},
  });
  const models = new ModelRegistry(config.modelsDir, async (entry) => void (await pool.run('check-model', entry.session)));
  const deps: JobDeps = { config, catalog: backends.catalog, models, pool };
  const rows = new PgJobs(backends.pg!);
  const metrics = workerMetrics();
  const plans = new Map<string, Promise<CropMapPlan>>();
  const planFor = (jobId: string, params: CropMapPlan['params']) => {
    let p = plans.get(jobId);
    if (!p) {
      p = planCropMap(deps, params);
      p.catch(() => plans.delete(jobId));
      plans.set(jobId, p);
      if (plans.size > 64) plans.delete(plans.keys().next().value!);
    }
    return p;
  };

  const processBlock = async (job: Job<BlockJobData>) => {
    const { jobId, block, requestId } = job.data;
    const row = await rows.params(jobId);
    if (!row) throw new Error(`job ${jobId} has no row in the database`);
    if (row.state === 'failed' || row.state === 'done') return { skipped: row.state };
    const t0 = performance.now();
    const plan = await planFor(jobId, row.params);
    const account: CpuAccount = { cpuMs: 0, byKind: {} };
    const b = await cpuAccounting.run(account, () => runBlock(pool, plan, block));
    const bytes = encodeBlock(b);
    await mkdir(blockDir(config.dataDir, jobId), { recursive: true });
    await writeFileAtomic(blockPath(config.dataDir, jobId, block), bytes);
    await rows.blockDone(jobId, block, sha256(bytes), config.instanceName, account.cpuMs);
    const s = (performance.now() - t0) / 1000;
    metrics.blockSeconds.observe(s);
    metrics.blocks.inc({ outcome: 'done' });
    log.debug({ jobId, requestId, block, attempt: job.attemptsMade + 1, seconds: s }, 'block done');
    return { block };
  };

  const processAssemble = async (job: Job<AssembleJobData>) => {
    const { jobId, requestId } = job.data;
    const row = await rows.params(jobId);
    if (!row) throw new Error(`job ${jobId} has no row in the database`);
    if (row.state === 'done' || row.state === 'failed') return { skipped: row.state };
    const plan = await planFor(jobId, row.params);
    const recorded = await rows.blocks(jobId);
    if (recorded.length !== plan.grid.total) throw new Error(`only ${recorded.length} of ${plan.grid.total} blocks are recorded: not publishing`);
    const canvas = new CropMapCanvas(plan.grid);
    for (const r of recorded) {
      const bytes = new Uint8Array(await readFile(blockPath(config.dataDir, jobId, r.block)));
      if (sha256(bytes) !== r.sha256) throw new Error(`block ${r.block} on storage does not match its recorded sha256: not publishing`);
      canvas.place(decodeBlock(plan.grid, r.block, bytes));
    }
    const missing = canvas.missing();
    if (missing.length > 0) throw new Error(`blocks ${missing.slice(0, 10).join(', ')} missing: not publishing`);
    const cpuMs = (await backends.pg!.query<{ ms: number }>('SELECT COALESCE(sum(ms), 0) AS ms FROM job_blocks WHERE job_id = $1', [jobId])).rows[0]!.ms;
    const wallSeconds = (Date.now() - row.createdAt.getTime()) / 1000;
    const pub = await runPublish(pool, config, plan, canvas, cpuMs, wallSeconds);
    const result: CropMapJobResult = { cog: pub.tif, polygons: pub.polygonsPath, width: plan.grid.width, height: plan.grid.height, mappedPixels: pub.mappedPixels, polygonCount: pub.polygonCount, wallSeconds: Number(((Date.now() - row.createdAt.getTime()) / 1000).toFixed(3)), cpuSeconds: Number((cpuMs / 1000).toFixed(3)) };
    await registerCropMap(backends.pg!, { jobId, plan, result, footprint: { instance: config.instanceName, cpuMs, joules: pub.footprint.joules, gCo2e: pub.footprint.gCo2e, km2: pub.km2 } });
    await rm(blockDir(config.dataDir, jobId), { recursive: true, force: true });
    metrics.jobSeconds.observe(result.wallSeconds);
    log.info({ jobId, requestId, blocks: plan.grid.total, seconds: result.wallSeconds, cog: pub.tif }, 'job done: crop map published');
    return { published: pub.tif };
  };

  const connection = redisConnection(config.redisUrl, 'worker');
  const worker = new Worker(
    QUEUE_NAME,
    async (job: Job) => (job.name === 'block' ? processBlock(job as Job<BlockJobData>) : processAssemble(job as Job<AssembleJobData>)),
    { connection, concurrency: config.workers, lockDuration: config.jobLockMs, stalledInterval: Math.max(500, Math.floor(config.jobLockMs / 2)), maxStalledCount: config.jobAttempts, autorun: false },
  );
  const depthQueue = new Queue(QUEUE_NAME, { connection });
  depthQueue.on('error', () => undefined);
  worker.on('error', (e) => log.warn({ err: e.message }, 'queue connection problem'));
  worker.on('failed', (job, err) => {
    if (!job) return;
    const data = job.data as BlockJobData | AssembleJobData;
    const final = job.attemptsMade >= (job.opts.attempts ?? 1);
    metrics.blocks.inc({ outcome: final ? 'failed' : 'retried' });
    log.warn({ jobId: data.jobId, requestId: data.requestId, task: job.name, attempt: job.attemptsMade, final, err: err.message }, 'job task failed');
    if (final) void rows.fail(data.jobId, `${job.name === 'block' ? `block ${(data as BlockJobData).block}` : 'assembly'} failed after ${job.attemptsMade} attempts: ${err.message}`).catch(() => undefined);
  });
  worker.on('stalled', (id) => log.warn({ bullJob: id }, 'a task stalled (its worker died or froze): handed to another worker'));

  // metrics and liveness over HTTP
  const server: Server = createServer((req, res) => {
    void (async () => {
      if (req.url === '/metrics') {
        try {
          const counts = await depthQueue.getJobCounts('waiting', 'active', 'delayed', 'waiting-children', 'failed');
          for (const [state, n] of Object.entries(counts)) metrics.depth.set({ state }, n);
        } catch {
          /* Redis unreachable: the gauge keeps its last values */
        }
        res.setHeader('content-type', metrics.registry.contentType);
        res.end(await metrics.registry.metrics());
      } else if (req.url === '/healthz') {
        res.setHeader('content-type', 'application/json');
        res.end(JSON.stringify({ status: worker.isRunning() ? 'ok' : 'stopping', instance: config.instanceName }));
      } else {
        res.statusCode = 404;
        res.end();
      }
    })();
  });
  await new Promise<void>((resolve) => server.listen(config.port, config.host, resolve));
  const addr = server.address();
  const port = typeof addr === 'object' && addr ? addr.port : config.port;
  void worker.run();
  await worker.waitUntilReady();
  log.info({ port, queue: QUEUE_NAME, concurrency: config.workers }, 'worker ready');

  let closing: Promise<void> | null = null;
  return {
    port,
    close: () =>
      (closing ??= (async () => {
        log.info('worker stopping: finishing active tasks, taking no new ones');
        await worker.close();
        await depthQueue.close().catch(() => undefined);
        connection.disconnect();
        await pool.close();
        await backends.close();
        await new Promise<void>((r) => server.close(() => r()));
      })()),
  };
}
