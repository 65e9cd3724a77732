/**
 * Densify WGS84 rings before projecting: GeoJSON edges are straight in longitude/latitude
 * (RFC 7946 §3.1.1), which are curves in sinusoidal or UTM, so extra vertices are interpolated
 * linearly in lon/lat until no segment is longer than `maxSegmentDeg` (in either axis).
 */
import type { Position } from 'geojson';

export function densifyRing(ring: ReadonlyArray<Position>, maxSegmentDeg: number): Position[] {
  if (!(maxSegmentDeg > 0)) throw new RangeError(`maxSegmentDeg must be > 0, got ${maxSegmentDeg}`);
  const out: Position[] = [];
  for (let i = 0; i < ring.length; i++) {
    const a = ring[i]!;
    out.push([a[0]!, a[1]!]);
    const b = ring[i + 1];
    if (!b) break;
    const span = Math.max(Math.abs(b[0]! - a[0]!), Math.abs(b[1]! - a[1]!));
    const n = Math.ceil(span / maxSegmentDeg);
    for (let k = 1; k < n; k++) {
      const t = k / n;
      out.push([a[0]! + t * (b[0]! - a[0]!), a[1]! + t * (b[1]! - a[1]!)]);
    }
  }
  return out;
}
