/**
 * A crop map as independent native blocks: the unit of work of a crop-map job, on one machine
 * (`granary cropmap`, the in-process job queue) or many (`granary worker`). Each block is classified
 * by the same code as the crop tiles (pipeline/classify-window.ts on the 256 px native blocks), so a
 * pixel gets the same class in tiles, in the CLI's map and in a distributed job's map.
 *
 * Pure functions plus one classifier call; no I/O beyond the raster context.
 */
import { createHash } from 'node:crypto';
import type { Scene } from '../catalog/scene.js';
import type { PixelWindow } from '../raster/read-window.js';
import type { RasterContext } from '../pipeline/read-tile.js';
import { classifyWindow, NO_CLASS, type Classifier, type ModelInputs } from '../pipeline/classify-window.js';
import { BLOCK } from '../pipeline/crop-tile.js';

export interface BlockGrid {
  width: number;
  height: number;
  cols: number;
  rows: number;
  total: number;
}

export function blockGrid(width: number, height: number): BlockGrid {
  const cols = Math.ceil(width / BLOCK);
  const rows = Math.ceil(height / BLOCK);
  return { width, height, cols, rows, total: cols * rows };
}

/** The window of block `index` (row-major). */
function blockWindow(g: BlockGrid, index: number): PixelWindow {
  if (!Number.isInteger(index) || index < 0 || index >= g.total) throw new RangeError(`block ${index} outside 0..${g.total - 1}`);
  const i = index % g.cols;
  const j = Math.floor(index / g.cols);
  return [i * BLOCK, j * BLOCK, Math.min(g.width, (i + 1) * BLOCK), Math.min(g.height, (j + 1) * BLOCK)];
}

/** One classified block in the crop-map encoding: card class id (255 nodata), confidence % (255 nodata). */
export interface BlockResult {
  index: number;
  width: number;
  height: number;
  classIds: Uint8Array;
  confidence: Uint8Array;
}

export async function classifyBlock(ctx: RasterContext, scene: Scene, inputs: ModelInputs, classify: Classifier, classes: ReadonlyArray<{ id: number }>, g: BlockGrid, index: number): Promise<BlockResult> {
  const win = blockWindow(g, index);
  const w = await classifyWindow(ctx, scene, inputs, classify, win);
  const n = w.width * w.height;
  const classIds = new Uint8Array(n).fill(255);
  const confidence = new Uint8Array(n).fill(255);
  for (let k = 0; k < n; k++) {
    const cls = w.classes[k]!;
    if (cls === NO_CLASS) continue;
    classIds[k] = classes[cls]!.id;
    confidence[k] = Math.round(w.confidence[k]! * 100);
  }
  return { index, width: w.width, height: w.height, classIds, confidence };
}

/** Block bytes on shared storage: classIds then confidence (the window follows from the index). */
export function encodeBlock(b: BlockResult): Uint8Array {
  const out = new Uint8Array(b.classIds.length * 2);
  out.set(b.classIds, 0);
  out.set(b.confidence, b.classIds.length);
  return out;
}

export function decodeBlock(g: BlockGrid, index: number, bytes: Uint8Array): BlockResult {
  const [c0, r0, c1, r1] = blockWindow(g, index);
  const n = (c1 - c0) * (r1 - r0);
  if (bytes.length !== 2 * n) throw new Error(`block ${index}: ${bytes.length} bytes, expected ${2 * n}`);
  return { index, width: c1 - c0, height: r1 - r0, classIds: bytes.subarray(0, n), confidence: bytes.subarray(n) };
}

export const sha256 = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

/** The whole map being assembled from blocks, with class pixel counts. */
export class CropMapCanvas {
  readonly classIds: Uint8Array;
  readonly confidence: Uint8Array;
  readonly counts = new Map<number, number>();
  private readonly placed = new Set<number>();

  constructor(readonly grid: BlockGrid) {
    this.classIds = new Uint8Array(grid.width * grid.height).fill(255);
    this.confidence = new Uint8Array(grid.width * grid.height).fill(255);
  }

  /** A canvas rebuilt from its arrays (after crossing a thread boundary). */
  static from(grid: BlockGrid, classIds: Uint8Array, confidence: Uint8Array, counts: Array<[number, number]>): CropMapCanvas {
    const c = new CropMapCanvas(grid);
    c.classIds.set(classIds);
    c.confidence.set(confidence);
    for (const [k, v] of counts) c.counts.set(k, v);
    for (let i = 0; i < grid.total; i++) c.placed.add(i);
    return c;
  }

  place(b: BlockResult): void {
    if (this.placed.has(b.index)) throw new Error(`block ${b.index} placed twice`);
    const [c0, r0] = blockWindow(this.grid, b.index);
    for (let r = 0; r < b.height; r++) {
      const o = (r0 + r) * this.grid.width + c0;
      this.classIds.set(b.classIds.subarray(r * b.width, (r + 1) * b.width), o);
      this.confidence.set(b.confidence.subarray(r * b.width, (r + 1) * b.width), o);
    }
    for (const id of b.classIds) if (id !== 255) this.counts.set(id, (this.counts.get(id) ?? 0) + 1);
    this.placed.add(b.index);
  }

  /** Blocks not placed yet (an assembler must never publish with any). */
  missing(): number[] {
    const out: number[] = [];
    for (let i = 0; i < this.grid.total; i++) if (!this.placed.has(i)) out.push(i);
    return out;
  }
}
