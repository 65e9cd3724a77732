// Worker-thread bootstrap: registers the TypeScript loader (tsx) inside the worker, then loads the
// entry module. Node 20 does not pass --import loaders on to worker threads.
import { register } from 'tsx/esm/api';
import { workerData } from 'node:worker_threads';

// geotiff.js imports `web-worker`, which crashes when imported inside a worker thread unless a
// global Worker exists (STACK-NOTES). We never use geotiff's own pool, so a stub is enough.
if (typeof globalThis.Worker === 'undefined') globalThis.Worker = class {};
register();
await import(workerData.entry);
