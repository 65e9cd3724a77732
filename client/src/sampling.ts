/**
 * A sample of places across a scene, read through /api/point, to compare one field with others:
 * a regular grid of cell centres inside the scene's footprint, fetched a few at a time, kept for
 * the page's lifetime.
 */
import { api, mapLimit } from './api';
import type { BBox, PointInfo } from './types';

const cache = new Map<string, Promise<PointInfo[]>>();

function gridPoints(bbox: BBox, n: number): Array<[number, number]> {
  const pts: Array<[number, number]> = [];
  for (let j = 0; j < n; j++)
    for (let i = 0; i < n; i++) pts.push([bbox[0] + ((i + 0.5) / n) * (bbox[2] - bbox[0]), bbox[1] + ((j + 0.5) / n) * (bbox[3] - bbox[1])]);
  return pts;
}

export function sampleScene(scene: string, bbox: BBox, model: string | null, n = 7): Promise<PointInfo[]> {
  const key = `${scene}|${model ?? ''}|${n}`;
  let p = cache.get(key);
  if (!p) {
    p = mapLimit(gridPoints(bbox, n), 4, ([lon, lat]) => api.point(lon, lat, scene, model)).then((res) =>
      res.flatMap((r) => (r.status === 'fulfilled' && Object.keys(r.value.series).length > 0 ? [r.value] : [])),
    );
    cache.set(key, p);
    // a failed sample is not cached, so a later visit tries again
    p.then((v) => v.length === 0 && cache.delete(key), () => cache.delete(key));
  }
  return p;
}
