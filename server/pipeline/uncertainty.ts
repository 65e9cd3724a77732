/**
 * Where new labels help most: the model's uncertainty per native pixel, as tiles and as a short
 * list of places to visit (runs in a worker; the classified blocks come from the same per-worker
 * cache as the crop tiles, under the same keys, so a scene classified for one is reused by the other).
 *
 * The probabilities are the calibrated ones (the card's temperature, applied by classify()), so a
 * pixel whose top class has probability 0.7 was right about 70 % of the time in cross-validation.
 *
 * Measures (all 0..1, higher = less certain):
 *   entropy     -sum p log p / log C  (normalised entropy of the class probabilities)
 *   margin      1 - (p1 - p2)         (top-two margin; 1 when the two best classes tie)
 *   confidence  1 - p1                (one minus the top-class probability)
 *
 * Uncertain places: the measure's 3 x 3 mean around each native pixel (a small cluster, so a
 * single mixed edge pixel weighs less than a patch of doubt), then greedy non-maximum suppression:
 * take the highest, discard everything within `spacing` native pixels of it, repeat until N.
 * Each place carries its top-2 classes.
 */
import { transformer, WGS84 } from '../geo/crs.js';
import type { RasterContext, TileAddress } from './read-tile.js';
import { NO_CLASS, type Classifier, type ModelInputs } from './classify-window.js';
import { MAX_NATIVE_PIXELS, NativeBlocks, classifiedBlocks, tileFootprint, type BlockClassCache, type CropModelRef } from './crop-tile.js';
import { colorizeSingle } from '../render/colorize.js';
import { encodePng, emptyPng } from '../render/png.js';
import { ColormapRegistry } from '../render/colormaps.js';
import { GranaryError } from '../errors.js';
import type { Scene } from '../catalog/scene.js';

import { UNCERTAINTY_MEASURES } from '../contract/uncertainty.js';

export type UncertaintyMeasure = (typeof UNCERTAINTY_MEASURES)[number];
/** Colormap of uncertainty tiles (dark = certain, bright = uncertain); legend at /api/colormaps/magma. */
const UNCERTAINTY_COLORMAP = 'magma';

/** Uncertainty of one probability vector p[o .. o+C). NaN if the first value is NaN (no class). Pure. */
export function uncertainty(p: ArrayLike<number>, o: number, C: number, measure: UncertaintyMeasure): number {
  const first = p[o] as number;
  if (Number.isNaN(first)) return NaN;
  if (measure === 'entropy') {
    if (C < 2) return 0;
    let h = 0;
    for (let c = 0; c < C; c++) {
      const v = p[o + c] as number;
      if (v > 0) h -= v * Math.log(v);
    }
    return Math.min(1, Math.max(0, h / Math.log(C)));
  }
  let p1 = -Infinity;
  let p2 = -Infinity;
  for (let c = 0; c < C; c++) {
    const v = p[o + c] as number;
    if (v > p1) {
      p2 = p1;
      p1 = v;
    } else if (v > p2) p2 = v;
  }
  if (measure === 'confidence') return Math.min(1, Math.max(0, 1 - p1));
  return Math.min(1, Math.max(0, 1 - (p1 - (C > 1 ? p2 : 0))));
}

/** The two most probable classes of p[o .. o+C) (first index wins ties). Pure. */
export function top2(p: ArrayLike<number>, o: number, C: number): [number, number, number, number] {
  let i1 = -1;
  let i2 = -1;
  let p1 = -Infinity;
  let p2 = -Infinity;
  for (let c = 0; c < C; c++) {
    const v = p[o + c] as number;
    if (v > p1) {
      i2 = i1;
      p2 = p1;
      i1 = c;
      p1 = v;
    } else if (v > p2) {
      i2 = c;
      p2 = v;
    }
  }
  return [i1, p1, i2, p2];
}

interface Base {
  scene: Scene;
  model: CropModelRef;
  inputs: ModelInputs;
  season: number;
  measure: UncertaintyMeasure;
}

export interface UncertaintyTileTask extends Base {
  tile: TileAddress;
}

export interface UncertainPlacesTask extends Base {
  /** places wanted (default 50) */
  n: number;
  /** minimum distance between two places, in native pixels */
  spacing: number;
}

/** Uncertainty per output pixel of a tile: nearest native pixel when zoomed in, mean over the footprint when zoomed out. */
async function uncertaintyTileValues(ctx: RasterContext, cache: BlockClassCache, classify: Classifier, task: UncertaintyTileTask, signal?: AbortSignal): Promise<{ empty: boolean; values: Float32Array }> {
  const { scene, tile } = task;
  const { width, height } = scene.grid;
  const n = tile.size * tile.size;
  const { coords, k, half, window } = tileFootprint(scene, tile, (px) => `this uncertainty tile covers ${px} native pixels (limit ${MAX_NATIVE_PIXELS}): zoom in`);
  const values = new Float32Array(n).fill(NaN);
  if (!window) return { empty: true, values };
  const blocks = await classifiedBlocks(ctx, cache, classify, task, window, signal);
  const C = task.inputs.classCount;
  const at = (c: number, r: number): number => {
    const w = blocks.blockOf(c, r);
    const i = NativeBlocks.indexIn(w, c, r);
    return w.classes[i] === NO_CLASS ? NaN : uncertainty(w.probabilities, i * C, C, task.measure);
  };
  for (let i = 0; i < n; i++) {
    const fc = coords.cols[i]!;
    const fr = coords.rows[i]!;
    if (!(fc >= 0 && fr >= 0 && fc < width && fr < height)) continue;
    const c = Math.floor(fc);
    const r = Math.floor(fr);
    if (k === 1) {
      values[i] = at(c, r);
      continue;
    }
    let sum = 0;
    let count = 0;
    for (let rr = Math.max(0, r - half); rr < Math.min(height, r - half + k); rr++) {
      for (let cc = Math.max(0, c - half); cc < Math.min(width, c - half + k); cc++) {
        const v = at(cc, rr);
        if (Number.isNaN(v)) continue;
        sum += v;
        count++;
      }
    }
    if (count > 0) values[i] = sum / count;
  }
  return { empty: false, values };
}

const LUT = new ColormapRegistry().lut(UNCERTAINTY_COLORMAP)!;

export async function renderUncertaintyTile(ctx: RasterContext, cache: BlockClassCache, classify: Classifier, task: UncertaintyTileTask, signal?: AbortSignal): Promise<{ body: Uint8Array; empty: boolean }> {
  const v = await uncertaintyTileValues(ctx, cache, classify, task, signal);
  if (v.empty) return { body: await emptyPng(task.tile.size), empty: true };
  return { body: await encodePng(colorizeSingle(v.values, [0, 1], LUT), task.tile.size, task.tile.size), empty: false };
}

export interface UncertainPlace {
  rank: number;
  col: number;
  row: number;
  lon: number;
  lat: number;
  /** 3 x 3 mean of the measure (the ranking value) */
  uncertainty: number;
  /** the measure at the pixel itself */
  pixelUncertainty: number;
  entropy: number;
  top1: string;
  p1: number;
  top2: string;
  p2: number;
}

export interface UncertainPlacesResult {
  places: UncertainPlace[];
  /** valid (classified) native pixels in the scene */
  pixels: number;
  meanUncertainty: number;
}

/**
 * Greedy non-maximum suppression on a grid: indices (into a width-wide raster) of up to `n`
 * highest `score`s, no two closer than `spacing` (Euclidean, in pixels). Ties: lower index first. Pure.
 */
export function spreadMaxima(score: Float32Array, width: number, n: number, spacing: number): number[] {
  const idx: number[] = [];
  for (let i = 0; i < score.length; i++) if (!Number.isNaN(score[i]!)) idx.push(i);
  idx.sort((a, b) => score[b]! - score[a]! || a - b);
  const picked: number[] = [];
  const cell = Math.max(1, spacing);
  const grid = new Map<string, number[]>();
  const s2 = spacing * spacing;
  for (const i of idx) {
    if (picked.length >= n) break;
    const c = i % width;
    const r = (i - c) / width;
    const gc = Math.floor(c / cell);
    const gr = Math.floor(r / cell);
    let ok = true;
    for (let dr = -1; dr <= 1 && ok; dr++) {
      for (let dc = -1; dc <= 1 && ok; dc++) {
        for (const j of grid.get(`${gc + dc},${gr + dr}`) ?? []) {
          const cj = j % width;
          const rj = (j - cj) / width;
          if ((cj - c) * (cj - c) + (rj - r) * (rj - r) < s2) {
            ok = false;
            break;
          }
        }
      }
    }
    if (!ok) continue;
    picked.push(i);
    const key = `${gc},${gr}`;
    grid.set(key, [...(grid.get(key) ?? []), i]);
  }
  return picked;
}

export async function uncertainPlaces(ctx: RasterContext, cache: BlockClassCache, classify: Classifier, task: UncertainPlacesTask, signal?: AbortSignal): Promise<UncertainPlacesResult> {
  const { scene } = task;
  const { width, height } = scene.grid;
  if (width * height > MAX_NATIVE_PIXELS) {
    throw new GranaryError('unprocessable', `scene ${scene.id} has ${width * height} native pixels (limit ${MAX_NATIVE_PIXELS} for uncertain places)`);
  }
  const blocks = await classifiedBlocks(ctx, cache, classify, task, [0, 0, width, height], signal);
  const C = task.inputs.classCount;
  const u = new Float32Array(width * height).fill(NaN);
  const ent = new Float32Array(width * height).fill(NaN);
  let valid = 0;
  let sum = 0;
  for (const w of blocks.all) {
    for (let r = 0; r < w.height; r++) {
      for (let c = 0; c < w.width; c++) {
        const i = r * w.width + c;
        if (w.classes[i] === NO_CLASS) continue;
        const g = (w.window[1] + r) * width + (w.window[0] + c);
        const v = uncertainty(w.probabilities, i * C, C, task.measure);
        u[g] = v;
        ent[g] = task.measure === 'entropy' ? v : uncertainty(w.probabilities, i * C, C, 'entropy');
        valid++;
        sum += v;
      }
    }
  }
  // 3 x 3 mean over the valid neighbours (at least 5 of 9, so scene edges and nodata borders do not win)
  const score = new Float32Array(width * height).fill(NaN);
  for (let r = 0; r < height; r++) {
    for (let c = 0; c < width; c++) {
      if (Number.isNaN(u[r * width + c]!)) continue;
      let s = 0;
      let k = 0;
      for (let rr = Math.max(0, r - 1); rr <= Math.min(height - 1, r + 1); rr++) {
        for (let cc = Math.max(0, c - 1); cc <= Math.min(width - 1, c + 1); cc++) {
          const v = u[rr * width + cc]!;
          if (Number.isNaN(v)) continue;
          s += v;
          k++;
        }
      }
      if (k >= 5) score[r * width + c] = s / k;
    }
  }
  const picked = spreadMaxima(score, width, task.n, task.spacing);
  const toWgs = transformer(WGS84, scene.crs.proj4);
  const [ox, pw, rx, oy, ry, ph] = scene.grid.geotransform;
  const names = task.model.classes.map((c) => c.name);
  const places = picked.map((g, k): UncertainPlace => {
    const c = g % width;
    const r = (g - c) / width;
    const w = blocks.blockOf(c, r);
    const i = NativeBlocks.indexIn(w, c, r);
    const [i1, p1, i2, p2] = top2(w.probabilities, i * C, C);
    const x = ox + (c + 0.5) * pw + (r + 0.5) * rx;
    const y = oy + (c + 0.5) * ry + (r + 0.5) * ph;
    const [lon, lat] = toWgs.inverse([x, y]) as [number, number];
    const r4 = (v: number) => Math.round(v * 1e4) / 1e4;
    return {
      rank: k + 1,
      col: c,
      row: r,
      lon: Math.round(lon * 1e6) / 1e6,
      lat: Math.round(lat * 1e6) / 1e6,
      uncertainty: r4(score[g]!),
      pixelUncertainty: r4(u[g]!),
      entropy: r4(ent[g]!),
      top1: names[i1] ?? String(i1),
      p1: r4(p1),
      top2: names[i2] ?? String(i2),
      p2: r4(p2),
    };
  });
  return { places, pixels: valid, meanUncertainty: valid > 0 ? Math.round((sum / valid) * 1e4) / 1e4 : NaN };
}
