/**
 * Geometry as RFC 7946 wants it served: WGS84, exterior rings counter-clockwise and holes clockwise
 * (§3.1.6), coordinates rounded to 6 decimals (~0.1 m, §11.2), consecutive duplicates removed after
 * rounding, and a bbox.
 */
import type { Geometry, MultiPolygon, Polygon, Position } from 'geojson';

const round6 = (v: number) => Math.round(v * 1e6) / 1e6;

/** Twice the signed area in lon/lat (positive = counter-clockwise). */
function ringSignedArea(ring: ReadonlyArray<Position>): number {
  let s = 0;
  for (let i = 0; i + 1 < ring.length; i++) s += ring[i]![0]! * ring[i + 1]![1]! - ring[i + 1]![0]! * ring[i]![1]!;
  return s;
}

function roundRing(ring: ReadonlyArray<Position>): Position[] {
  const out: Position[] = [];
  for (const p of ring) {
    const q: Position = [round6(p[0]!), round6(p[1]!)];
    const last = out[out.length - 1];
    if (!last || last[0] !== q[0] || last[1] !== q[1]) out.push(q);
  }
  const first = out[0];
  const last = out[out.length - 1];
  if (first && last && (first[0] !== last[0] || first[1] !== last[1])) out.push([first[0]!, first[1]!]);
  return out;
}

function orient(ring: Position[], ccw: boolean): Position[] {
  const a = ringSignedArea(ring);
  return (a > 0) === ccw || a === 0 ? ring : ring.slice().reverse();
}

function polygonRings(rings: ReadonlyArray<ReadonlyArray<Position>>): Position[][] {
  return rings.map((r) => roundRing(r)).filter((r) => r.length >= 4).map((r, i) => orient(r, i === 0));
}

/** RFC 7946 form of a Polygon / MultiPolygon / Point geometry (other types are only rounded). */
export function rfc7946Geometry(g: Geometry): Geometry {
  switch (g.type) {
    case 'Point':
      return { type: 'Point', coordinates: [round6(g.coordinates[0]!), round6(g.coordinates[1]!)] };
    case 'Polygon':
      return { type: 'Polygon', coordinates: polygonRings(g.coordinates) } satisfies Polygon;
    case 'MultiPolygon':
      return { type: 'MultiPolygon', coordinates: g.coordinates.map(polygonRings).filter((p) => p.length > 0) } satisfies MultiPolygon;
    case 'MultiPoint':
      return { type: 'MultiPoint', coordinates: g.coordinates.map((p) => [round6(p[0]!), round6(p[1]!)]) };
    case 'LineString':
      return { type: 'LineString', coordinates: g.coordinates.map((p) => [round6(p[0]!), round6(p[1]!)]) };
    case 'MultiLineString':
      return { type: 'MultiLineString', coordinates: g.coordinates.map((l) => l.map((p) => [round6(p[0]!), round6(p[1]!)])) };
    case 'GeometryCollection':
      return { type: 'GeometryCollection', geometries: g.geometries.map(rfc7946Geometry) };
  }
}

export function geometryBbox(g: Geometry): [number, number, number, number] {
  const b: [number, number, number, number] = [Infinity, Infinity, -Infinity, -Infinity];
  const visit = (c: unknown): void => {
    if (Array.isArray(c) && typeof c[0] === 'number') {
      const x = c[0] as number;
      const y = c[1] as number;
      if (x < b[0]) b[0] = x;
      if (y < b[1]) b[1] = y;
      if (x > b[2]) b[2] = x;
      if (y > b[3]) b[3] = y;
    } else if (Array.isArray(c)) for (const e of c) visit(e);
  };
  if (g.type === 'GeometryCollection') {
    for (const x of g.geometries) {
      const c = geometryBbox(x);
      visit([[c[0], c[1]], [c[2], c[3]]]);
    }
  } else visit(g.coordinates);
  return b;
}
