/**
 * THE flow of a crop tile (runs in a worker):
 *
 *   tile plan over the native grid -> the 256 px native blocks it touches -> classify each block
 *   (cached by model sha256 + scene + season + block) -> resample classes onto the tile -> colour
 *
 * What a low-zoom crop tile shows: the **majority (mode) of the full-resolution classes** inside each
 * output pixel's footprint, never a classification of an averaged overview (averaging the time
 * series of a soy field and a forest makes a curve that is neither). Confidence tiles show the mean
 * top-class probability over the same footprint; the probabilities are calibrated (the card's
 * temperature, applied by classify() in server/inference/onnx-session.ts). At zooms finer than the data, nearest neighbour.
 * So the same native pixel gets the same class here and in `granary cropmap`'s COG.
 */
import { LRUCache } from 'lru-cache';
import { tileCoords, type RasterContext, type TileAddress } from './read-tile.js';
import { classifyWindow, NO_CLASS, type Classifier, type ClassifiedWindow, type ModelInputs } from './classify-window.js';
import { colorizeSingle, colorizeClasses } from '../render/colorize.js';
import { encodePng, emptyPng } from '../render/png.js';
import { hexToRgb, ColormapRegistry } from '../render/colormaps.js';
import { GranaryError } from '../errors.js';
import type { Scene } from '../catalog/scene.js';
import type { PixelWindow } from '../raster/read-window.js';
import type { ClassifiedDiskCache } from './classified-disk.js';

export const BLOCK = 256;
/** Native pixels a single crop tile may classify on the fly (beyond: use granary cropmap). */
export const MAX_NATIVE_PIXELS = 4096 * 4096;

export interface CropModelRef {
  id: string;
  sha256: string;
  path: string;
  classes: Array<{ id: number; name: string; color: string }>;
}

export interface CropTileTask {
  scene: Scene;
  model: CropModelRef;
  inputs: ModelInputs;
  season: number;
  tile: TileAddress;
  layer: 'class' | 'confidence';
}

/** Bytes held by one classified block (classes, confidence, all class probabilities). */
const windowBytes = (w: ClassifiedWindow) => w.classes.byteLength + w.confidence.byteLength + w.probabilities.byteLength + 256;
/** What a block is counted as while it is being classified (a 256 px block of a 16-class model). */
const PENDING_BYTES = BLOCK * BLOCK * (1 + 4 + 4 * 16);

/**
 * Classified blocks per worker, bounded in bytes (default 64 MB) as well as in entries; under it,
 * optionally, the blocks kept on disk (classified-disk.ts): a block missing here is read from there
 * before it is classified, and a block classified here is written there.
 */
export class BlockClassCache {
  private readonly lru: LRUCache<string, Promise<ClassifiedWindow>>;
  constructor(
    maxBytes = 64 * 1024 * 1024,
    private readonly disk: ClassifiedDiskCache | null = null,
  ) {
    this.lru = new LRUCache<string, Promise<ClassifiedWindow>>({ max: 512, maxSize: Math.max(PENDING_BYTES, Math.floor(maxBytes)), sizeCalculation: () => PENDING_BYTES });
  }
  /**
   * The block under `key`: from memory, else from disk (under `diskKey()`: the key and the input
   * layout, made only on a miss here), else `load()`ed and written there.
   */
  get(key: string, load: () => Promise<ClassifiedWindow>, diskKey?: () => string): Promise<ClassifiedWindow> {
    let p = this.lru.get(key);
    if (!p) {
      const q = this.disk && diskKey ? loadThrough(this.disk, diskKey(), load) : load();
      p = q;
      q.then(
        (w) => {
          // re-account with the real size once known (unless it was evicted or replaced meanwhile)
          if (this.lru.peek(key) === q) this.lru.set(key, q, { size: Math.min(windowBytes(w), this.lru.maxSize) });
        },
        () => {
          if (this.lru.peek(key) === q) this.lru.delete(key);
        },
      );
      this.lru.set(key, q);
    }
    return p;
  }
  get bytes(): number {
    return this.lru.calculatedSize;
  }
}

async function loadThrough(disk: ClassifiedDiskCache, key: string, load: () => Promise<ClassifiedWindow>): Promise<ClassifiedWindow> {
  const stored = await disk.get(key);
  if (stored) return stored;
  const w = await load();
  void disk.put(key, w);
  return w;
}

/** What identifies a classification: model file, scene version, season (the block cache key). */
interface ClassificationSource {
  scene: Scene;
  model: { sha256: string };
  inputs: ModelInputs;
  season: number;
}

/** Classified native blocks covering a window, found by native pixel with arithmetic (no per-pixel keys). */
export class NativeBlocks {
  constructor(
    private readonly bx0: number,
    private readonly by0: number,
    private readonly nbx: number,
    readonly all: readonly ClassifiedWindow[],
  ) {}
  /** The block holding native pixel (c, r). */
  blockOf(c: number, r: number): ClassifiedWindow {
    return this.all[(Math.floor(r / BLOCK) - this.by0) * this.nbx + (Math.floor(c / BLOCK) - this.bx0)]!;
  }
  /** Index of native pixel (c, r) inside its block `w`. */
  static indexIn(w: ClassifiedWindow, c: number, r: number): number {
    return (r - w.window[1]) * w.width + (c - w.window[0]);
  }
}

/** Classifies (or takes from the cache) the aligned native blocks covering `win`. */
export async function classifiedBlocks(ctx: RasterContext, cache: BlockClassCache, classify: Classifier, t: ClassificationSource, win: PixelWindow, signal?: AbortSignal): Promise<NativeBlocks> {
  const { width, height } = t.scene.grid;
  const [c0, r0, c1, r1] = win;
  const bx0 = Math.floor(c0 / BLOCK);
  const by0 = Math.floor(r0 / BLOCK);
  const nbx = Math.floor((c1 - 1) / BLOCK) - bx0 + 1;
  const jobs: Array<Promise<ClassifiedWindow>> = [];
  for (let by = by0; by <= Math.floor((r1 - 1) / BLOCK); by++) {
    for (let bx = bx0; bx < bx0 + nbx; bx++) {
      const block = [bx * BLOCK, by * BLOCK, Math.min(width, (bx + 1) * BLOCK), Math.min(height, (by + 1) * BLOCK)] as const;
      const key = `${t.model.sha256}|${t.scene.id}|${t.scene.etag}|${t.season}|${bx},${by}`;
      jobs.push(cache.get(key, () => classifyWindow(ctx, t.scene, t.inputs, classify, block, signal), () => `${key}|${JSON.stringify(t.inputs)}|${block.join(',')}`));
    }
  }
  return new NativeBlocks(bx0, by0, nbx, await Promise.all(jobs));
}

/**
 * Where a tile's output pixels fall on the native grid: sample coordinates, the footprint of one
 * output pixel (k x k native pixels, k = 1 when zoomed in past the data) and the native window all
 * footprints need (null when the tile misses the scene). Refuses windows above MAX_NATIVE_PIXELS.
 */
export function tileFootprint(scene: Scene, tile: TileAddress, tooLarge: (pixels: number) => string) {
  const { width, height } = scene.grid;
  const coords = tileCoords(scene, tile);
  const k = coords.factor > 1.5 ? Math.max(1, Math.round(coords.factor)) : 1;
  const half = Math.floor(k / 2);
  let minC = Infinity;
  let minR = Infinity;
  let maxC = -Infinity;
  let maxR = -Infinity;
  for (let i = 0; i < coords.cols.length; i++) {
    const c = coords.cols[i]!;
    const r = coords.rows[i]!;
    if (!(c >= 0 && r >= 0 && c < width && r < height)) continue;
    minC = Math.min(minC, c);
    maxC = Math.max(maxC, c);
    minR = Math.min(minR, r);
    maxR = Math.max(maxR, r);
  }
  if (minC === Infinity) return { coords, k, half, window: null };
  const window = [Math.max(0, Math.floor(minC) - half), Math.max(0, Math.floor(minR) - half), Math.min(width, Math.floor(maxC) + half + 1), Math.min(height, Math.floor(maxR) + half + 1)] as const;
  const pixels = (window[2] - window[0]) * (window[3] - window[1]);
  if (pixels > MAX_NATIVE_PIXELS) throw new GranaryError('unprocessable', tooLarge(pixels));
  return { coords, k, half, window };
}

/** Class and confidence per output pixel of a tile (class NO_CLASS where none). */
async function cropTileValues(ctx: RasterContext, cache: BlockClassCache, classify: Classifier, task: CropTileTask, signal?: AbortSignal) {
  const { scene, tile } = task;
  const { width, height } = scene.grid;
  const n = tile.size * tile.size;
  const { coords, k, half, window } = tileFootprint(scene, tile, (px) => `this crop tile covers ${px} native pixels (limit ${MAX_NATIVE_PIXELS}): zoom in, or run granary cropmap ${scene.id}`);
  const classes = new Uint8Array(n).fill(NO_CLASS);
  const confidence = new Float32Array(n).fill(NaN);
  if (!window) return { empty: true, classes, confidence };
  const blocks = await classifiedBlocks(ctx, cache, classify, task, window, signal);
  const C = task.model.classes.length;
  const votes = new Float64Array(C);
  for (let i = 0; i < n; i++) {
    const fc = coords.cols[i]!;
    const fr = coords.rows[i]!;
    if (!(fc >= 0 && fr >= 0 && fc < width && fr < height)) continue;
    const c = Math.floor(fc);
    const r = Math.floor(fr);
    if (k === 1) {
      const w = blocks.blockOf(c, r);
      const j = NativeBlocks.indexIn(w, c, r);
      classes[i] = w.classes[j]!;
      confidence[i] = w.confidence[j]!;
      continue;
    }
    votes.fill(0);
    let confSum = 0;
    let count = 0;
    for (let rr = Math.max(0, r - half); rr < Math.min(height, r - half + k); rr++) {
      for (let cc = Math.max(0, c - half); cc < Math.min(width, c - half + k); cc++) {
        const w = blocks.blockOf(cc, rr);
        const j = NativeBlocks.indexIn(w, cc, rr);
        const cl = w.classes[j]!;
        if (cl === NO_CLASS) continue;
        votes[cl]! += 1;
        confSum += w.confidence[j]!;
        count++;
      }
    }
    if (count === 0) continue;
    let best = 0;
    for (let q = 1; q < C; q++) if (votes[q]! > votes[best]!) best = q; // ties -> lowest class index
    classes[i] = best;
    confidence[i] = confSum / count;
  }
  return { empty: false, classes, confidence };
}

/** The same ramp the legend endpoint serves (/api/colormaps/confidence). */
const CONFIDENCE_LUT = new ColormapRegistry().lut('confidence')!;

export async function renderCropTile(ctx: RasterContext, cache: BlockClassCache, classify: Classifier, task: CropTileTask, signal?: AbortSignal): Promise<{ body: Uint8Array; empty: boolean }> {
  const v = await cropTileValues(ctx, cache, classify, task, signal);
  if (v.empty) return { body: await emptyPng(task.tile.size), empty: true };
  let rgba: Uint8Array;
  if (task.layer === 'class') {
    const palette = new Map<number, [number, number, number]>(task.model.classes.map((c, i) => [i, hexToRgb(c.color)]));
    rgba = colorizeClasses(v.classes, palette, NO_CLASS);
  } else {
    rgba = colorizeSingle(v.confidence, [0, 1], CONFIDENCE_LUT);
  }
  return { body: await encodePng(rgba, task.tile.size, task.tile.size), empty: false };
}
