/** TileJSON 3.0.0 documents for a scene's layers (pure). */
import { rasterZoomRange } from '../../geo/tile-grid.js';
import type { Scene } from '../../catalog/scene.js';

export function tileJson(scene: Scene, name: string, template: string, description: string, attribution: string) {
  const { minzoom, maxzoom } = rasterZoomRange(scene.bbox, scene.grid.geotransform[1], scene.crs.geographic);
  const [w, s, e, n] = scene.bbox;
  return {
    tilejson: '3.0.0' as const,
    name,
    description,
    attribution,
    tiles: [template],
    bounds: [w, s, e, n] as [number, number, number, number],
    center: [Number(((w + e) / 2).toFixed(6)), Number(((s + n) / 2).toFixed(6)), Math.max(minzoom, maxzoom - 1)] as [number, number, number],
    minzoom,
    maxzoom,
    scheme: 'xyz' as const,
  };
}
