/**
 * The tiles each worker renders before its first request (WorkerPool.prime, the 'prime-tiles'
 * task): per scene of the catalog, its default selection at the centre of the scene, at the zoom
 * its TileJSON centres on (native or near-native blocks) and at its minzoom (the coarsest overview).
 * Rendering them opens the scene's files, decodes those blocks into the worker's block cache and
 * compiles the whole tile path (read, warp, colourise, encode), which a fresh worker's first tile
 * otherwise pays (~100 ms; issue #17 asks for a first tile under 15 ms). Pure.
 */
import type { Scene } from '../catalog/scene.js';
import type { ColormapRegistry } from '../render/colormaps.js';
import type { ImageryTileTask } from '../pipeline/tile.js';
import type { ModelEntry } from '../inference/registry.js';
import type { CropTileMessage } from '../workers/crop-tasks.js';
import { rasterZoomRange, tileRangeForBBox } from '../geo/tile-grid.js';
import { resolveSelection } from '../pipeline/selection.js';
import { modelTask } from './model-task.js';

/**
 * A worker's priming, in three steps: the first `minTiles` imagery tiles (always, even when the
 * priming is stopped: WorkerPool.stopPriming), then the crop tiles within `cropBudgetMs`, then the
 * other imagery tiles within `budgetMs`; a tile is not started past its budget or once stopped.
 */
export interface PrimeTiles {
  tiles: ImageryTileTask[];
  minTiles: number;
  crops: CropTileMessage[];
  budgetMs: number;
  cropBudgetMs: number;
}

/** The same, with the lists made by the worker from these directories (primeListsFromFiles). */
export interface PrimeCatalog extends Pick<PrimeTiles, 'budgetMs' | 'cropBudgetMs'> {
  catalogDir: string;
  modelsDir: string;
}

export interface PrimeResult {
  rendered: number;
  crops: number;
  ms: number;
}

/** The field-level tile is at most this zoom (the service's usual maxzoom for imagery). */
const MAX_PRIME_ZOOM = 16;

/** At most this many scenes are primed. */
const MAX_SCENES = 8;

/** Bytes of one decoded block, roughly: what a scene's first tile decodes per file. */
const blockCost = (s: Scene) => Math.min(s.grid.width * s.grid.height, 512 * 512) * Math.max(1, ...s.assets.map((a) => a.bands.length));

/**
 * In the order the budget should spend them: the users' scenes (purpose "data": the dashboard's)
 * before products, cheaper blocks first; every scene's centre tile before any scene's overview
 * tile. Test scenes (kept for tests and demos of the tiler, out of the users' catalog) are not primed.
 */
const inBudgetOrder = (scenes: Scene[]) =>
  scenes
    .filter((s) => s.purpose !== 'test')
    .sort((a, b) => Number(a.purpose !== 'data') - Number(b.purpose !== 'data') || blockCost(a) - blockCost(b))
    .slice(0, MAX_SCENES);

const zoomRange = (scene: Scene) => rasterZoomRange(scene.bbox, scene.grid.geotransform[1], scene.crs.geographic);

/** The 256 px tile at zoom `z` under the centre of the scene's bbox. */
function tileAtCentre(scene: Scene, z: number): { z: number; x: number; y: number; size: number } {
  const [w, s, e, n] = scene.bbox;
  const { minX: x, minY: y } = tileRangeForBBox([(w + e) / 2, (s + n) / 2, (w + e) / 2, (s + n) / 2], z);
  return { z, x, y, size: 256 };
}

/** The tile a scene's TileJSON centres on: its centre at the zoom of native or near-native blocks. */
function centreTile(scene: Scene): { z: number; x: number; y: number; size: number } {
  const { minzoom, maxzoom } = zoomRange(scene);
  return tileAtCentre(scene, Math.max(minzoom, maxzoom - 1));
}

/** Zooms past the data's own of the field-level tile primed for each data scene (a farmer's field at 250 m pixels: z13). */
const FIELD_ZOOMS_PAST_DATA = 3;

/**
 * The imagery tiles, and how many of them are the minimum: for every data scene (the dashboard's)
 * its centre tile, which compiles the tile path and opens its files, and the tile under it zoomed in
 * past its pixels (the upsampling path a farmer's field takes, in that scene's projection: a first
 * such request paid ~10 ms more without it); then the products' centre tiles and every scene's
 * coarsest overview.
 */
export function primeTiles(scenes: Scene[], colormaps: ColormapRegistry): Pick<PrimeTiles, 'tiles' | 'minTiles'> {
  const passes: ImageryTileTask[][] = [[], []];
  let minTiles = 0;
  for (const scene of inBudgetOrder(scenes)) {
    let sel;
    try {
      sel = resolveSelection(scene, {}, colormaps);
    } catch {
      continue; // a scene without a default selection is primed by its first request
    }
    const { minzoom, maxzoom } = zoomRange(scene);
    const centre = centreTile(scene);
    passes[0]!.push({ scene, tile: centre, format: 'png', sel });
    if (scene.purpose === 'data') {
      passes[0]!.push({ scene, tile: tileAtCentre(scene, Math.min(MAX_PRIME_ZOOM, maxzoom + FIELD_ZOOMS_PAST_DATA)), format: 'png', sel });
      minTiles += 2;
    }
    // and the coarsest overview, after every scene's centre
    if (minzoom !== centre.z) passes[1]!.push({ scene, tile: tileAtCentre(scene, minzoom), format: 'png', sel });
  }
  return { tiles: passes.flat(), minTiles };
}

/**
 * The crop tiles a worker classifies before its first request: the centre tile of each data scene
 * (the dashboard's) that the default model can read, in the same order, with the model's default
 * season (what the crop TileJSON points at). Classifying them loads ONNX Runtime (~25 ms), opens and
 * checks the model's session (~30 ms) and fills the worker's classified-block cache with the blocks
 * a first visit asks for (~100 ms for a 256 px block), which a first crop tile otherwise pays.
 */
export function primeCropTiles(scenes: Scene[], model: ModelEntry): CropTileMessage[] {
  const out: CropTileMessage[] = [];
  for (const scene of inBudgetOrder(scenes)) {
    if (scene.purpose !== 'data' || !model.variables.every((v) => scene.variables.includes(v))) continue;
    let task;
    try {
      task = modelTask(model, scene);
    } catch {
      continue; // no season of the scene fits the model: such a scene has no crop layer
    }
    out.push({ scene, model: task.ref, inputs: task.inputs, season: task.choice.season, tile: centreTile(scene), layer: 'class', session: model.session });
  }
  return out;
}
