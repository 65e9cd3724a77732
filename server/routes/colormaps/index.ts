/** Colormaps as legend data, from the same registry the tiles use. */
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import { problemResponses } from '../schemas.js';
import { notFound } from '../../errors.js';

export default async function colormapRoutes(app: FastifyInstance) {
  app.get('/api/colormaps', { schema: { tags: ['tiles'], summary: 'Names and legend data of every colormap' } }, async () => ({
    colormaps: app.colormaps.names().map((n) => app.colormaps.get(n)),
  }));
  app.get<{ Params: { name: string } }>('/api/colormaps/:name', {
    schema: { tags: ['tiles'], summary: 'One colormap as legend data (stops or classes with colours)', params: Type.Object({ name: Type.String({ maxLength: 64 }) }), response: { ...problemResponses } },
  }, async (req) => {
    const m = app.colormaps.get(req.params.name);
    if (!m) throw notFound(`unknown colormap "${req.params.name.slice(0, 40)}" (available: ${app.colormaps.names().join(', ')})`);
    return m;
  });
}
