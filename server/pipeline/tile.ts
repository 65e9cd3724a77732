/**
 * THE flow of an imagery tile (runs in a worker thread):
 *
 *   selection -> band refs -> plan + read + warp (read-tile.ts) -> band math -> colourise -> encode
 *
 * PNG (WebP, JPEG) tiles are colourised RGBA; .tif tiles are Float32 GeoTIFFs of physical values (NaN nodata)
 * in EPSG:3857. A tile with no data at all is a deliberate transparent PNG (or an all-NaN .tif).
 */
import { findBand, type Scene } from '../catalog/scene.js';
import { parseExpression, evaluate } from '../render/expression.js';
import { colorizeSingle, colorizeRgb } from '../render/colorize.js';
import { encodeImage, emptyImage, type ImageFormat } from '../render/image.js';
import { encodeFloatTile } from '../render/tile-tiff.js';
import type { ColormapRegistry } from '../render/colormaps.js';
import { readTileBands, type RasterContext, type TileAddress } from './read-tile.js';
import type { ResolvedSelection } from './selection.js';
import { lap, stamp, type StageTimes } from './stage-times.js';

export interface ImageryTileTask {
  scene: Scene;
  tile: TileAddress;
  format: ImageFormat | 'tif';
  /** quality of webp/jpg (1-100; default 85) */
  quality?: number;
  sel: ResolvedSelection;
}

export interface TileResult {
  body: Uint8Array;
  empty: boolean;
}

export async function renderImageryTile(ctx: RasterContext & { colormaps: ColormapRegistry }, task: ImageryTileTask, signal?: AbortSignal, times?: StageTimes): Promise<TileResult> {
  const { scene, tile, sel } = task;
  const refs = sel.variables.map((v) => findBand(scene, v, sel.date));
  const read = await readTileBands(ctx, scene, tile, refs, sel.resampling, signal, times);
  const c0 = stamp(times);
  const n = tile.size * tile.size;
  if (read.kind === 'empty') {
    if (task.format !== 'tif') return { body: await emptyImage(tile.size, task.format, task.quality), empty: true };
    return { body: encodeFloatTile([new Float32Array(n).fill(NaN)], tile), empty: true };
  }
  const vars: Record<string, Float32Array> = {};
  sel.variables.forEach((v, i) => (vars[v] = read.bands[i]!));
  let bands: Float32Array[];
  switch (sel.selection.kind) {
    case 'variable':
      bands = [vars[sel.selection.variable]!];
      break;
    case 'bands':
      bands = sel.selection.bands.map((b) => vars[b]!);
      break;
    case 'expression':
      bands = [evaluate(parseExpression(sel.selection.expression, scene.variables), vars, n)];
      break;
  }
  if (task.format === 'tif') return { body: encodeFloatTile(bands, tile), empty: false };
  const rgba: Uint8Array =
    bands.length === 3
      ? colorizeRgb([bands[0]!, bands[1]!, bands[2]!], [sel.rescale[0]!, sel.rescale[1]!, sel.rescale[2]!])
      : colorizeSingle(bands[0]!, sel.rescale[0]!, sel.colormap ? (ctx.colormaps.lut(sel.colormap) ?? null) : null);
  const e0 = lap(times, 'colour', c0);
  const body = await encodeImage(rgba, tile.size, tile.size, task.format, task.quality);
  lap(times, 'encode', e0);
  return { body, empty: false };
}
