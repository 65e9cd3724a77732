/**
 * PNG encoding of RGBA tiles (8-bit, colour type 6, no interlace) with Node's own zlib.
 *
 * Written here rather than taken from a library: a PNG of RGBA rows is a signature, three chunks and
 * one zlib stream, and Node links zlib already. sharp (libvips) did this before; its load cost
 * every worker process ~50 ms of its start (issue #17: half of it in semver, which sharp requires to
 * check libvips' version), and now only a WebP or JPEG tile loads it (render/image.ts). pngjs, the
 * PNG package at hand, took 5 ms a tile where this takes 1-4 ms (it filters and packs the rows in
 * JavaScript).
 *
 * Settings chosen by measurement on the bench tiles (README, performance): zlib level 3 with
 * memLevel 9 and no row filter. Level 3 is the last of zlib's fast levels (1-3 skip the lazy match
 * search of 4-9); on the 196 Landsat RGB and 160 Sinop NDVI tiles of `npm run bench -- gdal`, CPU and
 * size per tile (level 3 against the level 4 used before): Landsat 0.74 against 1.97 ms, 17.3 against
 * 15.0 KiB (still a fifth smaller than the GDAL peer's level-6 tiles), Sinop 0.46 against 0.90 ms
 * and 8.8 against 9.7 KiB. RGB rows for opaque tiles saved under 10 % of the time (only 37 of the
 * Landsat tiles are opaque), so every tile stays RGBA. Adaptive filtering costs 2-4x the CPU for no
 * smaller files on these tiles. PNG is lossless: any setting decodes to the same pixels (tested
 * against sharp's decoder).
 */
import { crc32, deflateSync, type ZlibOptions } from 'node:zlib';

const SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
const ZLIB = { level: 3, memLevel: 9, chunkSize: 1 << 18 } as const;
/** The empty tile is made once per size: compressed as far as zlib goes. */
const ZLIB_ONCE = { ...ZLIB, level: 9 } as const;

/** One chunk: length, type, data, CRC-32 of type and data. */
function chunk(type: string, data: Uint8Array): Buffer {
  const out = Buffer.allocUnsafe(12 + data.length);
  out.writeUInt32BE(data.length, 0);
  out.write(type, 4, 'latin1');
  out.set(data, 8);
  out.writeUInt32BE(crc32(out.subarray(4, 8 + data.length)) >>> 0, 8 + data.length);
  return out;
}

export async function encodePng(rgba: Uint8Array, width: number, height: number, zlib: ZlibOptions = ZLIB): Promise<Buffer> {
  const stride = width * 4;
  if (rgba.length !== stride * height) throw new Error(`encodePng: ${rgba.length} bytes for ${width} x ${height} RGBA`);
  // each row behind its filter byte (0: none)
  const rows = Buffer.allocUnsafe((stride + 1) * height);
  for (let y = 0; y < height; y++) {
    rows[y * (stride + 1)] = 0;
    rows.set(rgba.subarray(y * stride, (y + 1) * stride), y * (stride + 1) + 1);
  }
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header[8] = 8; // bit depth
  header[9] = 6; // RGBA; compression, filter method and interlace stay 0
  return Buffer.concat([SIGNATURE, chunk('IHDR', header), chunk('IDAT', deflateSync(rows, zlib)), chunk('IEND', new Uint8Array(0))]);
}

const empties = new Map<number, Promise<Buffer>>();
/** A fully transparent tile (the deliberate answer for a tile with no data). */
export function emptyPng(size: number): Promise<Buffer> {
  let p = empties.get(size);
  if (!p) {
    p = encodePng(new Uint8Array(size * size * 4), size, size, ZLIB_ONCE);
    empties.set(size, p);
  }
  return p;
}
