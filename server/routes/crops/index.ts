/**
 * Model cards and crop tiles: validate -> model + season -> cache key (304 early) -> worker
 * (classify native blocks, majority at low zoom, colour by the card) -> headers.
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Static } from 'typebox';
import { problemResponses } from '../../contract/common.js';
import { CropQuery, CropTileJson, CropTileJsonQuery, CropTileParams, ModelCardResponse, ModelParams, ModelsResponse } from '../../contract/crops.js';
import { PngTile, SceneParams } from '../../contract/tiles.js';
import { parseTile } from '../tiles/tile-address.js';
import { tileJson } from '../tiles/tilejson.js';
import { sendCachedTile } from '../../services/tile-delivery.js';
import { modelTask, publicCard } from '../../services/model-task.js';
import { originOf } from '../origin.js';
import { taskOptions } from '../../workers/request-options.js';
import { cropBlockKey } from '../../workers/affinity.js';

export default (async function cropRoutes(app) {
  app.get('/api/models', { schema: { tags: ['crops'], summary: 'Installed models (cards in brief) and any refused model with the reason', response: { 200: ModelsResponse } } }, async () => {
    const models = await app.models.list();
    return {
      models: models.map((m) => ({ id: m.id, title: m.card.title, variables: m.variables, steps: m.steps, classes: m.card.classes, metrics: m.card.metrics, sha256: m.sha256 })),
      problems: app.models.problems,
    };
  });

  app.get('/api/models/:modelId', {
    schema: { tags: ['crops'], summary: 'A model card: inputs, classes with colours, metrics on location-grouped validation, training data and licence, sha256', params: ModelParams, response: { 200: ModelCardResponse, ...problemResponses } },
  }, async (req) => publicCard(await app.models.get(req.params.modelId)));

  const cropTile = (layer: 'class' | 'confidence') => async (req: FastifyRequest<{ Params: Static<typeof CropTileParams>; Querystring: Static<typeof CropQuery> }>, reply: FastifyReply) => {
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
    response: { 200: PngTile, ...problemResponses },
  });
  // PNG tiles: no compression hook (plugins/compression.ts)
  app.get('/tiles/:sceneId/crops/:z/:x/:y', { compress: false, schema: tileSchema('Crop-type tile in the model card\'s colours') }, cropTile('class'));
  app.get('/tiles/:sceneId/crops/confidence/:z/:x/:y', { compress: false, schema: tileSchema('Model confidence tile (top-class probability, colormap "confidence")') }, cropTile('confidence'));

  app.get('/tiles/:sceneId/crops/tilejson.json', {
    schema: {
      tags: ['crops'],
      summary: 'TileJSON 3.0.0 for the crop (or confidence) layer',
      params: SceneParams,
      querystring: CropTileJsonQuery,
      response: { 200: CropTileJson, ...problemResponses },
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
}) satisfies FastifyPluginAsyncTypebox;
