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
import { rasterZoomRange, tileRangeForBBox } from '../geo/tile-grid.js';
import { resolveSelection } from '../pipeline/selection.js';

/** At most this many scenes are primed. */
const MAX_SCENES = 8;

/** Bytes of one decoded block, roughly: what a scene's first tile decodes per file. */
const blockCost = (s: Scene) => Math.min(s.grid.width * s.grid.height, 512 * 512) * Math.max(1, ...s.assets.map((a) => a.bands.length));

/**
 * In the order the budget should spend them: the users' scenes (purpose "data": the dashboard's)
 * before test scenes and products, cheaper blocks first; every scene's centre tile before any
 * scene's overview tile.
 */
export function primeTiles(scenes: Scene[], colormaps: ColormapRegistry): ImageryTileTask[] {
  const ordered = [...scenes].sort((a, b) => Number(a.purpose !== 'data') - Number(b.purpose !== 'data') || blockCost(a) - blockCost(b)).slice(0, MAX_SCENES);
  const passes: ImageryTileTask[][] = [[], []];
  for (const scene of ordered) {
    let sel;
    try {
      sel = resolveSelection(scene, {}, colormaps);
    } catch {
      continue; // a scene without a default selection is primed by its first request
    }
    const [w, s, e, n] = scene.bbox;
    const lon = (w + e) / 2;
    const lat = (s + n) / 2;
    const { minzoom, maxzoom } = rasterZoomRange(scene.bbox, scene.grid.geotransform[1], scene.crs.geographic);
    const zooms = [Math.max(minzoom, maxzoom - 1), minzoom];
    zooms.forEach((z, pass) => {
      if (pass > 0 && z === zooms[0]) return;
      const { minX: x, minY: y } = tileRangeForBBox([lon, lat, lon, lat], z);
      passes[pass]!.push({ scene, tile: { z, x, y, size: 256 }, format: 'png', sel });
    });
  }
  return passes.flat();
}
