/** The catalog of scenes: list, one STAC Item, and (with a token) registering new scenes. */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { media, problemResponses } from '../../contract/common.js';
import { AddSceneBody, ScenesResponse, StacItem as StacItemSchema } from '../../contract/catalog.js';
import { SceneParams } from '../../contract/tiles.js';
import { requireToken } from '../../plugins/auth.js';
import { originOf } from '../origin.js';
import type { StacItem } from '../../catalog/scene.js';
import { taskOptions } from '../../workers/request-options.js';

const StacItemResponse = media('a STAC Item (application/geo+json)', { 'application/geo+json': StacItemSchema });

export default (async function sceneRoutes(app) {
  app.get('/api/scenes', {
    schema: { tags: ['catalog'], summary: 'Scenes in the catalog', response: { 200: ScenesResponse } },
  }, async () => {
    const scenes = await app.catalog.list();
    return {
      scenes: scenes.map((s) => ({
        id: s.id,
        title: s.title,
        bbox: s.bbox,
        crs: s.crs.epsg ? `EPSG:${s.crs.epsg}` : s.crs.proj4.trim(),
        variables: s.variables,
        dates: s.dates,
        width: s.grid.width,
        height: s.grid.height,
        pixelSize: [s.grid.geotransform[1], Math.abs(s.grid.geotransform[5])],
        purpose: s.purpose,
      })),
    };
  });

  app.get('/api/scenes/:sceneId', {
    schema: { tags: ['catalog'], summary: 'One scene as a STAC Item (raster and projection extensions)', params: SceneParams, response: { 200: StacItemResponse, ...problemResponses } },
  }, async (req, reply) => {
    const item = await app.catalog.item(req.params.sceneId);
    const origin = originOf(req);
    const out: StacItem = {
      ...item,
      links: [
        { rel: 'self', href: `${origin}/api/scenes/${item.id}`, type: 'application/geo+json' },
        { rel: 'tilejson', href: `${origin}/tiles/${item.id}/tilejson.json`, type: 'application/json' },
      ],
    };
    return reply.type('application/geo+json').send(out);
  });

  app.post('/api/scenes', {
    preHandler: requireToken(app.config.token),
    schema: { tags: ['catalog'], summary: 'Register COGs as a scene (needs Authorization: Bearer <token>)', body: AddSceneBody, security: [{ bearer: [] }], response: { 201: StacItemResponse, ...problemResponses } },
  }, async (req, reply) => {
    const { hrefs, replace, ...opts } = req.body;
    const item = await app.pool.run('inspect-scene', { hrefs: hrefs.map((h) => app.resolveDataHref(h)), opts, itemDir: app.catalog.dir }, taskOptions(req, reply));
    await app.catalog.save(item, { replace: replace ?? false });
    return reply.code(201).header('Location', `/api/scenes/${item.id}`).type('application/geo+json').send(item);
  });
}) satisfies FastifyPluginAsyncTypebox;
