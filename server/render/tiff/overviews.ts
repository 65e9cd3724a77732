/** Overview (reduced-resolution) computation for the GeoTIFF writer. */
import type { RasterArray } from './types.js';

export type OverviewResampling = 'nearest' | 'mode' | 'average';

/** Overview size for a decimation factor (GDAL's rule: rounded up). */
export function overviewSize(width: number, height: number, factor: number): [number, number] {
  return [Math.ceil(width / factor), Math.ceil(height / factor)];
}

/**
 * Decimation factors. 'auto' halves until the overview fits in one `blockSize` x `blockSize` block
 * (no overviews when the image already does). Explicit levels are sorted, deduplicated, and must be integers >= 2.
 */
export function overviewFactors(width: number, height: number, levels: readonly number[] | 'auto', blockSize: number): number[] {
  if (levels === 'auto') {
    const out: number[] = [];
    for (let f = 2; ; f *= 2) {
      const [pw, ph] = overviewSize(width, height, f / 2);
      if (pw <= blockSize && ph <= blockSize) break;
      out.push(f);
    }
    return out;
  }
  for (const f of levels) {
    if (!Number.isInteger(f) || f < 2) throw new RangeError(`overview level ${f} must be an integer >= 2`);
  }
  return [...new Set(levels)].sort((a, b) => a - b);
}

/**
 * Downsamples one band by an integer factor from the full-resolution data. Blocks at the right/bottom edge are
 * clipped to the image. 'nearest' takes the block's top-left pixel (GDAL's choice for integer factors); 'mode' the
 * most frequent valid value (ties: smallest); 'average' the mean of valid values, rounded for integer types.
 * Valid = not NaN and not `nodata`; a block without valid values gets `nodata` (NaN for floats without nodata, else 0).
 */
export function downsample(
  band: RasterArray,
  width: number,
  height: number,
  factor: number,
  resampling: OverviewResampling,
  nodata: number | undefined,
): RasterArray {
  const [ow, oh] = overviewSize(width, height, factor);
  const Ctor = band.constructor as new (n: number) => RasterArray;
  const out = new Ctor(ow * oh);
  const isFloat = band instanceof Float32Array || band instanceof Float64Array;
  const empty = nodata ?? (isFloat ? Number.NaN : 0);
  const noNodata = nodata === undefined || Number.isNaN(nodata);
  if (resampling === 'nearest') {
    for (let y = 0; y < oh; y++) {
      const src = y * factor * width;
      const dst = y * ow;
      for (let x = 0; x < ow; x++) out[dst + x] = band[src + x * factor] as number;
    }
    return out;
  }
  if (resampling === 'mode' && band instanceof Uint8Array) {
    return modeUint8(band, width, height, factor, out as Uint8Array, ow, oh, noNodata ? -1 : (nodata as number));
  }
  const scratch = new Float64Array(factor * factor);
  for (let y = 0; y < oh; y++) {
    const y0 = y * factor;
    const y1 = Math.min(height, y0 + factor);
    for (let x = 0; x < ow; x++) {
      const x0 = x * factor;
      const x1 = Math.min(width, x0 + factor);
      let n = 0;
      let sum = 0;
      for (let sy = y0; sy < y1; sy++) {
        const row = sy * width;
        for (let sx = x0; sx < x1; sx++) {
          const v = band[row + sx] as number;
          if (v !== v || (!noNodata && v === nodata)) continue;
          if (resampling === 'average') sum += v;
          else scratch[n] = v;
          n++;
        }
      }
      let value: number;
      if (n === 0) value = empty;
      else if (resampling === 'average') value = isFloat ? sum / n : Math.round(sum / n);
      else value = modeOf(scratch, n);
      out[y * ow + x] = value;
    }
  }
  return out;
}

/** 'mode' for bytes with a 256-bin histogram (much faster than sorting); same rules as the general path. */
function modeUint8(band: Uint8Array, width: number, height: number, factor: number, out: Uint8Array, ow: number, oh: number, nodata: number): Uint8Array {
  const counts = new Uint32Array(256);
  for (let y = 0; y < oh; y++) {
    const y0 = y * factor;
    const y1 = Math.min(height, y0 + factor);
    for (let x = 0; x < ow; x++) {
      const x0 = x * factor;
      const x1 = Math.min(width, x0 + factor);
      let best = -1;
      let bestCount = 0;
      for (let sy = y0; sy < y1; sy++) {
        for (let i = sy * width + x0, end = sy * width + x1; i < end; i++) {
          const v = band[i] as number;
          if (v === nodata) continue;
          const c = (counts[v] as number) + 1;
          counts[v] = c;
          if (c > bestCount || (c === bestCount && v < best)) {
            bestCount = c;
            best = v;
          }
        }
      }
      for (let sy = y0; sy < y1; sy++) {
        for (let i = sy * width + x0, end = sy * width + x1; i < end; i++) counts[band[i] as number] = 0;
      }
      out[y * ow + x] = best < 0 ? Math.max(nodata, 0) : best;
    }
  }
  return out;
}

/** Most frequent value among the first n entries (sorted in place); ties go to the smallest value. */
function modeOf(values: Float64Array, n: number): number {
  let sorted: Float64Array;
  if (n <= 16) {
    // insertion sort: much cheaper than TypedArray#sort for the usual 2x2..8x8 blocks
    for (let i = 1; i < n; i++) {
      const v = values[i] as number;
      let j = i - 1;
      while (j >= 0 && (values[j] as number) > v) {
        values[j + 1] = values[j] as number;
        j--;
      }
      values[j + 1] = v;
    }
    sorted = values;
  } else {
    sorted = values.subarray(0, n).sort();
  }
  let best = sorted[0] as number;
  let bestCount = 0;
  let run = 0;
  for (let i = 0; i < n; i++) {
    run = i > 0 && sorted[i] === sorted[i - 1] ? run + 1 : 1;
    if (run > bestCount) {
      bestCount = run;
      best = sorted[i] as number;
    }
  }
  return best;
}
