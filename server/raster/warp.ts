/**
 * Resampling a read window onto the output grid: nearest and bilinear, nodata-aware.
 * Pure functions over typed arrays (NaN = nodata).
 *
 * Conventions follow GDAL's warper so that golden tiles made with gdalwarp match: pixel (c, r) covers
 * [c, c+1) x [r, r+1); nearest takes floor(col), floor(row); bilinear weighs the four pixel centres
 * around (col - 0.5, row - 0.5), ignores nodata neighbours and renormalises the weights. An output
 * pixel whose nearest source pixel is outside the image is nodata in both modes.
 */
import type { PixelWindow } from './read-window.js';
import type { Resampling, SampleCoords } from './plan.js';

/** Where a window's pixels go: the window, its level's size, the output grid, level scale, resampling. */
type WarpArgs = [win: PixelWindow, levelSize: { width: number; height: number }, coords: SampleCoords, scaleX: number, scaleY: number, resampling: Resampling];

export function warp(src: Float32Array, ...args: WarpArgs): Float32Array {
  return warpBands([src], ...args)[0]!;
}

/**
 * Warps several bands of one window: up to four bands per pass over the output grid (the sample
 * coordinates are interpolated once per pass). The bands of a pass are held in local variables,
 * not indexed from an array: a quarter less time for a three-band nearest pass (1.38 -> 0.99 ms per
 * 256 px tile in a micro-benchmark).
 */
export function warpBands(srcs: readonly Float32Array[], ...args: WarpArgs): Float32Array[] {
  const outs: Float32Array[] = [];
  for (let b = 0; b < srcs.length; b += PASS) outs.push(...warpPass(srcs.slice(b, b + PASS), ...args));
  return outs;
}

const PASS = 4;
const NONE = new Float32Array(0);

/** One pass for 1-4 bands (`srcs.length`); the unused slots point at an empty array, never read. */
function warpPass(srcs: readonly Float32Array[], ...[win, levelSize, coords, scaleX, scaleY, resampling]: WarpArgs): Float32Array[] {
  const nearest = resampling === 'nearest';
  const [c0, r0, c1, r1] = win;
  const ww = c1 - c0;
  const wh = r1 - r0;
  const size = coords.size;
  const nb = srcs.length;
  const outs = srcs.map(() => new Float32Array(size * size).fill(NaN));
  const s0 = srcs[0]!;
  const s1 = srcs[1] ?? NONE;
  const s2 = srcs[2] ?? NONE;
  const s3 = srcs[3] ?? NONE;
  const o0 = outs[0]!;
  const o1 = outs[1] ?? NONE;
  const o2 = outs[2] ?? NONE;
  const o3 = outs[3] ?? NONE;
  const { width, height } = levelSize;
  const cols = new Float64Array(size);
  const rows = new Float64Array(size);
  for (let j = 0; j < size; j++) {
    coords.row(j, cols, rows);
    const base = j * size;
    for (let i = 0; i < size; i++) {
      const c = cols[i]! * scaleX;
      const r = rows[i]! * scaleY;
      if (!(c >= 0 && r >= 0 && c < width && r < height)) continue;
      const p = base + i;
      if (nearest) {
        // c and r are in [0, width) x [0, height) here: truncation is floor
        const ci = (c | 0) - c0;
        const ri = (r | 0) - r0;
        if (ci >= 0 && ri >= 0 && ci < ww && ri < wh) {
          const at = ri * ww + ci;
          o0[p] = s0[at]!;
          if (nb > 1) o1[p] = s1[at]!;
          if (nb > 2) o2[p] = s2[at]!;
          if (nb > 3) o3[p] = s3[at]!;
        }
        continue;
      }
      const x = c - 0.5 - c0;
      const y = r - 0.5 - r0;
      const i0 = Math.floor(x);
      const j0 = Math.floor(y);
      if (i0 < 0 || j0 < 0 || i0 + 1 >= ww || j0 + 1 >= wh) {
        // at the window's edge: the general case, neighbour by neighbour
        for (let b = 0; b < nb; b++) outs[b]![p] = bilinear(srcs[b]!, ww, wh, x, y);
        continue;
      }
      // inside: the four weights once for all bands, in bilinear()'s order so the sums are the same
      const fx = x - i0;
      const fy = y - j0;
      const w00 = (1 - fx) * (1 - fy);
      const w01 = fx * (1 - fy);
      const w10 = (1 - fx) * fy;
      const w11 = fx * fy;
      const at = j0 * ww + i0;
      o0[p] = inside(s0, at, ww, w00, w01, w10, w11, x, y, wh);
      if (nb > 1) o1[p] = inside(s1, at, ww, w00, w01, w10, w11, x, y, wh);
      if (nb > 2) o2[p] = inside(s2, at, ww, w00, w01, w10, w11, x, y, wh);
      if (nb > 3) o3[p] = inside(s3, at, ww, w00, w01, w10, w11, x, y, wh);
    }
  }
  return outs;
}

/** Bilinear at an output pixel whose four neighbours are inside the window (`at`: the top left one). */
function inside(s: Float32Array, at: number, ww: number, w00: number, w01: number, w10: number, w11: number, x: number, y: number, wh: number): number {
  const v00 = s[at]!;
  const v01 = s[at + 1]!;
  const v10 = s[at + ww]!;
  const v11 = s[at + ww + 1]!;
  // NaN in any neighbour: renormalise over the others
  if (v00 !== v00 || v01 !== v01 || v10 !== v10 || v11 !== v11) return bilinear(s, ww, wh, x, y);
  return (v00 * w00 + v01 * w01 + v10 * w10 + v11 * w11) / (w00 + w01 + w10 + w11);
}

/** Bilinear sample at window coordinates (x, y) of pixel centres; NaN neighbours dropped, weights renormalised. */
function bilinear(src: Float32Array, ww: number, wh: number, x: number, y: number): number {
  const i0 = Math.floor(x);
  const j0 = Math.floor(y);
  const fx = x - i0;
  const fy = y - j0;
  let sum = 0;
  let wsum = 0;
  for (let dj = 0; dj <= 1; dj++) {
    const j = j0 + dj;
    if (j < 0 || j >= wh) continue;
    const wy = dj === 0 ? 1 - fy : fy;
    for (let di = 0; di <= 1; di++) {
      const i = i0 + di;
      if (i < 0 || i >= ww) continue;
      const v = src[j * ww + i]!;
      if (Number.isNaN(v)) continue;
      const w = (di === 0 ? 1 - fx : fx) * wy;
      sum += v * w;
      wsum += w;
    }
  }
  return wsum > 1e-9 ? sum / wsum : NaN;
}
