/**
 * Model cards and crop tiles: validate -> model + season -> cache key (304 early) -> worker
 * (classify native blocks, majority at low zoom, colour by the card) -> headers.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { Type, type Static } from 'typebox';
import { problemResponses, SceneIdParam } from '../schemas.js';
import { parseTile } from '../tiles/tile-address.js';
import { tileJson } from '../tiles/tilejson.js';
import { sendCachedTile } from '../tiles/index.js';
import { chooseSeason } from '../../inference/season.js';
import { originOf } from '../origin.js';
import type { ModelEntry } from '../../inference/registry.js';
import type { Scene } from '../../catalog/scene.js';
import { taskOptions } from '../../workers/request-options.js';
import { cropBlockKey } from '../../workers/affinity.js';

const CropQuery = Type.Object(
  {
    model: Type.Optional(Type.String({ maxLength: 64, description: 'model id (see /api/models); default: the shipped NDVI+EVI model' })),
    season: Type.Optional(Type.Integer({ minimum: 1900, maximum: 2200, description: 'year the September-August season starts; default: the latest complete season of the scene' })),
  },
  { additionalProperties: true },
);
type CropQuery = Static<typeof CropQuery>;

const CropTileParams = Type.Object({
  sceneId: SceneIdParam,
  z: Type.String({ pattern: '^\\d{1,2}$' }),
  x: Type.String({ pattern: '^\\d{1,10}$' }),
  y: Type.String({ pattern: '^\\d{1,10}(@2x)?\\.png$', description: 'tile row: 12.png or 12@2x.png' }),
});
type CropTileParams = Static<typeof CropTileParams>;

/** The card without local paths, plus the file's sha256. */
export function publicCard(m: ModelEntry) {
  return { ...m.card, sha256: m.sha256 };
}

export function modelTask(m: ModelEntry, scene: Scene, season?: number) {
  const choice = chooseSeason(scene, { variables: m.variables, steps: m.steps, startMonth: m.startMonth }, season);
  return {
    choice,
    ref: { id: m.id, sha256: m.sha256, path: m.onnxPath, classes: m.card.classes },
    inputs: { variables: m.variables, dates: choice.dates, classCount: m.card.classes.length },
  };
}

export default async function cropRoutes(app: FastifyInstance) {
  app.get('/api/models', { schema: { tags: ['crops'], summary: 'Installed models (cards in brief) and any refused model with the reason' } }, async () => {
    const models = await app.models.list();
    return {
      models: models.map((m) => ({ id: m.id, title: m.card.title, variables: m.variables, steps: m.steps, classes: m.card.classes, metrics: m.card.metrics, sha256: m.sha256 })),
      problems: app.models.problems,
    };
  });

  app.get<{ Params: { modelId: string } }>('/api/models/:modelId', {
    schema: { tags: ['crops'], summary: 'A model card: inputs, classes with colours, metrics on location-grouped validation, training data and licence, sha256', params: Type.Object({ modelId: Type.String({ maxLength: 64 }) }), response: { ...problemResponses } },
  }, async (req) => publicCard(await app.models.get(req.params.modelId)));

  const cropTile = (layer: 'class' | 'confidence') => async (req: FastifyRequest<{ Params: CropTileParams; Querystring: CropQuery }>, reply: Parameters<typeof sendCachedTile>[2]) => {
    const t = parseTile(req.params, app.config.maxZoom, ['png']);
    const scene = await app.catalog.get(req.params.sceneId);
    const model = await app.models.get(req.query.model);
    const { choice, ref, inputs } = modelTask(model, scene, req.query.season);
    const key = `crop|${layer}|${scene.id}|${scene.etag}|${model.sha256}|${choice.season}|${t.z}/${t.x}/${t.y}@${t.size}`;
    reply.header('X-Granary-Season', String(choice.season));
    return sendCachedTile(app, req, reply, key, 'image/png', () =>
      app.pool.run('crop-tile', { scene, model: ref, inputs, season: choice.season, tile: { z: t.z, x: t.x, y: t.y, size: t.size }, layer, session: model.session }, taskOptions(req, reply, cropBlockKey(scene, model.sha256, choice.season, t))),
    );
  };

  const tileSchema = (what: string) => ({
    tags: ['crops'],
    summary: what,
    description: 'At zooms coarser than the data each pixel shows the majority of the full-resolution classes inside it (confidence: their mean top-class probability); finer, the nearest pixel. Transparent where there is no data.',
    params: CropTileParams,
    querystring: CropQuery,
    response: { ...problemResponses },
  });
  app.get('/tiles/:sceneId/crops/:z/:x/:y', { schema: tileSchema('Crop-type tile in the model card\'s colours') }, cropTile('class'));
  app.get('/tiles/:sceneId/crops/confidence/:z/:x/:y', { schema: tileSchema('Model confidence tile (top-class probability, colormap "confidence")') }, cropTile('confidence'));

  app.get<{ Params: { sceneId: string }; Querystring: CropQuery & { layer?: 'class' | 'confidence' } }>('/tiles/:sceneId/crops/tilejson.json', {
    schema: {
      tags: ['crops'],
      summary: 'TileJSON 3.0.0 for the crop (or confidence) layer',
      params: Type.Object({ sceneId: SceneIdParam }),
      querystring: Type.Intersect([CropQuery, Type.Object({ layer: Type.Optional(Type.Union([Type.Literal('class'), Type.Literal('confidence')])) })]),
      response: { ...problemResponses },
    },
  }, async (req) => {
    const scene = await app.catalog.get(req.params.sceneId);
    const model = await app.models.get(req.query.model);
    const { choice } = modelTask(model, scene, req.query.season);
    const path = req.query.layer === 'confidence' ? 'crops/confidence' : 'crops';
    const q = new URLSearchParams({ model: model.id, season: String(choice.season) });
    return {
      ...tileJson(scene, `${scene.title}: crops (${model.id}, season ${choice.season}-${choice.season + 1})`, `${originOf(req)}/tiles/${scene.id}/${path}/{z}/{x}/{y}.png?${q}`, `Crop types by ${model.id}`, scene.attribution),
      'granary:classes': model.card.classes,
      'granary:season': choice.season,
      'granary:seasons': choice.available,
    };
  });
}
