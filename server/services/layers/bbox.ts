/**
 * The `bbox` query parameter (OGC API - Features / the yield-gap route): "west,south,east,north" in
 * WGS84 (CRS84), optionally with min/max heights (6 numbers, heights ignored). A box with west > east
 * crosses the antimeridian and is split in two.
 */
import { bboxPolygon, booleanIntersects } from '@turf/turf';
import type { Geometry } from 'geojson';
import { badRequest } from '../../errors.js';

export type Box = [number, number, number, number];

export function parseBbox(raw: string | undefined): Box[] | null {
  if (raw === undefined || raw === '') return null;
  const parts = String(raw).split(',').map((s) => s.trim());
  const bad = (why: string) => badRequest(`bbox "${String(raw).slice(0, 100)}" is malformed: ${why}; expected west,south,east,north in WGS84 degrees, e.g. bbox=-56,-12,-55,-11`);
  if (parts.length !== 4 && parts.length !== 6) throw bad(`${parts.length} values`);
  const n = parts.map((p) => (p === '' ? NaN : Number(p)));
  if (n.some((v) => !Number.isFinite(v))) throw bad('every value must be a number');
  const [w, s, e, nn] = parts.length === 4 ? n : [n[0]!, n[1]!, n[3]!, n[4]!];
  if (Math.abs(w!) > 180 || Math.abs(e!) > 180) throw bad('longitudes must be within -180..180');
  if (Math.abs(s!) > 90 || Math.abs(nn!) > 90) throw bad('latitudes must be within -90..90');
  if (s! > nn!) throw bad('south is greater than north');
  if (w! > e!) return [[w!, s!, 180, nn!], [-180, s!, e!, nn!]];
  return [[w!, s!, e!, nn!]];
}

const bboxOverlaps = (a: readonly number[], b: Box) => a[0]! <= b[2] && a[2]! >= b[0] && a[1]! <= b[3] && a[3]! >= b[1];

/** Exact test: does the geometry intersect any of the boxes (bbox prefilter first). */
export function intersectsBoxes(geometry: Geometry, geomBbox: readonly number[], boxes: ReadonlyArray<Box>): boolean {
  return boxes.some((b) => {
    if (!bboxOverlaps(geomBbox, b)) return false;
    // the geometry's bbox inside the box: certainly intersects
    if (geomBbox[0]! >= b[0] && geomBbox[2]! <= b[2] && geomBbox[1]! >= b[1] && geomBbox[3]! <= b[3]) return true;
    return booleanIntersects(bboxPolygon(b), { type: 'Feature', geometry, properties: {} });
  });
}
