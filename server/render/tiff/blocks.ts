/** Cuts an image into TIFF blocks (tiles or one strip), applies the predictor and compresses each block. */
import { deflateSync } from 'node:zlib';
import { endianness } from 'node:os';
import type { RasterArray } from './types.js';

interface BlockEncoding {
  /** block size in pixels; for a strip: the image width and height */
  blockWidth: number;
  blockHeight: number;
  /** 1 = pixel-interleaved (one block holds all bands), 2 = one block per band */
  planar: 1 | 2;
  /** TIFF predictor: 1 none, 2 horizontal differencing, 3 floating point */
  predictor: 1 | 2 | 3;
  /** deflate level 0-9, or null for no compression */
  deflateLevel: number | null;
  /** value for the padding of partial edge tiles */
  fill: number;
}

if (endianness() !== 'LE') throw new Error('the GeoTIFF writer needs a little-endian host');

/**
 * Encodes all blocks of one image in TIFF strile order: row-major blocks, and for planar 2 all blocks of band 1,
 * then band 2, ... Edge tiles are padded to the full block size with `fill`.
 */
export function encodeBlocks(bands: readonly RasterArray[], width: number, height: number, enc: BlockEncoding): Buffer[] {
  const { blockWidth: bw, blockHeight: bh } = enc;
  const first = bands[0];
  if (!first) throw new TypeError('no bands');
  const Ctor = first.constructor as new (n: number) => RasterArray;
  const samples = enc.planar === 1 ? bands.length : 1;
  const groups = enc.planar === 1 ? [bands] : bands.map((b) => [b]);
  const across = Math.ceil(width / bw);
  const down = Math.ceil(height / bh);
  const out: Buffer[] = [];
  for (const group of groups) {
    for (let ty = 0; ty < down; ty++) {
      for (let tx = 0; tx < across; tx++) {
        const x0 = tx * bw;
        const y0 = ty * bh;
        const w = Math.min(bw, width - x0);
        const h = Math.min(bh, height - y0);
        const block = new Ctor(bw * bh * samples);
        if ((w < bw || h < bh) && enc.fill !== 0) block.fill(enc.fill);
        copyWindow(group, width, x0, y0, w, h, block, bw);
        out.push(finishBlock(block, bw, bh, samples, enc));
      }
    }
  }
  return out;
}

function copyWindow(group: readonly RasterArray[], width: number, x0: number, y0: number, w: number, h: number, block: RasterArray, bw: number): void {
  const samples = group.length;
  if (samples === 1) {
    const band = group[0] as RasterArray;
    for (let r = 0; r < h; r++) {
      const src = (y0 + r) * width + x0;
      block.set(band.subarray(src, src + w), r * bw);
    }
    return;
  }
  for (let s = 0; s < samples; s++) {
    const band = group[s] as RasterArray;
    for (let r = 0; r < h; r++) {
      const src = (y0 + r) * width + x0;
      let dst = r * bw * samples + s;
      for (let c = 0; c < w; c++, dst += samples) block[dst] = band[src + c] as number;
    }
  }
}

function finishBlock(block: RasterArray, bw: number, bh: number, samples: number, enc: BlockEncoding): Buffer {
  const rowLength = bw * samples;
  if (enc.predictor === 2) {
    for (let r = 0; r < bh; r++) {
      const base = r * rowLength;
      // Integer typed arrays wrap on store, which is the modular arithmetic the predictor needs.
      for (let i = base + rowLength - 1; i >= base + samples; i--) block[i] = (block[i] as number) - (block[i - samples] as number);
    }
  }
  let bytes = new Uint8Array(block.buffer, block.byteOffset, block.byteLength);
  if (enc.predictor === 3) bytes = floatingPointPredictor(bytes, bh, rowLength, block.BYTES_PER_ELEMENT, samples);
  const raw = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return enc.deflateLevel === null ? raw : deflateSync(raw, { level: enc.deflateLevel });
}

/** TIFF Technical Note 3 floating-point predictor (libtiff's fpDiff): byte planes MSB first, then byte differencing. */
function floatingPointPredictor(src: Uint8Array, rows: number, wc: number, bps: number, stride: number): Uint8Array {
  const out = new Uint8Array(src.length);
  const rowBytes = wc * bps;
  for (let r = 0; r < rows; r++) {
    const base = r * rowBytes;
    for (let i = 0; i < wc; i++) {
      const s = base + i * bps;
      for (let b = 0; b < bps; b++) out[base + (bps - 1 - b) * wc + i] = src[s + b] as number;
    }
    for (let j = base + rowBytes - 1; j >= base + stride; j--) out[j] = ((out[j] as number) - (out[j - stride] as number)) & 0xff;
  }
  return out;
}
