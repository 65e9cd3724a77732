/** TileJSON 3.0.0 documents for a scene's layers (pure). */
import { zoomForResolution } from '../../geo/tile-grid.js';
import type { Scene } from '../../catalog/scene.js';

/** maxzoom: the first zoom whose pixels are at least as fine as the scene's; minzoom 6 below it. */
function zoomRange(scene: Scene): { minzoom: number; maxzoom: number } {
  const [w, s, e, n] = scene.bbox;
  const lat = (s + n) / 2;
  let metres = Math.abs(scene.grid.geotransform[1]);
  if (scene.crs.geographic) metres *= 111_320 * Math.cos((lat * Math.PI) / 180);
  const maxzoom = Math.min(24, zoomForResolution(metres, lat));
  void w;
  void e;
  return { minzoom: Math.max(0, maxzoom - 6), maxzoom };
}

export function tileJson(scene: Scene, name: string, template: string, description: string, attribution: string) {
  const { minzoom, maxzoom } = zoomRange(scene);
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
