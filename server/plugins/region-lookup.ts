/** `app.regionAt(lon, lat)`: the region containing a point (bbox prefilter, then Turf point-in-polygon). */
import fp from 'fastify-plugin';
import type { FastifyInstance } from 'fastify';
import { booleanPointInPolygon, point } from '@turf/turf';

export interface RegionRef {
  id: string;
  name: string;
}

declare module 'fastify' {
  interface FastifyInstance {
    regionAt(lon: number, lat: number): RegionRef | null;
  }
}

async function regionLookup(app: FastifyInstance) {
  app.decorate('regionAt', (lon: number, lat: number): RegionRef | null => {
    const p = point([lon, lat]);
    for (const r of app.regions.regions) {
      const [w, s, e, n] = app.regions.bboxOf(r.id);
      if (lon < w || lon > e || lat < s || lat > n) continue;
      if (booleanPointInPolygon(p, r as never)) return { id: r.id, name: r.properties.name };
    }
    return null;
  });
}

export default fp(regionLookup, { name: 'granary-region-lookup', dependencies: ['granary-regions'] });
