/**
 * Hostile Cloud Optimized GeoTIFFs, built here byte by byte (no GDAL needed): decompression bombs
 * at full resolution behind VALID overviews (so registration, which reads the coarsest overview,
 * accepts them and only the deep zooms meet the bomb), lying JPEG and LERC headers, huge declared
 * sizes, thousands of bands. Used by hostile-cogs.test.ts; `npm run hostile-tiffs -- <dir>`
 * (make-hostile-tiffs.ts) writes them to files for manual attacks.
 *
 * The encoders (TIFF LZW, PackBits, a constant LERC2 blob) are written from the specifications
 * (TIFF 6.0 sections 9 and 13; LERC2 header as in Esri's lerc repository) independently of the
 * service's decoders.
 */
import { deflateSync } from 'node:zlib';
import sharp from 'sharp';
import type { Entry } from './tiff-builder.js';

/** Web Mercator (EPSG:3857), 250 m pixels, top-left corner near Sinop (Mato Grosso). */
const PIXEL = 250;
const ORIGIN = [-6_250_000, -1_250_000] as const;
const GEOKEYS: Entry = { tag: 34735, type: 3, values: [1, 1, 0, 3, 1024, 0, 1, 1, 1025, 0, 1, 1, 3072, 0, 1, 3857] };
const georef = (factor: number): Entry[] => [
  { tag: 33550, type: 12, values: [PIXEL * factor, PIXEL * factor, 0] },
  { tag: 33922, type: 12, values: [0, 0, 0, ORIGIN[0], ORIGIN[1], 0] },
  GEOKEYS,
];

interface Level {
  width: number;
  height: number;
  tile: number;
  /** one encoded block per tile index (row-major), or a single block shared by every tile */
  blocks: Uint8Array[] | Uint8Array;
}

interface CogSpec {
  bands: number;
  compression: number;
  levels: Level[];
  extra?: Entry[];
}

const TYPE_SIZE = { 3: 2, 4: 4, 12: 8 } as const;

/** A tiled, chunky, uint8, little-endian classic TIFF: blocks first, then one IFD per level. */
function writeCog(spec: CogSpec): Uint8Array {
  const parts: Uint8Array[] = [];
  let at = 8;
  const put = (b: Uint8Array): number => {
    const o = at;
    parts.push(b);
    at += b.length;
    if (at % 2) {
      parts.push(new Uint8Array(1));
      at++;
    }
    return o;
  };
  const header = Buffer.alloc(8);
  header.write('II', 0, 'latin1');
  header.writeUInt16LE(42, 2);
  const levelOffsets = spec.levels.map((l) => {
    const n = Math.ceil(l.width / l.tile) * Math.ceil(l.height / l.tile);
    if (l.blocks instanceof Uint8Array) {
      const o = put(l.blocks);
      return { offsets: new Array<number>(n).fill(o), counts: new Array<number>(n).fill(l.blocks.length) };
    }
    if (l.blocks.length !== n) throw new Error(`level ${l.width}x${l.height} needs ${n} blocks, got ${l.blocks.length}`);
    const offsets = l.blocks.map((b) => put(b));
    return { offsets, counts: l.blocks.map((b) => b.length) };
  });
  const ifdStarts: number[] = [];
  const ifds: Array<{ entries: Entry[] }> = spec.levels.map((l, i) => {
    const bands = Array.from({ length: spec.bands }, () => 8);
    const entries: Entry[] = [
      { tag: 254, type: 4, values: [i === 0 ? 0 : 1] },
      { tag: 256, type: 4, values: [l.width] },
      { tag: 257, type: 4, values: [l.height] },
      { tag: 258, type: 3, values: bands },
      { tag: 259, type: 3, values: [spec.compression] },
      { tag: 262, type: 3, values: [1] },
      { tag: 277, type: 3, values: [spec.bands] },
      { tag: 284, type: 3, values: [1] },
      { tag: 322, type: 3, values: [l.tile] },
      { tag: 323, type: 3, values: [l.tile] },
      { tag: 324, type: 4, values: levelOffsets[i]!.offsets },
      { tag: 325, type: 4, values: levelOffsets[i]!.counts },
      { tag: 339, type: 3, values: bands.map(() => 1) },
      ...(spec.extra ?? []),
    ];
    entries.push(...georef(spec.levels[0]!.width / l.width));
    return { entries: entries.sort((a, b) => a.tag - b.tag) };
  });
  // serialise IFDs, each followed by its out-of-line values
  for (const ifd of ifds) {
    const start = at;
    ifdStarts.push(start);
    const n = ifd.entries.length;
    const len = 2 + n * 12 + 4;
    const buf = Buffer.alloc(len);
    buf.writeUInt16LE(n, 0);
    let extraAt = start + len;
    const extras: Buffer[] = [];
    ifd.entries.forEach((e, k) => {
      const o = 2 + k * 12;
      buf.writeUInt16LE(e.tag, o);
      buf.writeUInt16LE(e.type, o + 2);
      buf.writeUInt32LE(e.count ?? e.values.length, o + 4);
      const data = Buffer.alloc(e.values.length * TYPE_SIZE[e.type]);
      e.values.forEach((v, j) => {
        if (e.type === 3) data.writeUInt16LE(v, j * 2);
        else if (e.type === 4) data.writeUInt32LE(v >>> 0, j * 4);
        else data.writeDoubleLE(v, j * 8);
      });
      if (data.length <= 4) data.copy(buf, o + 8);
      else {
        buf.writeUInt32LE(extraAt, o + 8);
        const padded = data.length % 2 ? Buffer.concat([data, Buffer.alloc(1)]) : data;
        extras.push(padded);
        extraAt += padded.length;
      }
    });
    parts.push(buf, ...extras);
    at = extraAt;
    (ifd as { buf?: Buffer }).buf = buf;
  }
  // link the chain: header -> IFD 0 -> IFD 1 -> ... -> 0
  header.writeUInt32LE(ifdStarts[0]!, 4);
  ifds.forEach((ifd, i) => {
    const buf = (ifd as { buf?: Buffer }).buf!;
    buf.writeUInt32LE(ifdStarts[i + 1] ?? 0, buf.length - 4);
  });
  return new Uint8Array(Buffer.concat([header, ...parts]));
}

/** TIFF LZW encoder (MSB-first, 9-12 bit codes, early change, CLEAR before the table fills). */
export function encodeLzw(data: Uint8Array): Uint8Array {
  const out: number[] = [];
  let acc = 0;
  let nbits = 0;
  let width = 9;
  const emit = (code: number) => {
    acc = (acc << width) | code;
    nbits += width;
    while (nbits >= 8) {
      out.push((acc >>> (nbits - 8)) & 0xff);
      nbits -= 8;
    }
    acc &= (1 << nbits) - 1;
  };
  let dict = new Map<number, number>();
  let next = 258;
  emit(256);
  if (data.length === 0) {
    emit(257);
    if (nbits > 0) out.push((acc << (8 - nbits)) & 0xff);
    return Uint8Array.from(out);
  }
  let w = data[0]!;
  for (let i = 1; i < data.length; i++) {
    const c = data[i]!;
    const key = w * 256 + c;
    const hit = dict.get(key);
    if (hit !== undefined) {
      w = hit;
      continue;
    }
    emit(w);
    dict.set(key, next++);
    if (next > (1 << width) - 1 && width < 12) width++;
    if (next >= 4093) {
      emit(256);
      dict = new Map();
      next = 258;
      width = 9;
    }
    w = c;
  }
  emit(w);
  emit(257);
  if (nbits > 0) out.push((acc << (8 - nbits)) & 0xff);
  return Uint8Array.from(out);
}

/** PackBits with literal runs only (valid, not compact): for the valid overview blocks. */
function encodePackBitsLiteral(data: Uint8Array): Uint8Array {
  const out: number[] = [];
  for (let i = 0; i < data.length; i += 128) {
    const run = data.subarray(i, Math.min(data.length, i + 128));
    out.push(run.length - 1, ...run);
  }
  return Uint8Array.from(out);
}

/** A PackBits stream that expands to `bytes` (repeat runs of 128): 64x amplification. */
export function packBitsBomb(bytes: number): Uint8Array {
  const runs = Math.ceil(bytes / 128);
  const out = new Uint8Array(runs * 2);
  for (let i = 0; i < runs; i++) {
    out[i * 2] = 0x81; // -127: repeat the next byte 128 times
    out[i * 2 + 1] = 7;
  }
  return out;
}

/** A LERC2 (version 2) blob of a constant uint8 raster: header only (zMin = zMax). */
export function lercConstant(width: number, height: number, value: number): Uint8Array {
  const b = Buffer.alloc(6 + 4 * 7 + 8 * 3 + 4);
  let o = b.write('Lerc2 ', 0, 'latin1');
  for (const v of [2, height, width, width * height, 8]) o = b.writeInt32LE(v, o);
  const blobSizeAt = o;
  o = b.writeInt32LE(0, o); // blob size, set below
  o = b.writeInt32LE(1, o); // image type: uchar
  o = b.writeDoubleLE(0.5, o); // max Z error
  o = b.writeDoubleLE(value, o); // z min
  o = b.writeDoubleLE(value, o); // z max
  o = b.writeInt32LE(0, o); // mask bytes: 0 = all valid
  b.writeInt32LE(o, blobSizeAt);
  return new Uint8Array(b.subarray(0, o));
}

function gradient(n: number, seed: number): Uint8Array {
  const a = new Uint8Array(n * n);
  for (let i = 0; i < a.length; i++) a[i] = (((i % n) + Math.floor(i / n) + seed) * 3) & 0xff;
  return a;
}

/** A pyramid: bomb blocks at full resolution (2048 x 2048, tiles of 256), valid overviews below. */
function pyramid(bomb: Uint8Array, valid: (tile: Uint8Array) => Uint8Array): Level[] {
  const block = valid(gradient(256, 1));
  return [
    { width: 2048, height: 2048, tile: 256, blocks: bomb },
    { width: 1024, height: 1024, tile: 256, blocks: block },
    { width: 512, height: 512, tile: 256, blocks: block },
    { width: 256, height: 256, tile: 256, blocks: block },
  ];
}

/** A JPEG with its frame header (SOF) patched to declare `size` x `size`. */
function patchJpegFrame(jpeg: Uint8Array, size: number): Uint8Array {
  const out = Uint8Array.from(jpeg);
  for (let i = 2; i + 9 < out.length; ) {
    const marker = out[i + 1]!;
    if (marker >= 0xc0 && marker <= 0xc2) {
      out[i + 5] = size >> 8;
      out[i + 6] = size & 0xff;
      out[i + 7] = size >> 8;
      out[i + 8] = size & 0xff;
      return out;
    }
    i += 2 + ((out[i + 2]! << 8) | out[i + 3]!);
  }
  throw new Error('no SOF marker');
}

export interface HostileCase {
  name: string;
  what: string;
  /** the expected outcome: refused at registration, or registered with its deep zooms refused */
  expect: 'refused-at-registration' | 'deep-zooms-refused';
  bytes: Uint8Array;
}

/** Every hostile case (a few MB in all; the bombs expand to 8-64 MB per block). */
export async function hostileCases(): Promise<HostileCase[]> {
  const MB = 1024 * 1024;
  const jpeg = new Uint8Array(await sharp(Buffer.from(gradient(256, 2)), { raw: { width: 256, height: 256, channels: 1 } }).toColourspace('b-w').jpeg({ quality: 80 }).toBuffer());
  const lercValid = lercConstant(256, 256, 100);
  return [
    { name: 'lzw-bomb', what: 'LZW blocks at full resolution that decode to 8 MB each (declared 64 KB)', expect: 'deep-zooms-refused', bytes: writeCog({ bands: 1, compression: 5, levels: pyramid(encodeLzw(new Uint8Array(8 * MB)), encodeLzw) }) },
    { name: 'packbits-bomb', what: 'PackBits blocks at full resolution that decode to 16 MB each', expect: 'deep-zooms-refused', bytes: writeCog({ bands: 1, compression: 32773, levels: pyramid(packBitsBomb(16 * MB), encodePackBitsLiteral) }) },
    { name: 'deflate-bomb', what: 'DEFLATE blocks at full resolution that inflate to 64 MB each', expect: 'deep-zooms-refused', bytes: writeCog({ bands: 1, compression: 8, levels: pyramid(new Uint8Array(deflateSync(new Uint8Array(64 * MB), { level: 9 })), (t) => new Uint8Array(deflateSync(t))) }) },
    { name: 'jpeg-frame', what: 'JPEG blocks at full resolution whose frame declares 16384 x 16384 in a 256 x 256 tile', expect: 'deep-zooms-refused', bytes: writeCog({ bands: 1, compression: 7, levels: pyramid(patchJpegFrame(jpeg, 16384), () => jpeg) }) },
    {
      name: 'lerc-deflate-bomb',
      what: 'LERC+DEFLATE blocks at full resolution that inflate to 64 MB each',
      expect: 'deep-zooms-refused',
      bytes: writeCog({ bands: 1, compression: 34887, extra: [{ tag: 50674, type: 4, values: [2, 1] }], levels: pyramid(new Uint8Array(deflateSync(new Uint8Array(64 * MB), { level: 9 })), () => new Uint8Array(deflateSync(lercValid))) }),
    },
    {
      name: 'lerc-header',
      what: 'LERC blocks at full resolution whose blob declares a 16384 x 16384 raster',
      expect: 'deep-zooms-refused',
      bytes: writeCog({ bands: 1, compression: 34887, extra: [{ tag: 50674, type: 4, values: [2, 0] }], levels: pyramid(lercConstant(16384, 16384, 5), () => lercValid) }),
    },
    {
      name: 'huge-no-overviews',
      what: 'a 100000 x 100000 image, no overviews (every low-zoom tile would read gigabytes)',
      expect: 'refused-at-registration',
      bytes: writeCog({ bands: 1, compression: 8, levels: [{ width: 100_000, height: 100_000, tile: 4096, blocks: new Uint8Array(deflateSync(new Uint8Array(4096 * 4096))) }] }),
    },
    {
      name: 'huge-declared',
      what: 'a 1000000 x 1000000 image declared in a few hundred bytes (offset arrays cannot fit the file)',
      expect: 'refused-at-registration',
      bytes: (() => {
        const small = writeCog({ bands: 1, compression: 8, levels: [{ width: 256, height: 256, tile: 256, blocks: new Uint8Array(deflateSync(new Uint8Array(256 * 256))) }] });
        // patch ImageWidth/ImageLength (LONG, inline) of the only IFD to 1e6
        const b = Buffer.from(small);
        const ifd = b.readUInt32LE(4);
        const n = b.readUInt16LE(ifd);
        for (let k = 0; k < n; k++) {
          const o = ifd + 2 + k * 12;
          const tag = b.readUInt16LE(o);
          if (tag === 256 || tag === 257) b.writeUInt32LE(1_000_000, o + 8);
        }
        return new Uint8Array(b);
      })(),
    },
    {
      name: 'many-bands',
      what: 'a 256 x 256 image with 4096 bands',
      expect: 'refused-at-registration',
      bytes: writeCog({ bands: 4096, compression: 8, levels: [{ width: 256, height: 256, tile: 256, blocks: new Uint8Array(deflateSync(new Uint8Array(256 * 256 * 4096))) }] }),
    },
  ];
}
