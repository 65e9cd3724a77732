/**
 * The cluster job queue (replica side): a crop-map job is one BullMQ flow on Redis, a parent
 * `assemble` job with one child `block` job per native block, consumed by `granary worker`
 * processes (server/jobs/worker.ts). Each block job has its own retries (GRANARY_JOB_ATTEMPTS, with
 * backoff) and lock (GRANARY_JOB_LOCK_MS): a worker killed mid-block loses the lock and the block
 * goes back to the queue (BullMQ's stalled-job check); a block that fails every attempt fails the job.
 * The parent runs only when every block is done; it checks every block is on shared storage before
 * it publishes anything.
 *
 * What the API reports comes from the job's row in PostgreSQL. If Redis loses the job (restarted
 * without persistence), GET reports the job failed ("lost by the queue"), never done.
 */
import { FlowProducer, Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import type { PgPool } from '../store/pg.js';
import { probe } from '../store/backends.js';
import { newJobId } from './in-process.js';
import { PgJobs } from './pg-jobs.js';
import { assembleJobId, blockJobId, QUEUE_NAME, redisConnection } from './redis.js';
import type { CropMapJobParams, JobQueue, JobView } from './types.js';

interface ClusterJobOptions {
  attempts: number;
}

/** Data of the BullMQ jobs: only ids (the rest is in PostgreSQL and on shared storage). */
export interface BlockJobData {
  jobId: string;
  block: number;
  requestId: string | null;
}
export interface AssembleJobData {
  jobId: string;
  requestId: string | null;
}

/** A queued or running job is "lost" if Redis has no parent job for it this long after creation. */
const LOST_AFTER_MS = 10_000;

export class ClusterJobs implements JobQueue {
  readonly mode = 'bullmq' as const;
  readonly rows: PgJobs;
  private readonly connection: Redis;
  private readonly queue: Queue;
  private readonly flows: FlowProducer;

  constructor(
    pg: PgPool,
    redisUrl: string,
    private readonly opts: ClusterJobOptions,
  ) {
    this.rows = new PgJobs(pg);
    this.connection = redisConnection(redisUrl, 'producer');
    this.queue = new Queue(QUEUE_NAME, { connection: this.connection });
    this.queue.on('error', () => undefined);
    this.flows = new FlowProducer({ connection: this.connection });
    this.flows.on('error', () => undefined);
  }

  async submit(params: CropMapJobParams, blocksTotal: number, requestId: string | null): Promise<JobView> {
    const id = newJobId();
    await this.rows.create(id, params, blocksTotal, requestId);
    const retry = { attempts: this.opts.attempts, backoff: { type: 'exponential', delay: 500 } };
    const keep = { removeOnComplete: { age: 7 * 86_400 }, removeOnFail: { age: 7 * 86_400 } };
    try {
      await this.flows.add({
        name: 'assemble',
        queueName: QUEUE_NAME,
        data: { jobId: id, requestId } satisfies AssembleJobData,
        opts: { jobId: assembleJobId(id), ...retry, ...keep },
        children: Array.from({ length: blocksTotal }, (_, block) => ({
          name: 'block',
          queueName: QUEUE_NAME,
          data: { jobId: id, block, requestId } satisfies BlockJobData,
          opts: { jobId: blockJobId(id, block), failParentOnFailure: true, ...retry, ...keep },
        })),
      });
    } catch (e) {
      await this.rows.fail(id, `could not enqueue: ${(e as Error).message}`);
      throw e;
    }
    return (await this.rows.get(id))!;
  }

  async get(id: string): Promise<JobView | null> {
    const v = await this.rows.get(id);
    if (!v || (v.state !== 'queued' && v.state !== 'running')) return v;
    if (Date.now() - Date.parse(v.createdAt) < LOST_AFTER_MS) return v;
    // still open in the database: does the queue still have it?
    let parent;
    try {
      parent = await this.queue.getJob(assembleJobId(id));
    } catch {
      return v; // Redis unreachable: we cannot tell; readiness says so
    }
    if (!parent) {
      await this.rows.fail(id, 'lost by the queue: Redis no longer has this job (restarted without persistence?); blocks done were not published; submit it again');
      return this.rows.get(id);
    }
    return v;
  }

  list(limit: number): Promise<JobView[]> {
    return this.rows.list(limit);
  }

  async depth(): Promise<number> {
    const c = await this.queue.getJobCounts('waiting', 'active', 'delayed', 'waiting-children', 'prioritized');
    return Object.values(c).reduce((a, b) => a + b, 0);
  }

  async checks() {
    return {
      redis: await probe(async () => {
        const pong = await this.connection.ping();
        const c = await this.queue.getJobCounts('waiting', 'active');
        return `${pong}; queue ${QUEUE_NAME}: ${c['waiting'] ?? 0} waiting, ${c['active'] ?? 0} active`;
      }),
    };
  }

  async close(): Promise<void> {
    await this.flows.close().catch(() => undefined);
    await this.queue.close().catch(() => undefined);
    this.connection.disconnect();
  }
}
