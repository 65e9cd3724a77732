/**
 * The default V8 heap limit of a worker child, in MB (GRANARY_WORKER_HEAP_MB). Its own module: the
 * configuration's default, and what bin/granary.js forks the first worker child with before the
 * service's bundle (and so the configuration) has loaded (workers/fork-child.ts).
 */
export const DEFAULT_WORKER_HEAP_MB = 2048;
