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
  app.decorate('regionAt', lookup(app.regions.regions, (id) => app.regions.bboxOf(id)));
}

export default fp(regionLookup, { name: 'granary-region-lookup', dependencies: ['granary-regions'] });
