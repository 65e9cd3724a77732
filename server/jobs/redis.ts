/** Redis connections for BullMQ (ioredis). Workers need maxRetriesPerRequest: null (blocking commands). */
import { Redis } from 'ioredis';

export const QUEUE_NAME = 'granary-cropmap';

export function redisConnection(url: string, role: 'producer' | 'worker'): Redis {
  const r = new Redis(url, {
    maxRetriesPerRequest: role === 'worker' ? null : 2,
    enableReadyCheck: true,
    // reconnect forever, at most every 2 s (Redis restarted: the queue resumes when it is back)
    retryStrategy: (times) => Math.min(2000, 100 * times),
    lazyConnect: false,
  });
  // connection errors are reported through readiness and job state, never as an unhandled 'error'
  r.on('error', () => undefined);
  return r;
}

export const blockJobId = (jobId: string, block: number) => `${jobId}-b${block}`;
export const assembleJobId = (jobId: string) => `${jobId}-assemble`;
