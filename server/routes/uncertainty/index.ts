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
 * also the `uncertain-places` collection (server/routes/collections/uncertain-places.ts).
 */
import type { FastifyInstance } from 'fastify';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { problemResponses } from '../../contract/common.js';
import { PngTile } from '../../contract/tiles.js';
import { DEFAULT_PLACES, DEFAULT_SPACING, MAX_PLACES, PlacesGeojson, PlacesParams, PlacesQuery, UNCERTAINTY_MEASURES, UncertaintyTileParams, UncertaintyTileQuery } from '../../contract/uncertainty.js';
import { parseTile } from '../tiles/tile-address.js';
import { sendCachedTile } from '../../services/tile-delivery.js';
import { modelTask } from '../../services/model-task.js';
import { GEOJSON_TYPE } from '../layers/http.js';
import { badRequest } from '../../errors.js';
import type { UncertainPlacesResult, UncertaintyMeasure } from '../../pipeline/uncertainty.js';
import { taskOptions } from '../../workers/request-options.js';
import { cropBlockKey } from '../../workers/affinity.js';

interface PlacesRequest {
  scene: string;
  model?: string | undefined;
  season?: number | undefined;
  measure?: UncertaintyMeasure | undefined;
  n?: number | undefined;
  spacing?: number | undefined;
}

export interface PlacesAnswer {
  sceneId: string;
  sceneTitle: string;
  modelId: string;
  season: number;
  measure: UncertaintyMeasure;
  n: number;
  spacing: number;
  result: UncertainPlacesResult;
}

const memo = new WeakMap<object, Map<string, Promise<PlacesAnswer>>>();
const latest = new WeakMap<object, PlacesAnswer>();

/** Computes (in a worker) or reuses the uncertain places of a scene. */
export async function computeUncertainPlaces(app: FastifyInstance, q: PlacesRequest): Promise<PlacesAnswer> {
  if (q.measure !== undefined && !UNCERTAINTY_MEASURES.includes(q.measure)) throw badRequest(`measure must be one of ${UNCERTAINTY_MEASURES.join(', ')}`);
  if (q.n !== undefined && !(Number.isInteger(q.n) && q.n >= 1 && q.n <= MAX_PLACES)) throw badRequest(`n must be an integer 1..${MAX_PLACES}`);
  if (q.spacing !== undefined && !(Number.isInteger(q.spacing) && q.spacing >= 0 && q.spacing <= 10_000)) throw badRequest('spacing must be an integer 0..10000 (native pixels)');
  if (q.season !== undefined && !Number.isInteger(q.season)) throw badRequest('season must be a year');
  const scene = await app.catalog.get(q.scene);
  const model = await app.models.get(q.model);
  const { choice, ref, inputs } = modelTask(model, scene, q.season);
  const measure = q.measure ?? 'entropy';
  const n = q.n ?? DEFAULT_PLACES;
  const spacing = q.spacing ?? DEFAULT_SPACING;
  const key = `${scene.id}|${scene.etag}|${model.sha256}|${choice.season}|${measure}|${n}|${spacing}`;
  let byApp = memo.get(app.pool);
  if (!byApp) memo.set(app.pool, (byApp = new Map()));
  let p = byApp.get(key);
  if (!p) {
    p = app.pool
      .run('uncertain-places', { scene, model: ref, inputs, season: choice.season, measure, n, spacing, session: model.session })
      .then((result) => {
        const a: PlacesAnswer = { sceneId: scene.id, sceneTitle: scene.title, modelId: model.id, season: choice.season, measure, n, spacing, result };
        latest.set(app.pool, a);
        return a;
      });
    p.catch(() => byApp!.delete(key));
    if (byApp.size > 64) byApp.clear();
    byApp.set(key, p);
  }
  return p;
}

/** The most recently computed answer (the collection is listed once there is one). */
export function latestPlaces(app: FastifyInstance): PlacesAnswer | null {
  return latest.get(app.pool) ?? null;
}

export function placesFeatures(a: PlacesAnswer) {
  return a.result.places.map((p) => ({
    type: 'Feature' as const,
    id: `${a.sceneId}-${p.rank}`,
    geometry: { type: 'Point' as const, coordinates: [p.lon, p.lat] as [number, number] },
    properties: {
      rank: p.rank,
      sceneId: a.sceneId,
      modelId: a.modelId,
      season: a.season,
      measure: a.measure,
      uncertainty: p.uncertainty,
      pixelUncertainty: p.pixelUncertainty,
      entropy: p.entropy,
      top1: p.top1,
      p1: p.p1,
      top2: p.top2,
      p2: p.p2,
      col: p.col,
      row: p.row,
    },
  }));
}

export default (async function uncertaintyRoutes(app) {
  const tags = ['crops'];
  app.get(
    '/tiles/:sceneId/crops/uncertainty/:z/:x/:y',
    {
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
      const a = await computeUncertainPlaces(app, { scene, ...req.query });
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
