/**
 * Validity checks (and the one repair we allow) for WGS84 (Multi)Polygons before zonal statistics.
 *
 * Turf's `booleanValid` only answers yes/no and does not see a hole lying outside its shell (it
 * passes the Barra do Bugres boundary), so the checks are composed here from Turf's `kinks`
 * (segment intersections) and `booleanPointInPolygon`, to name the feature, ring and problem.
 * Note: `kinks` is O(n^2) in the number of vertices; callers accepting user geometry should cap it.
 */
import { booleanPointInPolygon, kinks, polygon as turfPolygon } from '@turf/turf';
import type { MultiPolygon, Polygon, Position } from 'geojson';

type GeometryProblem =
  | 'not-a-polygon'
  | 'empty'
  | 'too-few-positions'
  | 'unclosed-ring'
  | 'bad-coordinate'
  | 'self-intersection'
  | 'rings-cross'
  | 'part-inside-part'
  | 'hole-outside-shell';

/** A geometry we refuse to compute on; the HTTP layer maps it to 400. */
export class InvalidGeometryError extends Error {
  override readonly name = 'InvalidGeometryError';
  constructor(
    readonly featureIndex: number,
    readonly problem: GeometryProblem,
    message: string,
    /** [lon, lat] of the first offending location, when there is one */
    readonly location?: [number, number],
  ) {
    super(message);
  }
}

/**
 * What to do with a hole ring lying entirely outside its shell:
 * - 'promote': make it a polygon of its own. Right when the ring is really an outer ring mis-encoded
 *   as a hole (Barra do Bugres: same orientation as its shell, borders four neighbours, inside none).
 * - 'drop': discard it (treat it as noise).
 * - 'reject': throw InvalidGeometryError.
 */
export type HoleOutsideShellPolicy = 'promote' | 'drop' | 'reject';

export interface RepairNote {
  featureIndex: number;
  polygonIndex: number;
  ringIndex: number;
  problem: 'hole-outside-shell';
  action: 'promoted-to-polygon' | 'dropped';
  message: string;
}

interface CheckedPolygon {
  /** MultiPolygon coordinates after repair, consecutive duplicate positions removed */
  polygons: Position[][][];
  notes: RepairNote[];
  vertexCount: number;
}

interface CheckOptions {
  featureIndex?: number;
  holeOutsideShell?: HoleOutsideShellPolicy;
}

const fmt = (p: Position): string => `(${p[0]}, ${p[1]})`;

/** Validate a WGS84 Polygon/MultiPolygon; throws InvalidGeometryError, or returns repaired parts. */
export function checkPolygonGeometry(geometry: Polygon | MultiPolygon, options: CheckOptions = {}): CheckedPolygon {
  const fi = options.featureIndex ?? 0;
  const policy = options.holeOutsideShell ?? 'promote';
  const where = `feature ${fi}`;
  if (!geometry || (geometry.type !== 'Polygon' && geometry.type !== 'MultiPolygon')) {
    throw new InvalidGeometryError(fi, 'not-a-polygon', `${where}: geometry type ${String((geometry as { type?: unknown } | null)?.type)} is not Polygon or MultiPolygon`);
  }
  const parts: Position[][][] = geometry.type === 'Polygon' ? [geometry.coordinates] : geometry.coordinates;
  if (!Array.isArray(parts) || parts.length === 0) throw new InvalidGeometryError(fi, 'empty', `${where}: no coordinates`);

  let vertexCount = 0;
  const cleaned: Position[][][] = parts.map((rings, pi) => {
    if (!Array.isArray(rings) || rings.length === 0) throw new InvalidGeometryError(fi, 'empty', `${where}: polygon ${pi} has no rings`);
    return rings.map((ring, ri) => {
      const label = `${where}: polygon ${pi} ring ${ri}`;
      if (!Array.isArray(ring) || ring.length < 4) {
        throw new InvalidGeometryError(fi, 'too-few-positions', `${label} has ${Array.isArray(ring) ? ring.length : 0} positions; a closed ring needs at least 4`);
      }
      for (const [k, p] of ring.entries()) {
        const lon = p?.[0];
        const lat = p?.[1];
        if (typeof lon !== 'number' || typeof lat !== 'number' || !Number.isFinite(lon) || !Number.isFinite(lat) || Math.abs(lon) > 180 || Math.abs(lat) > 90) {
          throw new InvalidGeometryError(fi, 'bad-coordinate', `${label} position ${k} ${JSON.stringify(p)} is not a finite WGS84 longitude/latitude`);
        }
      }
      const first = ring[0]!;
      const last = ring[ring.length - 1]!;
      if (first[0] !== last[0] || first[1] !== last[1]) {
        throw new InvalidGeometryError(fi, 'unclosed-ring', `${label} is not closed: first ${fmt(first)} != last ${fmt(last)}`, [first[0]!, first[1]!]);
      }
      // Repeated consecutive positions would make kinks() report false self-intersections.
      const out: Position[] = [first];
      for (let k = 1; k < ring.length; k++) {
        const p = ring[k]!;
        const q = out[out.length - 1]!;
        if (p[0] !== q[0] || p[1] !== q[1]) out.push([p[0]!, p[1]!]);
      }
      if (out.length < 4) throw new InvalidGeometryError(fi, 'too-few-positions', `${label} has fewer than 3 distinct positions`);
      vertexCount += out.length;
      return out;
    });
  });

  // Self-intersections, ring by ring, then crossings between rings (kinks on the whole geometry).
  cleaned.forEach((rings, pi) =>
    rings.forEach((ring, ri) => {
      const k = kinks({ type: 'LineString', coordinates: ring }).features;
      if (k.length > 0) {
        const at = k[0]!.geometry.coordinates as [number, number];
        throw new InvalidGeometryError(fi, 'self-intersection', `${where}: polygon ${pi} ring ${ri} self-intersects at ${fmt(at)} (${k.length} intersection point(s))`, at);
      }
    }),
  );
  const all = kinks({ type: 'MultiPolygon', coordinates: cleaned }).features;
  if (all.length > 0) {
    const at = all[0]!.geometry.coordinates as [number, number];
    throw new InvalidGeometryError(fi, 'rings-cross', `${where}: rings cross or touch each other at ${fmt(at)} (${all.length} intersection point(s))`, at);
  }

  // Holes outside their shell (no crossings remain, so one vertex strictly inside/outside decides).
  const notes: RepairNote[] = [];
  const result: Position[][][] = [];
  const promoted: Position[][][] = [];
  cleaned.forEach((rings, pi) => {
    const shell = rings[0]!;
    const shellPoly = turfPolygon([shell]);
    const kept: Position[][] = [shell];
    rings.slice(1).forEach((hole, h) => {
      const ri = h + 1;
      if (ringInside(hole, shellPoly) !== false) {
        kept.push(hole);
        return;
      }
      const base = `${where}: polygon ${pi} ring ${ri} is a hole lying outside its shell`;
      if (policy === 'reject') throw new InvalidGeometryError(fi, 'hole-outside-shell', base, [hole[0]![0]!, hole[0]![1]!]);
      if (policy === 'promote') {
        promoted.push([hole]);
        notes.push({ featureIndex: fi, polygonIndex: pi, ringIndex: ri, problem: 'hole-outside-shell', action: 'promoted-to-polygon', message: `${base}; treated as a separate outer ring (exclave)` });
      } else {
        notes.push({ featureIndex: fi, polygonIndex: pi, ringIndex: ri, problem: 'hole-outside-shell', action: 'dropped', message: `${base}; hole dropped` });
      }
    });
    result.push(kept);
  });
  result.push(...promoted);

  // A part nested inside another part (not inside one of its holes) would be counted twice.
  for (let i = 0; i < result.length; i++) {
    for (let j = 0; j < result.length; j++) {
      if (i === j) continue;
      if (ringInside(result[i]![0]!, turfPolygon(result[j]!)) === true) {
        throw new InvalidGeometryError(fi, 'part-inside-part', `${where}: polygon ${i} lies inside polygon ${j} (overlapping parts)`, [result[i]![0]![0]![0]!, result[i]![0]![0]![1]!]);
      }
    }
  }
  return { polygons: result, notes, vertexCount };
}

/** true if the ring lies inside `poly`, false if outside, undefined if all its vertices are on the boundary. */
function ringInside(ring: Position[], poly: ReturnType<typeof turfPolygon>): boolean | undefined {
  for (const p of ring) {
    if (booleanPointInPolygon(p, poly, { ignoreBoundary: true })) return true;
    if (!booleanPointInPolygon(p, poly, { ignoreBoundary: false })) return false;
  }
  return undefined;
}
