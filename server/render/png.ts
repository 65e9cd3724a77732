/** PNG encoding of RGBA tiles with sharp (libvips), ~2-5 ms for 256 px. */
import sharp from 'sharp';

sharp.concurrency(1); // one libvips thread per worker: parallelism comes from the worker pool

export async function encodePng(rgba: Uint8Array, width: number, height: number): Promise<Buffer> {
  return sharp(Buffer.from(rgba.buffer, rgba.byteOffset, rgba.byteLength), { raw: { width, height, channels: 4 } })
    .png({ compressionLevel: 6, adaptiveFiltering: false })
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
