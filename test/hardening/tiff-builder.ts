/**
 * Hand-built hostile TIFFs for the hostile-TIFF suite: a tiny classic-TIFF writer whose tags can
 * lie (sizes, tile counts, offsets, byte counts, IFD chains), and a fast-check arbitrary over them.
 */
import fc from 'fast-check';

export interface Entry {
  tag: number;
  type: 3 | 4 | 12; // SHORT, LONG, DOUBLE
  values: number[];
  /** declared count when it lies about the number of values */
  count?: number;
}

const SIZE = { 3: 2, 4: 4, 12: 8 } as const;

/** A classic little-endian TIFF with one IFD; out-of-line values follow the IFD. */
function buildTiff(entries: Entry[], opts: { nextIfd?: 'none' | 'self' | 'past-end'; ifdOffset?: number; pad?: number } = {}): Uint8Array {
  const sorted = [...entries].sort((a, b) => a.tag - b.tag);
  const ifdAt = 8;
  const ifdLen = 2 + sorted.length * 12 + 4;
  let extra = ifdAt + ifdLen;
  const chunks: Array<{ at: number; bytes: Buffer }> = [];
  const ifd = Buffer.alloc(ifdLen);
  ifd.writeUInt16LE(sorted.length, 0);
  sorted.forEach((e, i) => {
    const o = 2 + i * 12;
    ifd.writeUInt16LE(e.tag, o);
    ifd.writeUInt16LE(e.type, o + 2);
    ifd.writeUInt32LE((e.count ?? e.values.length) >>> 0, o + 4);
    const data = Buffer.alloc(e.values.length * SIZE[e.type]);
    e.values.forEach((v, k) => {
      if (e.type === 3) data.writeUInt16LE(v & 0xffff, k * 2);
      else if (e.type === 4) data.writeUInt32LE(v >>> 0, k * 4);
      else data.writeDoubleLE(v, k * 8);
    });
    if (data.length <= 4) data.copy(ifd, o + 8);
    else {
      ifd.writeUInt32LE(extra, o + 8);
      chunks.push({ at: extra, bytes: data });
      extra += data.length + (data.length % 2);
    }
  });
  const next = opts.nextIfd === 'self' ? ifdAt : opts.nextIfd === 'past-end' ? 0x7fffff00 : 0;
  ifd.writeUInt32LE(next, ifdLen - 4);
  const out = Buffer.alloc(extra + (opts.pad ?? 64));
  out.write('II', 0, 'latin1');
  out.writeUInt16LE(42, 2);
  out.writeUInt32LE(opts.ifdOffset ?? ifdAt, 4);
  ifd.copy(out, ifdAt);
  for (const c of chunks) c.bytes.copy(out, c.at);
  return new Uint8Array(out);
}

/** The Sinop grid's georeferencing (sinusoidal), so that a registered file lands on the test tiles. */
const GEO: Entry[] = [
  { tag: 33550, type: 12, values: [231.656358263889, 231.656358263889, 0] },
  { tag: 33922, type: 12, values: [0, 0, 0, -6178866.7, -1311875.5, 0] },
  { tag: 34735, type: 3, values: [1, 1, 0, 2, 1024, 0, 1, 1, 3072, 0, 1, 32767] },
];

const u32 = fc.oneof(fc.constantFrom(0, 1, 2, 255, 256, 65535, 65536, 2 ** 31 - 1, 2 ** 31, 2 ** 32 - 1), fc.integer({ min: 0, max: 2 ** 32 - 1 }));
const small = fc.integer({ min: 0, max: 4096 });
const rarely = <T>(a: fc.Arbitrary<T>): fc.Arbitrary<T | undefined> => fc.oneof({ weight: 7, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary: a });

export const hostileTiff = fc
  .record({
    width: fc.oneof(u32, small),
    height: fc.oneof(u32, small),
    tileW: fc.oneof(fc.constantFrom(0, 1, 16, 256, 65535, 2 ** 31), small),
    tileH: fc.oneof(fc.constantFrom(0, 1, 16, 256, 65535, 2 ** 31), small),
    bits: fc.constantFrom(0, 1, 4, 8, 16, 32, 64, 255, 65535),
    samples: fc.constantFrom(0, 1, 3, 4, 255, 65535),
    sampleFormat: fc.constantFrom(1, 2, 3, 0, 9),
    compression: fc.constantFrom(1, 5, 7, 8, 32773, 34887, 50000, 0),
    planar: fc.constantFrom(1, 1, 1, 2, 0, 7),
    offsets: fc.array(fc.oneof(u32, small), { minLength: 0, maxLength: 8 }),
    counts: fc.array(fc.oneof(u32, small), { minLength: 0, maxLength: 8 }),
    // structural lies are rarer than value lies, so that most files reach the TIFF parser
    lieCount: rarely(u32),
    nextIfd: fc.oneof({ weight: 6, arbitrary: fc.constant('none' as const) }, { weight: 1, arbitrary: fc.constant('self' as const) }, { weight: 1, arbitrary: fc.constant('past-end' as const) }),
    ifdOffset: rarely(fc.oneof(u32, fc.integer({ min: 0, max: 64 }))),
    pad: fc.integer({ min: 0, max: 4096 }),
    geo: fc.boolean(),
  })
  .map((p) => ({
    p,
    bytes: buildTiff(
      [
        { tag: 256, type: 4, values: [p.width] },
        { tag: 257, type: 4, values: [p.height] },
        { tag: 258, type: 3, values: [p.bits] },
        { tag: 259, type: 3, values: [p.compression] },
        { tag: 262, type: 3, values: [1] },
        { tag: 277, type: 3, values: [p.samples] },
        { tag: 284, type: 3, values: [p.planar] },
        { tag: 322, type: 4, values: [p.tileW] },
        { tag: 323, type: 4, values: [p.tileH] },
        { tag: 324, type: 4, values: p.offsets.length ? p.offsets : [8], ...(p.lieCount !== undefined ? { count: p.lieCount } : {}) },
        { tag: 325, type: 4, values: p.counts.length ? p.counts : [16] },
        { tag: 339, type: 3, values: [p.sampleFormat] },
        ...(p.geo ? GEO : []),
      ],
      { nextIfd: p.nextIfd, ...(p.ifdOffset !== undefined ? { ifdOffset: p.ifdOffset } : {}), pad: p.pad },
    ),
  }));

