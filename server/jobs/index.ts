/** Chooses the job queue from the configuration: BullMQ when Redis and PostgreSQL are configured, else in-process. */
import type { FastifyBaseLogger } from 'fastify';
import type { Backends } from '../store/backends.js';
import { InProcessJobs } from './in-process.js';
import type { JobDeps } from './plan.js';
import type { JobQueue } from './types.js';

class JobsConfigError extends Error {}

/** BullMQ and ioredis are imported only when Redis is configured (the embedded default never loads them). */
export async function createJobQueue(deps: JobDeps, backends: Backends, log: FastifyBaseLogger): Promise<JobQueue> {
  const { config } = deps;
  if (config.redisUrl) {
    // the job state lives in PostgreSQL so that every replica reports the same: Redis alone is not enough
    if (!backends.pg) throw new JobsConfigError('GRANARY_REDIS_URL needs GRANARY_DATABASE_URL too (the job state is kept in PostgreSQL)');
    const { ClusterJobs } = await import('./cluster.js');
    return new ClusterJobs(backends.pg, config.redisUrl, { attempts: config.jobAttempts });
  }
  return new InProcessJobs(deps, log);
}
