/** Decorates `app.layers` (services/layers/registry.ts): the vector layers read by the OGC and download routes. */
import fp from 'fastify-plugin';
import type { FastifyInstance } from 'fastify';
import { LayerRegistry } from '../services/layers/registry.js';

declare module 'fastify' {
  interface FastifyInstance {
    /** the vector layers, shared by the OGC and download routes (registered once the regions, reports and uncertain places are) */
    layers: LayerRegistry;
  }
}

async function layersPlugin(app: FastifyInstance) {
  app.decorate('layers', new LayerRegistry(app));
}

export default fp(layersPlugin, { name: 'granary-layers' });
