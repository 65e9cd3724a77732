/** Which municipality contains a point (even-odd ray casting over the polygon rings; holes count). */
import type { MultiPolygon, Polygon, Position } from 'geojson';
import type { RegionFeature } from './types';

function inRing(ring: Position[], x: number, y: number): boolean {
  let c = false;
  for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
    const [xi, yi] = ring[i] as [number, number];
    const [xj, yj] = ring[j] as [number, number];
    if (yi > y !== yj > y && x < ((xj - xi) * (y - yi)) / (yj - yi) + xi) c = !c;
  }
  return c;
}

function inPolygon(g: Polygon | MultiPolygon, x: number, y: number): boolean {
  const polys = g.type === 'Polygon' ? [g.coordinates] : g.coordinates;
  return polys.some((rings) => rings.reduce((inside, ring) => (inRing(ring, x, y) ? !inside : inside), false));
}

export function regionContaining(features: readonly RegionFeature[], lon: number, lat: number): RegionFeature | null {
  return features.find((f) => inPolygon(f.geometry, lon, lat)) ?? null;
}
