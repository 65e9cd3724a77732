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

export function warp(
  src: Float32Array,
  win: PixelWindow,
  levelSize: { width: number; height: number },
  coords: SampleCoords,
  scaleX: number,
  scaleY: number,
  resampling: Resampling,
): Float32Array {
  return warpBands([src], win, levelSize, coords, scaleX, scaleY, resampling)[0]!;
}

/** Warps several bands of one window in one pass (the sample coordinates are interpolated once). */
export function warpBands(
  srcs: readonly Float32Array[],
  win: PixelWindow,
  levelSize: { width: number; height: number },
  coords: SampleCoords,
  scaleX: number,
  scaleY: number,
  resampling: Resampling,
): Float32Array[] {
  const [c0, r0, c1, r1] = win;
  const ww = c1 - c0;
  const wh = r1 - r0;
  const size = coords.size;
  const nb = srcs.length;
  const outs = srcs.map(() => new Float32Array(size * size).fill(NaN));
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
      if (resampling === 'nearest') {
        const ci = Math.floor(c) - c0;
        const ri = Math.floor(r) - r0;
        if (ci >= 0 && ri >= 0 && ci < ww && ri < wh) {
          const at = ri * ww + ci;
          for (let b = 0; b < nb; b++) outs[b]![base + i] = srcs[b]![at]!;
        }
        continue;
      }
      for (let b = 0; b < nb; b++) outs[b]![base + i] = bilinear(srcs[b]!, ww, wh, c - 0.5 - c0, r - 0.5 - r0);
    }
  }
  return outs;
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
