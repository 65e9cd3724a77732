/** Decorates `app.uncertainPlaces` (services/uncertain-places.ts) on the app's catalog, models and worker pool. */
import fp from 'fastify-plugin';
import type { FastifyInstance } from 'fastify';
import { UncertainPlacesService } from '../services/uncertain-places.js';

declare module 'fastify' {
  interface FastifyInstance {
    uncertainPlaces: UncertainPlacesService;
  }
}

async function uncertainPlacesPlugin(app: FastifyInstance) {
  app.decorate('uncertainPlaces', new UncertainPlacesService({ catalog: app.catalog, models: app.models, pool: app.pool }));
}

export default fp(uncertainPlacesPlugin, { name: 'granary-uncertain-places' });
