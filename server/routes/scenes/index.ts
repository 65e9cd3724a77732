/** The catalog of scenes: list, one STAC Item, and (with a token) registering new scenes. */
import type { FastifyInstance } from 'fastify';
import { Type, type Static } from 'typebox';
import { problemResponses, SceneIdParam } from '../schemas.js';
import { requireToken } from '../../plugins/auth.js';
import { originOf } from '../origin.js';
import type { StacItem } from '../../catalog/scene.js';
import { taskOptions } from '../../workers/request-options.js';

const SceneSummary = Type.Object({
  id: Type.String(),
  title: Type.String(),
  bbox: Type.Array(Type.Number(), { minItems: 4, maxItems: 4, description: 'WGS84 [west, south, east, north]' }),
  crs: Type.String({ description: 'EPSG code, or the proj4 definition for CRSs without one (e.g. MODIS sinusoidal)' }),
  variables: Type.Array(Type.String()),
  dates: Type.Array(Type.String({ description: 'ISO date' })),
  width: Type.Integer(),
  height: Type.Integer(),
  pixelSize: Type.Array(Type.Number(), { description: '[x, y] in CRS units' }),
  purpose: Type.Union([Type.Literal('data'), Type.Literal('test')], { description: "'test': a scene for tests and tiler demos (STAC property granary:purpose), not shown to the dashboard's users" }),
});

const AddSceneBody = Type.Object(
  {
    id: Type.String({ pattern: '^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$' }),
    hrefs: Type.Array(Type.String({ maxLength: 2048 }), { minItems: 1, maxItems: 64, description: 'paths inside the data directory, or allowlisted http(s) URLs' }),
    title: Type.Optional(Type.String({ maxLength: 200 })),
    variables: Type.Optional(Type.Array(Type.String({ maxLength: 64 }), { maxItems: 64 })),
    scale: Type.Optional(Type.Number()),
    offset: Type.Optional(Type.Number()),
    nodata: Type.Optional(Type.Number()),
    dates: Type.Optional(Type.Array(Type.String({ maxLength: 40 }), { maxItems: 4096 })),
    attribution: Type.Optional(Type.String({ maxLength: 400 })),
    replace: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false },
);

export default async function sceneRoutes(app: FastifyInstance) {
  app.get('/api/scenes', {
    schema: { tags: ['catalog'], summary: 'Scenes in the catalog', response: { 200: Type.Object({ scenes: Type.Array(SceneSummary) }) } },
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

  app.get<{ Params: { sceneId: string } }>('/api/scenes/:sceneId', {
    schema: { tags: ['catalog'], summary: 'One scene as a STAC Item (raster and projection extensions)', params: Type.Object({ sceneId: SceneIdParam }), response: { ...problemResponses } },
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

  app.post<{ Body: Static<typeof AddSceneBody> }>('/api/scenes', {
    preHandler: requireToken(app.config.token),
    schema: { tags: ['catalog'], summary: 'Register COGs as a scene (needs Authorization: Bearer <token>)', body: AddSceneBody, security: [{ bearer: [] }], response: { ...problemResponses } },
  }, async (req, reply) => {
    const { hrefs, replace, ...opts } = req.body;
    const item = await app.pool.run('inspect-scene', { hrefs: hrefs.map((h) => app.resolveDataHref(h)), opts, itemDir: app.catalog.dir }, taskOptions(req, reply));
    await app.catalog.save(item, { replace: replace ?? false });
    return reply.code(201).header('Location', `/api/scenes/${item.id}`).type('application/geo+json').send(item);
  });
}
