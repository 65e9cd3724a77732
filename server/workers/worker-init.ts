/** The init every worker child gets (raster-context.ts), from the configuration: one place, so the early child's init and the pool's are the same. */
import { join } from 'node:path';
import { LOCKFILE, type Config } from '../config.js';
import { sourcePolicy } from '../raster/source-policy.js';
import type { WorkerInit } from './raster-context.js';

export function workerInit(config: Config): WorkerInit {
  return {
    policy: sourcePolicy(config),
    blockCacheBytes: config.blockCacheMb * 1024 * 1024,
    readBudgetBytes: config.requestDecodeMb * 1024 * 1024,
    ...(config.classifiedCacheMb > 0 ? { classifiedCache: { dir: join(config.dataDir, 'cache', 'classified'), maxBytes: config.classifiedCacheMb * 1024 * 1024, lockFile: LOCKFILE } } : {}),
  };
}
