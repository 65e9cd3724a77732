/**
 * sharp (libvips, a native library), loaded on the first encode rather than when a module that
 * names an encoder is imported: the server process imports the tile modules for their constants and
 * types and never encodes, and loading sharp cost it ~50-100 ms of its start (issue #17). A worker
 * loads it at its own start (workers/worker-main.ts encodes the empty tile at once). Through
 * require, synchronously: Node's ES module loader takes several times longer over sharp's files.
 * One libvips thread per worker: parallelism comes from the worker pool.
 */
import { createRequire } from 'node:module';
import type SharpNs from 'sharp';

type Sharp = typeof SharpNs;
let sharp: Sharp | null = null;

export function loadSharp(): Sharp {
  if (!sharp) {
    const s = createRequire(import.meta.url)('sharp') as Sharp;
    s.concurrency(1);
    sharp = s;
  }
  return sharp;
}
