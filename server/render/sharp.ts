/**
 * sharp (libvips, a native library), loaded on the first WebP or JPEG tile rather than when a module
 * that names an encoder is imported: loading it costs a process ~50 ms (issue #17), which neither
 * the server process (it never encodes) nor a worker's start (PNG is encoded with Node's zlib:
 * render/png.ts) should pay. Through require, synchronously: Node's ES module loader takes several
 * times longer over sharp's files. One libvips thread per worker: parallelism comes from the pool.
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
