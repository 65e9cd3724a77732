/** Point -> region lookup over loaded regions (bbox prefilter, then Turf point-in-polygon). Pure. */
import { bbox as turfBbox, booleanPointInPolygon, point } from '@turf/turf';
import type { RegionFeature } from './load.js';

export interface RegionRef {
  id: string;
  name: string;
}

export function regionLookup(regions: readonly RegionFeature[], bboxOf: (id: string) => readonly number[] = (id) => turfBbox(regions.find((r) => r.id === id)!)): (lon: number, lat: number) => RegionRef | null {
  const boxes = regions.map((r) => [r, bboxOf(r.id)] as const);
  return (lon, lat) => {
    const p = point([lon, lat]);
    for (const [r, [w, s, e, n]] of boxes) {
      if (lon < w! || lon > e! || lat < s! || lat > n!) continue;
      if (booleanPointInPolygon(p, r as never)) return { id: r.id, name: r.properties.name };
    }
    return null;
  };
}
