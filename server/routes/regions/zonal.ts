/**
 * POST /api/zonal-stats: statistics of a scene (and of its crop map) inside caller polygons.
 *   validate body (structure, limits) -> scene, date, bands -> features outside the scene answered
 *   at once -> the rest in worker tasks (coverage + level-0 window reads, server/pipeline/zonal.ts)
 *   -> properties.stats per feature.
 */
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import type { Feature, MultiPolygon, Polygon } from 'geojson';
import { area as turfArea } from '@turf/turf';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { problemResponses } from '../../contract/common.js';
import { ZonalBody, ZonalQuery, ZonalResult } from '../../contract/zonal.js';
import { badRequest, GranaryError } from '../../errors.js';
import { findBand, pickDate, type Scene } from '../../catalog/scene.js';
import { modelBasedAreaFromCv } from '../../analytics/olofsson.js';
import type { ZonalFeatureResult, ZonalTask, ZonalValueBand } from '../../pipeline/zonal.js';
import type { CropMapEntry } from '../../regions/crop-maps.js';
import { GEOJSON_TYPE } from '../layers/http.js';
import { taskOptions } from '../../workers/request-options.js';

/**
 * maxVerticesPerFeature: the validity check (Turf kinks, server/analytics/geometry-validity.ts) is
 * quadratic in a feature's vertices; 20,000 keeps one feature to a few seconds of a worker.
 */
export const ZONAL_LIMITS = { maxFeatures: 500, maxVertices: 50_000, maxVerticesPerFeature: 20_000, maxBodyBytes: 2 * 1024 * 1024 } as const;
/** vertices per worker task: tasks are spread over the pool, and each stays well under the task timeout */
const VERTICES_PER_TASK = 5_000;
const FEATURES_PER_TASK = 50;
const MODEL_ID = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;

interface Input {
  index: number;
  feature: Feature<Polygon | MultiPolygon>;
  bbox: [number, number, number, number];
}

const tooLarge = (detail: string) => new GranaryError('payload-too-large', detail);

/** Structural checks and limits (cheap, O(vertices)); ring validity is checked in the worker. */
export function readFeatures(body: unknown): { kind: 'Feature' | 'FeatureCollection'; inputs: Input[]; members: Record<string, unknown> } {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) throw badRequest('the body must be a GeoJSON Feature or FeatureCollection (Content-Type: application/geo+json or application/json)');
  const o = body as { type?: unknown; features?: unknown };
  let features: unknown[];
  let kind: 'Feature' | 'FeatureCollection';
  if (o.type === 'FeatureCollection') {
    if (!Array.isArray(o.features)) throw badRequest('malformed GeoJSON: a FeatureCollection needs a "features" array');
    features = o.features;
    kind = 'FeatureCollection';
  } else if (o.type === 'Feature') {
    features = [o];
    kind = 'Feature';
  } else {
    throw badRequest(`malformed GeoJSON: type ${JSON.stringify(o.type ?? null)}; the body must be a Feature or a FeatureCollection of Polygon/MultiPolygon features`);
  }
  if (features.length === 0) throw badRequest('the FeatureCollection has no features');
  if (features.length > ZONAL_LIMITS.maxFeatures) throw tooLarge(`${features.length} features; the limit is ${ZONAL_LIMITS.maxFeatures} per request: split them into several requests`);
  let vertices = 0;
  const inputs = features.map((f, index): Input => {
    const where = `feature ${index}`;
    const ff = f as { type?: unknown; geometry?: { type?: unknown; coordinates?: unknown } | null; properties?: unknown };
    if (!ff || typeof ff !== 'object' || ff.type !== 'Feature') throw badRequest(`malformed GeoJSON: ${where} is not a Feature`);
    if (ff.properties !== undefined && ff.properties !== null && (typeof ff.properties !== 'object' || Array.isArray(ff.properties))) throw badRequest(`malformed GeoJSON: ${where} properties must be an object or null`);
    const g = ff.geometry;
    if (!g || typeof g !== 'object') throw badRequest(`${where} has no geometry`);
    if (g.type !== 'Polygon' && g.type !== 'MultiPolygon') throw badRequest(`${where}: geometry type ${JSON.stringify(g.type ?? null)} is not Polygon or MultiPolygon`);
    const parts = g.type === 'Polygon' ? [g.coordinates] : g.coordinates;
    if (!Array.isArray(parts) || parts.length === 0) throw badRequest(`malformed GeoJSON: ${where} has no coordinates`);
    const bbox: [number, number, number, number] = [Infinity, Infinity, -Infinity, -Infinity];
    const before = vertices;
    parts.forEach((rings, pi) => {
      if (!Array.isArray(rings) || rings.length === 0) throw badRequest(`malformed GeoJSON: ${where} polygon ${pi} has no rings`);
      rings.forEach((ring: unknown, ri: number) => {
        if (!Array.isArray(ring)) throw badRequest(`malformed GeoJSON: ${where} polygon ${pi} ring ${ri} is not an array of positions`);
        ring.forEach((p: unknown, k: number) => {
          if (!Array.isArray(p) || p.length < 2 || typeof p[0] !== 'number' || typeof p[1] !== 'number' || !Number.isFinite(p[0]) || !Number.isFinite(p[1])) {
            throw badRequest(`malformed GeoJSON: ${where} polygon ${pi} ring ${ri} position ${k} is not [longitude, latitude]`);
          }
          if (Math.abs(p[0]) > 180 || Math.abs(p[1]) > 90) throw badRequest(`${where} polygon ${pi} ring ${ri} position ${k} ${JSON.stringify(p)} is outside WGS84 longitude/latitude (GeoJSON is always WGS84)`);
          if (p[0] < bbox[0]) bbox[0] = p[0];
          if (p[1] < bbox[1]) bbox[1] = p[1];
          if (p[0] > bbox[2]) bbox[2] = p[0];
          if (p[1] > bbox[3]) bbox[3] = p[1];
        });
        vertices += ring.length;
      });
    });
    if (vertices - before > ZONAL_LIMITS.maxVerticesPerFeature) throw tooLarge(`${where} has ${vertices - before} vertices; the limit is ${ZONAL_LIMITS.maxVerticesPerFeature} per feature (the validity check is quadratic): simplify it or split it into several features`);
    if (vertices > ZONAL_LIMITS.maxVertices) throw tooLarge(`more than ${ZONAL_LIMITS.maxVertices} vertices in total (reached at feature ${index}); simplify the polygons or split the request`);
    return { index, feature: f as Feature<Polygon | MultiPolygon>, bbox };
  });
  const { type: _t, features: _f, ...members } = body as Record<string, unknown>;
  return { kind, inputs, members: kind === 'FeatureCollection' ? members : {} };
}

const vertexCount = (g: Polygon | MultiPolygon) => (g.type === 'Polygon' ? [g.coordinates] : g.coordinates).reduce((s, rings) => s + rings.reduce((t, r) => t + r.length, 0), 0);

function bandsOf(scene: Scene): { assets: Array<{ href: string; bands: ZonalValueBand[] }>; dates: Array<string | null> } {
  const dates: Array<string | null> = scene.dates.length > 0 ? scene.dates : [null];
  const byAsset = new Map<number, ZonalValueBand[]>();
  for (const v of scene.variables) {
    for (const d of dates) {
      let ref;
      try {
        ref = findBand(scene, v, d);
      } catch {
        continue; // this variable has no band at that date
      }
      const list = byAsset.get(ref.asset) ?? [];
      list.push({ key: `${v}|${d ?? ''}`, sample: ref.sample, scale: ref.band.scale, offset: ref.band.offset, nodata: ref.band.nodata });
      byAsset.set(ref.asset, list);
    }
  }
  return { assets: [...byAsset].sort((a, b) => a[0] - b[0]).map(([a, bands]) => ({ href: scene.assets[a]!.href, bands })), dates };
}

function chunks(inputs: Input[]): Input[][] {
  const out: Input[][] = [];
  let cur: Input[] = [];
  let v = 0;
  for (const i of inputs) {
    const n = vertexCount(i.feature.geometry);
    if (cur.length > 0 && (v + n > VERTICES_PER_TASK || cur.length >= FEATURES_PER_TASK)) {
      out.push(cur);
      cur = [];
      v = 0;
    }
    cur.push(i);
    v += n;
  }
  if (cur.length > 0) out.push(cur);
  return out;
}

const overlaps = (a: readonly number[], b: readonly number[]) => a[0]! <= b[2]! && a[2]! >= b[0]! && a[1]! <= b[3]! && a[3]! >= b[1]!;

const ZONAL_METHOD_NOTE = 'mean of each variable weighted by exact pixel coverage fraction x pixel area, at `date` and (series) at every date of the scene; nodata pixels are left out of the means and reported as nodataAreaHa';

function buildStats(scene: Scene, date: string | null, dates: Array<string | null>, input: Input, r: ZonalFeatureResult | null, crop: CropMapEntry | null, modelRequested: string | undefined) {
  const notes = [...(r?.notes ?? [])];
  const polygonAreaHa = r ? r.polygonAreaHa : turfArea(input.feature) / 1e4;
  const v = r?.values ?? null;
  const coveredAreaHa = v?.coveredAreaHa ?? 0;
  if (!r || coveredAreaHa === 0) notes.push(`the polygon lies entirely outside scene ${scene.id}: no pixel is covered`);
  else if (polygonAreaHa > 0 && coveredAreaHa / polygonAreaHa < 0.995) notes.push(`only ${((coveredAreaHa / polygonAreaHa) * 100).toFixed(1)} % of the polygon lies inside scene ${scene.id}`);
  const variables: Record<string, unknown> = {};
  for (const name of scene.variables) {
    const at = v?.bands[`${name}|${date ?? ''}`];
    variables[name] = {
      mean: at?.mean ?? null,
      min: at?.min ?? null,
      max: at?.max ?? null,
      count: at?.count ?? 0,
      nodataAreaHa: at?.nodataAreaHa ?? 0,
      series: dates.flatMap((d) => {
        const s = v?.bands[`${name}|${d ?? ''}`];
        if (v && !s) return [];
        return [{ date: d, mean: s?.mean ?? null, count: s?.count ?? 0 }];
      }),
    };
  }
  let crops: unknown = null;
  if (crop) {
    const c = r?.classes;
    let adjusted: unknown = null;
    if (c) {
      try {
        const est = modelBasedAreaFromCv({ mappedAreaHa: c.areaHaByClass, confusionClasses: crop.sidecar.classes.map((k) => k.name), confusion: crop.sidecar.confusionMatrix, rowsAre: 'reference' });
        adjusted = { classes: est.classes.map((k) => ({ class: k.class, adjustedAreaHa: k.adjustedAreaHa, ci95Ha: k.ci95Ha })), method: est.method, notes: est.notes };
      } catch (e) {
        notes.push(`no adjusted crop areas: ${(e as Error).message}`);
      }
    }
    crops = {
      sceneId: crop.sceneId,
      modelId: crop.modelId,
      areaHaByClass: c?.areaHaByClass ?? Object.fromEntries(crop.sidecar.classes.map((k) => [k.name, 0])),
      otherAreaHa: c?.otherAreaHa ?? 0,
      nodataAreaHa: c?.nodataAreaHa ?? 0,
      coveredAreaHa: c?.coveredAreaHa ?? 0,
      adjusted,
      method: c?.method ?? 'class areas = sum of coverage fraction x pixel area',
    };
  } else {
    notes.push(modelRequested ? `no crop map for scene ${scene.id} and model ${modelRequested} (make one with: granary cropmap ${scene.id} --model ${modelRequested})` : `no crop map exists for scene ${scene.id}`);
  }
  return {
    scene: scene.id,
    date,
    polygonAreaHa,
    coveredAreaHa,
    coveredShare: polygonAreaHa > 0 ? coveredAreaHa / polygonAreaHa : 0,
    nodataAreaHa: v?.maskNodataAreaHa ?? 0,
    pixelCount: v?.pixelCount ?? 0,
    variables,
    crops,
    notes,
    method: `${v?.method ?? 'exact coverage fractions on the scene grid'}; ${ZONAL_METHOD_NOTE}`,
  };
}

export default (async function zonalRoutes(app) {
  app.addContentTypeParser('application/geo+json', { parseAs: 'string', bodyLimit: ZONAL_LIMITS.maxBodyBytes }, app.getDefaultJsonParser('error', 'error'));
  const parent = app.errorHandler;
  app.setErrorHandler((err: FastifyError, req: FastifyRequest, reply: FastifyReply) => {
    if (err.code === 'FST_ERR_CTP_BODY_TOO_LARGE') return parent.call(app, tooLarge(`the body exceeds ${ZONAL_LIMITS.maxBodyBytes} bytes (2 MB); split the features into several requests`) as never, req, reply);
    if (err.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') return parent.call(app, badRequest(`Content-Type ${String(req.headers['content-type']).slice(0, 60)} is not supported: send application/geo+json or application/json`) as never, req, reply);
    if (err instanceof SyntaxError || err.code === 'FST_ERR_CTP_EMPTY_JSON_BODY') return parent.call(app, badRequest(`malformed GeoJSON: the body is not valid JSON (${err.message})`) as never, req, reply);
    return parent.call(app, err, req, reply);
  });

  app.post(
    '/api/zonal-stats',
    {
      bodyLimit: ZONAL_LIMITS.maxBodyBytes,
      schema: {
        tags: ['regions'],
        summary: 'Zonal statistics of a scene (and its crop map) inside GeoJSON polygons',
        description:
          `Body: a GeoJSON Feature or FeatureCollection of Polygon/MultiPolygon features in WGS84; at most ${ZONAL_LIMITS.maxFeatures} features, ${ZONAL_LIMITS.maxVertices} vertices in total (${ZONAL_LIMITS.maxVerticesPerFeature} per feature) and 2 MB (413 beyond). ` +
          'Invalid geometry is a 400 naming the feature and the problem (a hole lying outside its shell is repaired into a separate part, with a note). ' +
          'Returns the features with properties.stats: for every variable the coverage-weighted mean (and min, max, valid pixel count, nodata area) at `date`, plus `series` (the mean at every scene date); ' +
          'coveredAreaHa, nodataAreaHa (covered area where any variable is nodata at `date`), pixelCount; and, when a crop map exists for (scene, model), the area in hectares of each crop class weighted by the exact coverage fraction (crops), ' +
          'with model-based Olofsson-adjusted areas. A polygon entirely outside the scene gets an empty result with a note.',
        querystring: ZonalQuery,
        body: ZonalBody,
        response: {
          200: ZonalResult,
          413: problemResponses[400],
          ...problemResponses,
        },
      },
    },
    async (req, reply) => {
      const { kind, inputs, members } = readFeatures(req.body);
      if (req.query.model !== undefined && !MODEL_ID.test(req.query.model)) throw badRequest(`model "${req.query.model.slice(0, 80)}" is not a valid model id`);
      const scene = await app.catalog.get(req.query.scene);
      const date = pickDate(scene, req.query.date);
      const { assets, dates } = bandsOf(scene);
      const crop = await app.cropMaps.find(scene.id, req.query.model);
      const maskKeys = scene.variables.map((v) => `${v}|${date ?? ''}`);
      const inside = inputs.filter((i) => overlaps(i.bbox, scene.bbox));
      const results = new Map<number, ZonalFeatureResult>();
      await Promise.all(
        chunks(inside).map(async (group) => {
          const task: ZonalTask = {
            features: group.map((i) => ({ index: i.index, geometry: i.feature.geometry })),
            values: { assets, maskKeys },
            classes: crop ? app.cropMaps.classSpec(crop) : null,
          };
          for (const r of await app.pool.run('zonal-stats', task, taskOptions(req, reply))) results.set(r.index, r);
        }),
      );
      const out = inputs.map((i) => ({
        ...i.feature,
        properties: { ...(i.feature.properties ?? {}), stats: buildStats(scene, date, dates, i, results.get(i.index) ?? null, crop, req.query.model) },
      }));
      const doc = kind === 'Feature' ? out[0] : { type: 'FeatureCollection', ...members, scene: scene.id, date, model: crop?.modelId ?? null, features: out };
      return reply.type(GEOJSON_TYPE).send(JSON.stringify(doc));
    },
  );
}) satisfies FastifyPluginAsyncTypebox;
