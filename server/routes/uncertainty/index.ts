/**
 * Where new labels help most (docs/data-centric.md):
 *
 *   GET /tiles/{sceneId}/crops/uncertainty/{z}/{x}/{y}.png?model=&season=&measure=entropy|margin|confidence
 *       the model's uncertainty (0 dark .. 1 bright, colormap magma); mean over the footprint when zoomed out
 *   GET /api/uncertain-places/{sceneId}.geojson?model=&season=&measure=&n=50&spacing=8
 *       the N native places (3 x 3 clusters) with the highest uncertainty, spread out by non-maximum
 *       suppression, with their top-2 classes: where a field visit improves the map most
 *
 * Both are computed in a worker from the same classified blocks as the crop tiles. The places are
 * also the `uncertain-places` collection (server/services/layers/field-reports.ts uncertainPlacesLayer).
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { problemResponses } from '../../contract/common.js';
import { PngTile } from '../../contract/tiles.js';
import { PlacesGeojson, PlacesParams, PlacesQuery, UncertaintyTileParams, UncertaintyTileQuery } from '../../contract/uncertainty.js';
import { parseTile } from '../tiles/tile-address.js';
import { sendCachedTile } from '../../services/tile-delivery.js';
import { modelTask } from '../../services/model-task.js';
import { GEOJSON_TYPE } from '../layers/http.js';
import { badRequest } from '../../errors.js';
import { taskOptions } from '../../workers/request-options.js';
import { cropBlockKey } from '../../workers/affinity.js';

import { placesFeatures } from '../../services/uncertain-places.js';

export default (async function uncertaintyRoutes(app) {
  const tags = ['crops'];
  app.get(
    '/tiles/:sceneId/crops/uncertainty/:z/:x/:y',
    {
      compress: false, // a PNG (plugins/compression.ts)
      schema: {
        tags,
        summary: 'Model uncertainty tile: where new labels help most (colormap magma: dark = certain, bright = uncertain)',
        description: 'measure=entropy (normalised entropy, default), margin (1 - (p1 - p2)) or confidence (1 - top-class probability). Zoomed out, the mean over the native pixels inside each output pixel.',
        params: UncertaintyTileParams,
        querystring: UncertaintyTileQuery,
        response: { 200: PngTile, ...problemResponses },
      },
    },
    async (req, reply) => {
      const t = parseTile(req.params, app.config.maxZoom, ['png']);
      const scene = await app.catalog.get(req.params.sceneId);
      const model = await app.models.get(req.query.model);
      const measure = req.query.measure ?? 'entropy';
      const { choice, ref, inputs } = modelTask(model, scene, req.query.season);
      const key = `crop|uncertainty-${measure}|${scene.id}|${scene.etag}|${model.sha256}|${choice.season}|${t.z}/${t.x}/${t.y}@${t.size}`;
      reply.header('X-Granary-Season', String(choice.season));
      return sendCachedTile(app, req, reply, key, 'image/png', () =>
        app.pool.run('crop-uncertainty-tile', { scene, model: ref, inputs, season: choice.season, measure, tile: { z: t.z, x: t.x, y: t.y, size: t.size }, session: model.session }, taskOptions(req, reply, cropBlockKey(scene, model.sha256, choice.season, t))),
      );
    },
  );

  app.get(
    '/api/uncertain-places/:file',
    {
      schema: {
        tags,
        summary: 'The N most uncertain places of a scene (3 x 3 native clusters, spread out), with their top-2 classes: where field visits improve the map most',
        params: PlacesParams,
        querystring: PlacesQuery,
        response: { 200: PlacesGeojson, ...problemResponses },
      },
    },
    async (req, reply) => {
      const scene = req.params.file.replace(/\.geojson$/, '');
      if (!scene) throw badRequest('give /api/uncertain-places/<sceneId>.geojson');
      const a = await app.uncertainPlaces.compute({ scene, ...req.query });
      const doc = {
        type: 'FeatureCollection',
        name: `uncertain-places_${a.sceneId}`,
        description: `${a.n} most uncertain places (${a.measure}, 3 x 3 mean, at least ${a.spacing} native pixels apart) of scene ${a.sceneId}, model ${a.modelId}, season ${a.season}-${a.season + 1}; mean over ${a.result.pixels} pixels: ${a.result.meanUncertainty}`,
        features: placesFeatures(a),
      };
      return reply.type(GEOJSON_TYPE).send(JSON.stringify(doc));
    },
  );
}) satisfies FastifyPluginAsyncTypebox;
