/**
 * Planning a tile: which level of which COG and which pixel window it needs, and where each output
 * pixel samples the source. Pure arithmetic on numbers; no pixel is read here (linz/basemaps'
 * "plan, then execute").
 */
import type { GeoTransform } from './cog.js';
import type { PixelWindow } from './read-window.js';

export type Resampling = 'nearest' | 'bilinear';

export interface Grid {
  width: number;
  height: number;
  geotransform: GeoTransform;
}

/** Continuous full-resolution pixel coordinates (col, row) of every output pixel centre. */
export interface SampleCoords {
  size: number;
  cols: Float64Array;
  rows: Float64Array;
  /** full-resolution source pixels per output pixel at the tile centre */
  factor: number;
}

export type WindowPlan =
  | { kind: 'empty' }
  | { kind: 'window'; level: number; window: PixelWindow; scaleX: number; scaleY: number };

/** Coarse grid spacing: proj4 on every pixel of a 256 px tile costs ~20 ms; 17x17 points cost ~0.1 ms. */
const GRID = 16;
/** Max tolerated interpolation error, in full-resolution source pixels (gdalwarp's default is 0.125). */
const MAX_ERROR_PX = 0.125;

type Project = (x: number, y: number) => [number, number];

/**
 * Maps each output pixel centre of a tile (bounds in the tile CRS, north-up) to continuous source
 * pixel coordinates. Projects a coarse grid and interpolates bilinearly; if interpolation misses by
 * more than 1/8 source pixel anywhere on a check grid, every pixel is projected exactly.
 */
export function sampleCoords(bounds: readonly [number, number, number, number], size: number, grid: Grid, toSource: Project): SampleCoords {
  const [minX, , maxX, maxY] = bounds;
  const res = (maxX - minX) / size;
  const [ox, pw, , oy, , ph] = grid.geotransform;
  const toPixel = (X: number, Y: number): [number, number] => {
    const [sx, sy] = toSource(X, Y);
    return [(sx - ox) / pw, (sy - oy) / ph];
  };
  const cols = new Float64Array(size * size);
  const rows = new Float64Array(size * size);
  const n = GRID + 1;
  const step = (size - 1) / GRID;
  const gc = new Float64Array(n * n);
  const gr = new Float64Array(n * n);
  for (let gj = 0; gj < n; gj++) {
    for (let gi = 0; gi < n; gi++) {
      const u = 0.5 + gi * step;
      const v = 0.5 + gj * step;
      const [c, r] = toPixel(minX + u * res, maxY - v * res);
      gc[gj * n + gi] = c;
      gr[gj * n + gi] = r;
    }
  }
  const interp = (g: Float64Array, fi: number, fj: number) => {
    const i0 = Math.min(GRID - 1, Math.floor(fi));
    const j0 = Math.min(GRID - 1, Math.floor(fj));
    const ti = fi - i0;
    const tj = fj - j0;
    const a = g[j0 * n + i0]!;
    const b = g[j0 * n + i0 + 1]!;
    const c = g[(j0 + 1) * n + i0]!;
    const d = g[(j0 + 1) * n + i0 + 1]!;
    return (a * (1 - ti) + b * ti) * (1 - tj) + (c * (1 - ti) + d * ti) * tj;
  };
  // Check the approximation at cell centres.
  let exact = !gc.every(Number.isFinite) || !gr.every(Number.isFinite);
  for (let gj = 0; gj < GRID && !exact; gj++) {
    for (let gi = 0; gi < GRID && !exact; gi++) {
      const u = 0.5 + (gi + 0.5) * step;
      const v = 0.5 + (gj + 0.5) * step;
      const [c, r] = toPixel(minX + u * res, maxY - v * res);
      const ec = Math.abs(interp(gc, gi + 0.5, gj + 0.5) - c);
      const er = Math.abs(interp(gr, gi + 0.5, gj + 0.5) - r);
      if (!(ec <= MAX_ERROR_PX && er <= MAX_ERROR_PX)) exact = true;
    }
  }
  for (let j = 0; j < size; j++) {
    for (let i = 0; i < size; i++) {
      const k = j * size + i;
      if (exact) {
        const [c, r] = toPixel(minX + (i + 0.5) * res, maxY - (j + 0.5) * res);
        cols[k] = c;
        rows[k] = r;
      } else {
        const fi = i / step;
        const fj = j / step;
        cols[k] = interp(gc, fi, fj);
        rows[k] = interp(gr, fi, fj);
      }
    }
  }
  // Source pixels per output pixel at the centre of the tile, from the coarse grid.
  const mid = GRID >> 1;
  const dcx = gc[mid * n + mid + 1]! - gc[mid * n + mid]!;
  const drx = gr[mid * n + mid + 1]! - gr[mid * n + mid]!;
  const dcy = gc[(mid + 1) * n + mid]! - gc[mid * n + mid]!;
  const dry = gr[(mid + 1) * n + mid]! - gr[mid * n + mid]!;
  const factor = Math.sqrt(Math.abs(dcx * dry - drx * dcy)) / step;
  return { size, cols, rows, factor: Number.isFinite(factor) ? factor : 1 };
}

/**
 * Picks the overview: the coarsest level whose pixels are still at least as fine as the output
 * pixels (so low zooms never decode full resolution, and no level is coarser than needed).
 */
export function chooseLevel(levels: ReadonlyArray<{ width: number; height: number }>, factor: number): number {
  const full = levels[0];
  if (!full) return 0;
  let best = 0;
  levels.forEach((l, i) => {
    const f = full.width / l.width;
    if (f <= factor * 1.0001) best = i;
  });
  return best;
}

/** The pixel window of `level` that the sample coordinates need, or 'empty' when none falls inside. */
export function planWindow(
  coords: SampleCoords,
  levels: ReadonlyArray<{ width: number; height: number }>,
  level: number,
  resampling: Resampling,
): WindowPlan {
  const full = levels[0]!;
  const l = levels[level]!;
  const scaleX = l.width / full.width;
  const scaleY = l.height / full.height;
  let minC = Infinity;
  let minR = Infinity;
  let maxC = -Infinity;
  let maxR = -Infinity;
  const pad = resampling === 'bilinear' ? 0.5 : 0;
  for (let k = 0; k < coords.cols.length; k++) {
    const c = coords.cols[k]! * scaleX;
    const r = coords.rows[k]! * scaleY;
    if (!(c >= 0 && r >= 0 && c < l.width && r < l.height)) continue; // its nearest pixel is outside: transparent
    if (c < minC) minC = c;
    if (c > maxC) maxC = c;
    if (r < minR) minR = r;
    if (r > maxR) maxR = r;
  }
  if (minC === Infinity) return { kind: 'empty' };
  const c0 = Math.max(0, Math.floor(minC - pad));
  const r0 = Math.max(0, Math.floor(minR - pad));
  const c1 = Math.min(l.width, Math.floor(maxC + pad) + 1);
  const r1 = Math.min(l.height, Math.floor(maxR + pad) + 1);
  return { kind: 'window', level, window: [c0, r0, c1, r1], scaleX, scaleY };
}
