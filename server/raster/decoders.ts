/**
 * Block decoders with an output budget: a block decodes to at most
 * tileWidth x tileHeight x (bits per pixel) / 8 bytes, the size the TIFF declares, and anything
 * that would exceed it is a corrupt block (GranaryError 'scene-unreadable': 422 for that scene),
 * never an allocation the file chose. Registered in place of geotiff.js's decoders for every
 * compression the service accepts:
 *
 * - DEFLATE (8, 32946): Node's native zlib with maxOutputLength = the budget (also ~30x faster
 *   than geotiff.js's pako on the Sinop blocks).
 * - LZW (5) and PackBits (32773): written here because geotiff.js's decoders grow a plain JS array
 *   with no cap (a 116 KB LZW file grew one past V8's limit and aborted the process) and take no
 *   size parameter; these write into a preallocated Uint8Array of exactly the budget.
 * - JPEG (7): the frame header (SOF) is read first; a frame larger than the tile (e.g. 16384 x
 *   16384 inside a 256 tile) is refused before geotiff.js's decoder allocates for it.
 * - LERC (34887): the additional DEFLATE layer is inflated by zlib with a cap (geotiff.js uses
 *   pako with none), then every LERC2 blob header must declare a raster inside the budget before
 *   the LERC decoder runs. LERC with ZSTD, LERC1 and ZSTD (50000) are not accepted: zstddec cannot
 *   be given an output cap (it trusts the frame's declared size).
 * - Uncompressed (1): a block is the bytes of the file, no expansion.
 * Other compressions (WebP, old JPEG, ...) are refused as unsupported.
 */
import { inflateSync } from 'node:zlib';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { addDecoder, BaseDecoder } from 'geotiff';
import { GranaryError } from '../errors.js';
import { importModule } from '../util/import-module.js';

interface BlockParams {
  tileWidth?: number;
  tileHeight?: number;
  bitsPerSample?: number | ArrayLike<number>;
  planarConfiguration?: number;
  LercParameters?: ArrayLike<number>;
}

const corrupt = (what: string, detail: string) => new GranaryError('scene-unreadable', `a ${what} block ${detail}: corrupt or hostile file`);

/** The decoded size of one block from the decoder parameters (0 when they do not say). */
function blockBudget(p: BlockParams | undefined): number {
  if (!p || !p.tileWidth || !p.tileHeight) return 0;
  const bits = typeof p.bitsPerSample === 'number' ? [p.bitsPerSample] : Array.from(p.bitsPerSample ?? [8]);
  const perPixel = p.planarConfiguration === 2 ? Math.max(...bits) : bits.reduce((a, b) => a + b, 0);
  return Math.ceil((p.tileWidth * p.tileHeight * perPixel) / 8);
}

function paramsOf(d: BaseDecoder): BlockParams {
  return (d as unknown as { parameters?: BlockParams }).parameters ?? {};
}

function budgetOf(d: BaseDecoder, what: string): number {
  const b = blockBudget(paramsOf(d));
  if (!(b > 0)) throw corrupt(what, 'has no declared block size');
  return b;
}

function exactBuffer(u: Uint8Array): ArrayBuffer {
  return (u.byteOffset === 0 && u.byteLength === u.buffer.byteLength ? u.buffer : u.buffer.slice(u.byteOffset, u.byteOffset + u.byteLength)) as ArrayBuffer;
}

function inflateCapped(data: Uint8Array, cap: number, what: string): Buffer {
  try {
    return inflateSync(data, { maxOutputLength: cap });
  } catch (e) {
    throw corrupt(what, `does not inflate within ${cap} bytes (${(e as Error).message})`);
  }
}

class BoundedDeflateDecoder extends BaseDecoder {
  override decodeBlock(buffer: ArrayBuffer): ArrayBuffer {
    return exactBuffer(inflateCapped(new Uint8Array(buffer), budgetOf(this, 'DEFLATE'), 'DEFLATE'));
  }
}

/** TIFF LZW (MSB-first codes of 9 to 12 bits, "early change"), into `budget` bytes at most. */
export function decodeLzw(input: Uint8Array, budget: number): Uint8Array {
  const out = new Uint8Array(budget);
  const prefix = new Int16Array(4096);
  const suffix = new Uint8Array(4096);
  const length = new Uint16Array(4096);
  const first = new Uint8Array(4096);
  for (let i = 0; i < 256; i++) {
    prefix[i] = -1;
    suffix[i] = i;
    length[i] = 1;
    first[i] = i;
  }
  const CLEAR = 256;
  const EOI = 257;
  let next = 258;
  let width = 9;
  let old = -1;
  let pos = 0;
  let bitPos = 0;
  const totalBits = input.length * 8;
  const emit = (code: number) => {
    const n = length[code]!;
    if (pos + n > budget) throw corrupt('LZW', `decodes to more than its ${budget} bytes`);
    let c = code;
    for (let i = pos + n - 1; i >= pos; i--) {
      out[i] = suffix[c]!;
      c = prefix[c]!;
    }
    pos += n;
  };
  while (bitPos + width <= totalBits) {
    // read `width` bits, most significant first
    let code = 0;
    for (let k = 0; k < width; k++, bitPos++) code = (code << 1) | ((input[bitPos >> 3]! >> (7 - (bitPos & 7))) & 1);
    if (code === EOI) break;
    if (code === CLEAR) {
      next = 258;
      width = 9;
      old = -1;
      continue;
    }
    if (old < 0) {
      if (code > 255) throw corrupt('LZW', `starts with code ${code}`);
      emit(code);
      old = code;
      continue;
    }
    if (code > next || (code === next && next >= 4096)) throw corrupt('LZW', `has code ${code} beyond the table (${next})`);
    const known = code < next;
    if (next < 4096) {
      prefix[next] = old;
      suffix[next] = known ? first[code]! : first[old]!;
      first[next] = first[old]!;
      length[next] = Math.min(65535, length[old]! + 1);
      next++;
    }
    emit(code);
    old = code;
    if (next >= (1 << width) - 1 && width < 12) width++;
  }
  return pos === budget ? out : out.subarray(0, pos);
}

/** PackBits (Apple / TIFF 32773), into `budget` bytes at most. */
export function decodePackBits(input: Uint8Array, budget: number): Uint8Array {
  const out = new Uint8Array(budget);
  let pos = 0;
  let i = 0;
  while (i < input.length) {
    const h = (input[i++]! << 24) >> 24; // signed byte
    if (h >= 0) {
      const n = h + 1;
      if (pos + n > budget) throw corrupt('PackBits', `decodes to more than its ${budget} bytes`);
      if (i + n > input.length) throw corrupt('PackBits', 'ends inside a literal run');
      out.set(input.subarray(i, i + n), pos);
      pos += n;
      i += n;
    } else if (h !== -128) {
      const n = 1 - h;
      if (pos + n > budget) throw corrupt('PackBits', `decodes to more than its ${budget} bytes`);
      if (i >= input.length) throw corrupt('PackBits', 'ends inside a repeat run');
      out.fill(input[i++]!, pos, pos + n);
      pos += n;
    }
  }
  return pos === budget ? out : out.subarray(0, pos);
}

class BoundedLzwDecoder extends BaseDecoder {
  override decodeBlock(buffer: ArrayBuffer): ArrayBuffer {
    return exactBuffer(decodeLzw(new Uint8Array(buffer), budgetOf(this, 'LZW')));
  }
}

class BoundedPackBitsDecoder extends BaseDecoder {
  override decodeBlock(buffer: ArrayBuffer): ArrayBuffer {
    return exactBuffer(decodePackBits(new Uint8Array(buffer), budgetOf(this, 'PackBits')));
  }
}

/** The frame size (SOF marker) of a JPEG stream, or null when it has none before the scan. */
export function jpegFrameSize(data: Uint8Array): { width: number; height: number; components: number } | null {
  if (data.length < 4 || data[0] !== 0xff || data[1] !== 0xd8) return null;
  let i = 2;
  while (i + 4 <= data.length) {
    if (data[i] !== 0xff) return null;
    const marker = data[i + 1]!;
    if (marker === 0xff) {
      i++; // fill byte
      continue;
    }
    if (marker === 0xd8 || (marker >= 0xd0 && marker <= 0xd7) || marker === 0x01) {
      i += 2;
      continue;
    }
    const len = (data[i + 2]! << 8) | data[i + 3]!;
    const sof = marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc;
    if (sof) {
      if (i + 10 > data.length) return null;
      return { height: (data[i + 5]! << 8) | data[i + 6]!, width: (data[i + 7]! << 8) | data[i + 8]!, components: data[i + 9]! };
    }
    if (marker === 0xda || marker === 0xd9) return null; // scan or end before any frame
    i += 2 + len;
  }
  return null;
}

/** geotiff.js's own decoder modules (not in its package exports), for the decode after our checks. */
const requireHere = createRequire(import.meta.url);
const geotiffModules = join(dirname(dirname(requireHere.resolve('geotiff'))), 'dist-module', 'compression');
type DecoderClass = new (p: unknown) => BaseDecoder;
const original = new Map<string, Promise<DecoderClass>>();
function geotiffDecoder(file: string): Promise<DecoderClass> {
  let p = original.get(file);
  if (!p) {
    p = importModule<{ default: DecoderClass }>(pathToFileURL(join(geotiffModules, file)).href).then((m) => m.default);
    original.set(file, p);
  }
  return p;
}

class BoundedJpegDecoder extends BaseDecoder {
  private inner: Promise<BaseDecoder> | null = null;
  override async decodeBlock(buffer: ArrayBuffer): Promise<ArrayBuffer> {
    const p = paramsOf(this);
    const budget = budgetOf(this, 'JPEG');
    const frame = jpegFrameSize(new Uint8Array(buffer));
    if (!frame) throw corrupt('JPEG', 'has no frame header');
    if (frame.width > (p.tileWidth ?? 0) || frame.height > (p.tileHeight ?? 0) || frame.width * frame.height * frame.components > budget) {
      throw corrupt('JPEG', `declares a ${frame.width}x${frame.height} frame of ${frame.components} component(s) in a ${p.tileWidth}x${p.tileHeight} block of ${budget} bytes`);
    }
    this.inner ??= geotiffDecoder('jpeg.js').then((C) => new C(this.parameters));
    const out = await (await this.inner).decodeBlock(buffer);
    if (out.byteLength > budget) throw corrupt('JPEG', `decodes to ${out.byteLength} bytes, more than its ${budget}`);
    return out as ArrayBuffer;
  }
}

/** Decoded bytes of one value of each LERC2 data type (char, uchar, short, ushort, int, uint, float, double). */
const LERC_TYPE_BYTES = [1, 1, 2, 2, 4, 4, 4, 8];

/** Checks every LERC2 blob header in `blob` (bands may be concatenated): total decoded size within `budget`. */
export function checkLercBlobs(blob: Uint8Array, tileWidth: number, tileHeight: number, budget: number): void {
  const dv = new DataView(blob.buffer, blob.byteOffset, blob.byteLength);
  let at = 0;
  let total = 0;
  let blobs = 0;
  while (at < blob.length) {
    if (++blobs > 4096) throw corrupt('LERC', 'holds too many blobs');
    if (at + 6 > blob.length || String.fromCharCode(...blob.subarray(at, at + 6)) !== 'Lerc2 ') throw corrupt('LERC', 'is not a LERC2 blob (LERC1 is not accepted)');
    let o = at + 6;
    const need = (n: number) => {
      if (o + n > blob.length) throw corrupt('LERC', 'has a truncated header');
    };
    need(4);
    const version = dv.getInt32(o, true);
    o += 4;
    if (version >= 3) o += 4; // checksum
    need(8);
    const height = dv.getInt32(o, true);
    const width = dv.getInt32(o + 4, true);
    o += 8;
    let depth = 1;
    if (version >= 4) {
      need(4);
      depth = dv.getInt32(o, true);
      o += 4;
    }
    need(16);
    const blobSize = dv.getInt32(o + 8, true);
    const type = dv.getInt32(o + 12, true);
    const typeBytes = LERC_TYPE_BYTES[type];
    if (!(width > 0 && height > 0 && width <= tileWidth && height <= tileHeight)) throw corrupt('LERC', `declares a ${width}x${height} raster in a ${tileWidth}x${tileHeight} block`);
    if (!(depth >= 1 && typeBytes !== undefined)) throw corrupt('LERC', `declares depth ${depth}, type ${type}`);
    total += width * height * depth * typeBytes;
    if (total > budget) throw corrupt('LERC', `declares more than its ${budget} bytes`);
    if (!(blobSize > 0 && at + blobSize <= blob.length)) throw corrupt('LERC', `declares a blob of ${blobSize} bytes`);
    at += blobSize;
  }
}

class BoundedLercDecoder extends BaseDecoder {
  private inner: Promise<BaseDecoder> | null = null;
  override async decodeBlock(buffer: ArrayBuffer): Promise<ArrayBuffer> {
    const p = paramsOf(this);
    const budget = budgetOf(this, 'LERC');
    const add = p.LercParameters?.[1] ?? 0;
    let blob: Uint8Array = new Uint8Array(buffer);
    // a valid LERC blob is never much larger than the raw block: raw values, a validity bit mask, headers
    if (add === 1) blob = inflateCapped(blob, 2 * budget + 65_536, 'LERC+DEFLATE');
    else if (add !== 0) throw corrupt('LERC', `uses additional compression ${add} (only none and DEFLATE are accepted)`);
    checkLercBlobs(blob, p.tileWidth ?? 0, p.tileHeight ?? 0, budget);
    // geotiff.js's LERC decoder, told there is no additional compression left to undo
    const params = { ...(this.parameters as object), LercParameters: [p.LercParameters?.[0] ?? 4, 0] };
    this.inner ??= geotiffDecoder('lerc.js').then((C) => new C(params));
    const out = await (await this.inner).decodeBlock(exactBuffer(blob));
    if (out.byteLength > budget) throw corrupt('LERC', `decodes to ${out.byteLength} bytes, more than its ${budget}`);
    return out as ArrayBuffer;
  }
}

class RefusedDecoder extends BaseDecoder {
  override decodeBlock(): ArrayBuffer {
    throw new GranaryError('scene-unreadable', 'ZSTD-compressed blocks are not accepted (no decoder with an output cap); recompress the file with DEFLATE, LZW or LERC (gdal_translate -co COMPRESS=DEFLATE)');
  }
}

let registered = false;
export function registerNativeDecoders(): void {
  if (registered) return;
  const add = (cases: number[], C: unknown) => addDecoder(cases, () => Promise.resolve(C as never), undefined as never, false);
  add([8, 32946], BoundedDeflateDecoder);
  add([5], BoundedLzwDecoder);
  add([32773], BoundedPackBitsDecoder);
  add([50000], RefusedDecoder);
  // JPEG and LERC need their extra parameters (JPEGTables, LercParameters): cog.ts passes them
  addDecoder([7], () => Promise.resolve(BoundedJpegDecoder as never), undefined as never, false);
  addDecoder([34887], () => Promise.resolve(BoundedLercDecoder as never), undefined as never, false);
  registered = true;
}
