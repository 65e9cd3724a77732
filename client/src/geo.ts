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

/**
 * A point inside a polygon (for a point query "inside the field"): the mean of the outer ring's vertices
 * when it falls inside, else the middle of the first inside stretch of the horizontal line through it.
 */
export function pointInside(g: Polygon): { lon: number; lat: number } {
  const ring = g.coordinates[0] ?? [];
  const pts = ring.slice(0, -1).length ? ring.slice(0, -1) : ring;
  const lon = pts.reduce((s, p) => s + (p[0] ?? 0), 0) / Math.max(1, pts.length);
  const lat = pts.reduce((s, p) => s + (p[1] ?? 0), 0) / Math.max(1, pts.length);
  if (inPolygon(g, lon, lat)) return { lon, lat };
  const xs: number[] = [];
  for (const r of g.coordinates) {
    for (let i = 0, j = r.length - 1; i < r.length; j = i++) {
      const [xi, yi] = r[i] as [number, number];
      const [xj, yj] = r[j] as [number, number];
      if (yi > lat !== yj > lat) xs.push(((xj - xi) * (lat - yi)) / (yj - yi) + xi);
    }
  }
  xs.sort((a, b) => a - b);
  return xs.length >= 2 ? { lon: ((xs[0] as number) + (xs[1] as number)) / 2, lat } : { lon, lat };
}
