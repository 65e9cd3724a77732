/**
 * Reads a pixel window of one level of a COG into Float32 arrays of physical values
 * (raw x scale + offset; nodata and NaN become NaN), one array per requested band.
 * Blocks are decoded once and kept in a byte-bounded LRU.
 */
import type { CogHandle, DType } from './cog.js';
import type { BlockCache } from './block-cache.js';
import { GranaryError } from '../errors.js';

export interface BandRead {
  /** 0-based band (sample) index in the file */
  sample: number;
  scale: number;
  offset: number;
  nodata: number | null;
}

/** [col0, row0, col1, row1), in pixels of the level */
export type PixelWindow = readonly [number, number, number, number];

type Typed = Uint8Array | Int8Array | Uint16Array | Int16Array | Uint32Array | Int32Array | Float32Array | Float64Array;

function view(buf: ArrayBuffer, dtype: DType): Typed {
  switch (dtype) {
    case 'uint8': return new Uint8Array(buf);
    case 'int8': return new Int8Array(buf);
    case 'uint16': return new Uint16Array(buf, 0, buf.byteLength >> 1);
    case 'int16': return new Int16Array(buf, 0, buf.byteLength >> 1);
    case 'uint32': return new Uint32Array(buf, 0, buf.byteLength >> 2);
    case 'int32': return new Int32Array(buf, 0, buf.byteLength >> 2);
    case 'float32': return new Float32Array(buf, 0, buf.byteLength >> 2);
    case 'float64': return new Float64Array(buf, 0, buf.byteLength >> 3);
  }
}

const BYTES: Record<DType, number> = { uint8: 1, int8: 1, uint16: 2, int16: 2, uint32: 4, int32: 4, float32: 4, float64: 8 };

/** Reads a big-endian block into a native typed array (rare: GDAL writes little-endian). */
function viewBigEndian(buf: ArrayBuffer, dtype: DType): Typed {
  const dv = new DataView(buf);
  const n = Math.floor(buf.byteLength / BYTES[dtype]);
  const out = view(new ArrayBuffer(n * BYTES[dtype]), dtype);
  for (let i = 0; i < n; i++) {
    const o = i * BYTES[dtype];
    switch (dtype) {
      case 'uint8': out[i] = dv.getUint8(o); break;
      case 'int8': out[i] = dv.getInt8(o); break;
      case 'uint16': out[i] = dv.getUint16(o); break;
      case 'int16': out[i] = dv.getInt16(o); break;
      case 'uint32': out[i] = dv.getUint32(o); break;
      case 'int32': out[i] = dv.getInt32(o); break;
      case 'float32': out[i] = dv.getFloat32(o); break;
      case 'float64': out[i] = dv.getFloat64(o); break;
    }
  }
  return out;
}

/**
 * The per-request memory budget, from declared sizes before any read: a read that would need more
 * (no overview coarse enough for the zoom, or a polygon over a huge full-resolution level) is
 * refused naming the fix, instead of decoding gigabytes.
 */
export function checkReadBudget(h: CogHandle, levelIndex: number, bytes: number, budget: number): void {
  if (bytes <= budget) return;
  const level = h.levels[levelIndex]!;
  const file = h.source.key.split('@')[0];
  const mb = (n: number) => `${Math.ceil(n / 1048576)} MB`;
  const overviews = h.levels.length - 1;
  throw new GranaryError(
    'scene-unreadable',
    `this read needs ${mb(bytes)} from ${levelIndex === 0 ? 'the full-resolution image' : `overview ${levelIndex}`} (${level.width}x${level.height} pixels) of ${file}, more than the per-request budget of ${mb(budget)}: ` +
      (overviews === 0 ? 'the file has no overviews; add them (gdaladdo -r average <file> 2 4 8 16 32 64) or ask for a smaller area' : `it has ${overviews} overview(s), none coarse enough for this zoom or area; add coarser ones (gdaladdo) or ask for a smaller area`),
    { budgetBytes: budget, neededBytes: bytes },
  );
}

export async function readWindow(
  h: CogHandle,
  levelIndex: number,
  win: PixelWindow,
  bands: readonly BandRead[],
  cache: BlockCache,
  signal?: AbortSignal,
): Promise<Float32Array[]> {
  const level = h.levels[levelIndex];
  if (!level) throw new GranaryError('scene-unreadable', `level ${levelIndex} does not exist`);
  const [c0, r0, c1, r1] = win;
  const ww = c1 - c0;
  const wh = r1 - r0;
  if (ww <= 0 || wh <= 0 || c0 < 0 || r0 < 0 || c1 > level.width || r1 > level.height) {
    throw new RangeError(`window ${win.join(',')} outside level ${level.width}x${level.height}`);
  }
  const { dtype, planar, bandCount } = h.info;
  const tw = level.tileWidth;
  const th = level.tileHeight;
  const image = level.image;
  const stride = planar === 1 ? bandCount : 1;
  const bx0 = Math.floor(c0 / tw);
  const bx1 = Math.floor((c1 - 1) / tw);
  const by0 = Math.floor(r0 / th);
  const by1 = Math.floor((r1 - 1) / th);
  checkReadBudget(h, levelIndex, ww * wh * bands.length * 4 + (bx1 - bx0 + 1) * (by1 - by0 + 1) * tw * th * BYTES[dtype] * (planar === 1 ? bandCount : bands.length), cache.readBudgetBytes);

  const out = bands.map(() => new Float32Array(ww * wh).fill(NaN));
  const loadBlock = (bx: number, by: number, sample: number) => {
    const key = `${h.source.key}|${level.ifd}|${bx},${by}|${planar === 2 ? sample : '*'}`;
    return cache.get(key, async () => {
      try {
        const t = await image.getTileOrStrip(bx, by, sample, h.decoder as never, signal);
        const data = t.data as ArrayBuffer;
        const expected = tw * image.getBlockHeight(by) * (planar === 1 ? image.getBytesPerPixel() : image.getSampleByteSize(sample));
        if (data.byteLength < expected) throw new GranaryError('scene-unreadable', `block ${bx},${by} of ${h.source.key.split('@')[0]} is truncated (${data.byteLength} of ${expected} bytes)`);
        return data;
      } catch (e) {
        if (e instanceof GranaryError) throw e;
        throw new GranaryError('scene-unreadable', `block ${bx},${by} of ${h.source.key.split('@')[0]} cannot be decoded: ${(e as Error).message}`);
      }
    });
  };

  const jobs: Array<Promise<void>> = [];
  for (let by = by0; by <= by1; by++) {
    for (let bx = bx0; bx <= bx1; bx++) {
      const samplesToLoad = planar === 1 ? [null] : bands.map((b) => b.sample);
      for (const s of samplesToLoad) {
        jobs.push(
          loadBlock(bx, by, s ?? 0).then((buf) => {
            const data = h.littleEndian ? view(buf, dtype) : viewBigEndian(buf, dtype);
            const blockRow0 = by * th;
            const blockCol0 = bx * tw;
            const rowStart = Math.max(r0, blockRow0);
            const rowEnd = Math.min(r1, blockRow0 + th, level.height);
            const colStart = Math.max(c0, blockCol0);
            const colEnd = Math.min(c1, blockCol0 + tw);
            bands.forEach((b, bi) => {
              if (s !== null && b.sample !== s) return;
              const target = out[bi]!;
              const sampleOffset = planar === 1 ? b.sample : 0;
              const { scale, offset, nodata } = b;
              for (let r = rowStart; r < rowEnd; r++) {
                const src = ((r - blockRow0) * tw + (colStart - blockCol0)) * stride + sampleOffset;
                const dst = (r - r0) * ww + (colStart - c0);
                for (let c = 0, n = colEnd - colStart; c < n; c++) {
                  const raw = data[src + c * stride];
                  if (raw === undefined) continue; // short last strip
                  target[dst + c] = raw === nodata || Number.isNaN(raw) ? NaN : raw * scale + offset;
                }
              }
            });
          }),
        );
      }
    }
  }
  await Promise.all(jobs);
  return out;
}
