/** The source policy (which files and hosts a COG may be read from) a configuration grants. */
import type { Config } from '../config.js';
import type { SourcePolicy } from './source.js';

export function sourcePolicy(config: Pick<Config, 'dataDir' | 'readOnlyDirs' | 'remoteHosts' | 'remoteTimeoutMs' | 'extraCaCerts'>): SourcePolicy {
  return { readRoots: [config.dataDir, ...config.readOnlyDirs], remoteHosts: config.remoteHosts, remoteTimeoutMs: config.remoteTimeoutMs, ...(config.extraCaCerts ? { extraCaFile: config.extraCaCerts } : {}) };
}
