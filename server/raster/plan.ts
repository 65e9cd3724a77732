/**
 * Planning a tile: which level of which COG and which pixel window it needs, and where each output
 * pixel samples the source. Pure arithmetic on numbers; no pixel is read here (linz/basemaps'
 * "plan, then execute").
 */
import type { GeoTransform } from './cog.js';
import type { PixelWindow } from './read-window.js';

export type Resampling = 'nearest' | 'bilinear';

interface Grid {
  width: number;
  height: number;
  geotransform: GeoTransform;
}

/**
 * Continuous full-resolution pixel coordinates (col, row) of every output pixel centre, held as the
 * coarse projected grid (2 x 17 x 17 numbers) and interpolated row by row where they are used, so a
 * plan is small enough to keep for thousands of tiles and no pass writes 2 x size^2 coordinates.
 * Where the grid is not accurate enough every pixel was projected (`exact`).
 */
export class SampleCoords {
  private materialised: { cols: Float64Array; rows: Float64Array } | null;
  /** the output column where each grid cell starts (GRID + 1 entries, the last = size) */
  private readonly cellStarts: Int32Array;
  /** each output column's position within its cell (0..1) */
  private readonly TI: Float64Array;
  /** scratch: the grid interpolated to the row being written */
  private readonly rowCols = new Float64Array(GRID + 1);
  private readonly rowRows = new Float64Array(GRID + 1);

  constructor(
    readonly size: number,
    /** full-resolution source pixels per output pixel at the tile centre */
    readonly factor: number,
    /** the projected grid (GRID + 1)^2 nodes, at pixel centres 0, step, 2 step, ... size - 1 */
    readonly gridCols: Float64Array,
    readonly gridRows: Float64Array,
    exact: { cols: Float64Array; rows: Float64Array } | null,
  ) {
    this.materialised = exact;
    this.exact = exact !== null;
    const step = (size - 1) / GRID;
    this.TI = new Float64Array(size);
    this.cellStarts = new Int32Array(GRID + 1).fill(size);
    for (let i = size - 1; i >= 0; i--) {
      const fi = i / step;
      const cell = Math.min(GRID - 1, Math.floor(fi));
      this.TI[i] = fi - cell;
      this.cellStarts[cell] = i;
    }
    // a cell no column falls in (tiles narrower than the grid) starts where the next one does
    for (let k = GRID - 1; k >= 0; k--) this.cellStarts[k] = Math.min(this.cellStarts[k]!, this.cellStarts[k + 1]!);
  }

  readonly exact: boolean;

  /** Writes the coordinates of output row `j` into `cols` and `rows` (length >= size). */
  row(j: number, cols: Float64Array, rows: Float64Array): void {
    const size = this.size;
    if (this.materialised) {
      cols.set(this.materialised.cols.subarray(j * size, (j + 1) * size));
      rows.set(this.materialised.rows.subarray(j * size, (j + 1) * size));
      return;
    }
    const n = GRID + 1;
    const gc = this.gridCols;
    const gr = this.gridRows;
    const fj = j / ((size - 1) / GRID);
    const j0 = Math.min(GRID - 1, Math.floor(fj));
    const tj = fj - j0;
    const uj = 1 - tj;
    const top = j0 * n;
    const bottom = (j0 + 1) * n;
    // the grid's nodes interpolated to this row first, then along it: the same bilinear
    // interpolation with two products per pixel instead of six
    const vc = this.rowCols;
    const vr = this.rowRows;
    for (let k = 0; k < n; k++) {
      vc[k] = gc[top + k]! * uj + gc[bottom + k]! * tj;
      vr[k] = gr[top + k]! * uj + gr[bottom + k]! * tj;
    }
    // along the row, cell by cell: a straight line between two nodes
    const starts = this.cellStarts;
    const TI = this.TI;
    for (let k = 0; k < GRID; k++) {
      const c0 = vc[k]!;
      const dc = vc[k + 1]! - c0;
      const r0 = vr[k]!;
      const dr = vr[k + 1]! - r0;
      for (let i = starts[k]!, end = starts[k + 1]!; i < end; i++) {
        const ti = TI[i]!;
        cols[i] = c0 + dc * ti;
        rows[i] = r0 + dr * ti;
      }
    }
  }

  private all(): { cols: Float64Array; rows: Float64Array } {
    if (!this.materialised) {
      const size = this.size;
      const cols = new Float64Array(size * size);
      const rows = new Float64Array(size * size);
      for (let j = 0; j < size; j++) this.row(j, cols.subarray(j * size), rows.subarray(j * size));
      this.materialised = { cols, rows };
    }
    return this.materialised;
  }

  /** Every output pixel's source column (row-major; materialised on first use). */
  get cols(): Float64Array {
    return this.all().cols;
  }

  get rows(): Float64Array {
    return this.all().rows;
  }

  /** Bytes this plan holds (for byte-bounded caches). */
  get bytes(): number {
    return (this.gridCols.byteLength + this.gridRows.byteLength) + (this.materialised ? this.materialised.cols.byteLength * 2 : 0) + this.size * 12;
  }

  /**
   * Bounding box [minC, minR, maxC, maxR] (full resolution) of the sample coordinates: from the grid
   * nodes, since a bilinear interpolation never leaves the range of its cell's corners.
   */
  bounds(): [number, number, number, number] {
    const src = this.materialised && this.exact ? this.materialised : { cols: this.gridCols, rows: this.gridRows };
    let minC = Infinity;
    let minR = Infinity;
    let maxC = -Infinity;
    let maxR = -Infinity;
    for (let k = 0; k < src.cols.length; k++) {
      const c = src.cols[k]!;
      const r = src.rows[k]!;
      if (c < minC) minC = c;
      if (c > maxC) maxC = c;
      if (r < minR) minR = r;
      if (r > maxR) maxR = r;
    }
    return [minC, minR, maxC, maxR];
  }
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
  let materialised: { cols: Float64Array; rows: Float64Array } | null = null;
  if (exact) {
    const cols = new Float64Array(size * size);
    const rows = new Float64Array(size * size);
    for (let j = 0; j < size; j++) {
      for (let i = 0; i < size; i++) {
        const [c, r] = toPixel(minX + (i + 0.5) * res, maxY - (j + 0.5) * res);
        cols[j * size + i] = c;
        rows[j * size + i] = r;
      }
    }
    materialised = { cols, rows };
  }
  // Source pixels per output pixel at the centre of the tile, from the coarse grid.
  const mid = GRID >> 1;
  const dcx = gc[mid * n + mid + 1]! - gc[mid * n + mid]!;
  const drx = gr[mid * n + mid + 1]! - gr[mid * n + mid]!;
  const dcy = gc[(mid + 1) * n + mid]! - gc[mid * n + mid]!;
  const dry = gr[(mid + 1) * n + mid]! - gr[mid * n + mid]!;
  const factor = Math.sqrt(Math.abs(dcx * dry - drx * dcy)) / step;
  return new SampleCoords(size, Number.isFinite(factor) ? factor : 1, gc, gr, materialised);
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
  const pad = resampling === 'bilinear' ? 0.5 : 0;
  let [minC, minR, maxC, maxR] = coords.bounds();
  minC *= scaleX;
  maxC *= scaleX;
  minR *= scaleY;
  maxR *= scaleY;
  if (!(minC >= 0 && minR >= 0 && maxC < l.width && maxR < l.height)) {
    // The tile reaches past the level's edge (or has no finite bounds): only the pixels whose
    // nearest source pixel is inside count, so scan them row by row.
    minC = minR = Infinity;
    maxC = maxR = -Infinity;
    const cols = new Float64Array(coords.size);
    const rows = new Float64Array(coords.size);
    for (let j = 0; j < coords.size; j++) {
      coords.row(j, cols, rows);
      for (let i = 0; i < coords.size; i++) {
        const c = cols[i]! * scaleX;
        const r = rows[i]! * scaleY;
        if (!(c >= 0 && r >= 0 && c < l.width && r < l.height)) continue; // its nearest pixel is outside: transparent
        if (c < minC) minC = c;
        if (c > maxC) maxC = c;
        if (r < minR) minR = r;
        if (r > maxR) maxR = r;
      }
    }
  }
  if (minC === Infinity) return { kind: 'empty' };
  const c0 = Math.max(0, Math.floor(minC - pad));
  const r0 = Math.max(0, Math.floor(minR - pad));
  const c1 = Math.min(l.width, Math.floor(maxC + pad) + 1);
  const r1 = Math.min(l.height, Math.floor(maxR + pad) + 1);
  return { kind: 'window', level, window: [c0, r0, c1, r1], scaleX, scaleY };
}
