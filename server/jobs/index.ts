/** Chooses the job queue from the configuration: BullMQ when Redis and PostgreSQL are configured, else in-process. */
import type { FastifyBaseLogger } from 'fastify';
import type { Backends } from '../store/backends.js';
import { ClusterJobs } from './cluster.js';
import { InProcessJobs } from './in-process.js';
import type { JobDeps } from './plan.js';
import type { JobQueue } from './types.js';

export class JobsConfigError extends Error {}

export function createJobQueue(deps: JobDeps, backends: Backends, log: FastifyBaseLogger): JobQueue {
  const { config } = deps;
  if (config.redisUrl) {
    // the job state lives in PostgreSQL so that every replica reports the same: Redis alone is not enough
    if (!backends.pg) throw new JobsConfigError('GRANARY_REDIS_URL needs GRANARY_DATABASE_URL too (the job state is kept in PostgreSQL)');
    return new ClusterJobs(backends.pg, config.redisUrl, { attempts: config.jobAttempts });
  }
  return new InProcessJobs(deps, log);
}
