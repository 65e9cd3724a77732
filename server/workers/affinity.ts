/**
 * Affinity keys: tasks that read the same classified crop blocks carry the same key, so the pool
 * runs them in the same child, whose block cache already holds them (workers/pool.ts).
 * The key names the 512 x 512-pixel area of the scene grid under the tile's centre (2 x 2 native
 * blocks of 256): neighbouring tiles at native zooms share it; a low-zoom tile covering many blocks
 * is keyed by the one under its centre, so the same tile always goes to the same child.
 */
import { tileBounds3857 } from '../geo/tile-grid.js';
import { transformer, WEB_MERCATOR } from '../geo/crs.js';
import type { Scene } from '../catalog/scene.js';

const AREA = 512;

export function cropBlockKey(scene: Scene, modelSha: string, season: number, tile: { z: number; x: number; y: number }): string {
  const b = tileBounds3857(tile.z, tile.x, tile.y);
  const [cx, cy] = transformer(WEB_MERCATOR, scene.crs.proj4).forward([(b[0] + b[2]) / 2, (b[1] + b[3]) / 2]) as [number, number];
  const g = scene.grid.geotransform; // [originX, pixelW, rotX, originY, rotY, pixelH] (GDAL order)
  const col = Math.floor((cx - g[0]) / g[1] / AREA);
  const row = Math.floor((cy - g[3]) / g[5] / AREA);
  const area = Number.isFinite(col) && Number.isFinite(row) ? `${col},${row}` : 'any';
  return `crop|${scene.id}|${modelSha}|${season}|${area}`;
}
