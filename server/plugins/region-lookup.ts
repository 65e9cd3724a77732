/** `app.regionAt(lon, lat)`: the region containing a point (bbox prefilter, then Turf point-in-polygon). */
import fp from 'fastify-plugin';
import type { FastifyInstance } from 'fastify';
import { regionLookup as lookup, type RegionRef } from '../regions/point-lookup.js';


declare module 'fastify' {
  interface FastifyInstance {
    regionAt(lon: number, lat: number): RegionRef | null;
  }
}

async function regionLookup(app: FastifyInstance) {
  // built on first use: the regions may load after the server listens (plugins/regions.ts)
  let at: ((lon: number, lat: number) => RegionRef | null) | null = null;
  app.decorate('regionAt', (lon: number, lat: number) => (at ??= lookup(app.regions.regions, (id) => app.regions.bboxOf(id)))(lon, lat));
}

export default fp(regionLookup, { name: 'granary-region-lookup', dependencies: ['granary-regions'] });
