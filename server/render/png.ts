/** PNG encoding of RGBA tiles with sharp (libvips), ~2-5 ms for 256 px. */
import { loadSharp } from './sharp.js';

/**
 * zlib level 4, no row filter: chosen by measurement on the bench tiles (README, performance). PNG is
 * lossless, so any level gives identical pixels; levels 1-6 cost 1.3-2.5 ms CPU per 256 px tile (the
 * libvips call dominates), level 4 is ~0.5 ms cheaper than 6 on Sinop for 1.4 KiB more, and adaptive
 * filtering costs 2-4x the CPU for no smaller files on these tiles.
 */
const PNG_ZLIB_LEVEL = 4;

export async function encodePng(rgba: Uint8Array, width: number, height: number): Promise<Buffer> {
  const sharp = loadSharp();
  return sharp(Buffer.from(rgba.buffer, rgba.byteOffset, rgba.byteLength), { raw: { width, height, channels: 4 } })
    .png({ compressionLevel: PNG_ZLIB_LEVEL, adaptiveFiltering: false })
    .toBuffer();
}

const empties = new Map<number, Promise<Buffer>>();
/** A fully transparent tile (the deliberate answer for a tile with no data). */
export function emptyPng(size: number): Promise<Buffer> {
  let p = empties.get(size);
  if (!p) {
    p = encodePng(new Uint8Array(size * size * 4), size, size);
    empties.set(size, p);
  }
  return p;
}
