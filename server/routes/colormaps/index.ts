/** Colormaps as legend data, from the same registry the tiles use. */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { problemResponses } from '../../contract/common.js';
import { Colormap, ColormapParams, ColormapsResponse } from '../../contract/colormaps.js';
import { notFound } from '../../errors.js';

export default (async function colormapRoutes(app) {
  app.get('/api/colormaps', { schema: { tags: ['tiles'], summary: 'Names and legend data of every colormap', response: { 200: ColormapsResponse } } }, async () => ({
    colormaps: app.colormaps.names().flatMap((n) => app.colormaps.get(n) ?? []),
  }));
  app.get('/api/colormaps/:name', {
    schema: { tags: ['tiles'], summary: 'One colormap as legend data (stops or classes with colours)', params: ColormapParams, response: { 200: Colormap, ...problemResponses } },
  }, async (req) => {
    const m = app.colormaps.get(req.params.name);
    if (!m) throw notFound(`unknown colormap "${req.params.name.slice(0, 40)}" (available: ${app.colormaps.names().join(', ')})`);
    return m;
  });
}) satisfies FastifyPluginAsyncTypebox;
