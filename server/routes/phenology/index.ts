/**
 * When to plant: start of season (server/phenology).
 *   GET /api/phenology                      products (one per scene), their method and tile links
 *   GET /api/phenology/point?lon&lat        a pixel's start of season per season, against its municipality
 *                                           and the usual window of its class there
 *   POST /api/phenology/field               the same for a field drawn or sent as a GeoJSON polygon: the
 *                                           coverage-weighted mean of its pixels' day of season (the tiles'
 *                                           raster, through the zonal-statistics worker task)
 *   GET /api/phenology/regions/{regionId}   a municipality's start of season per season, class windows (json|csv)
 * Tiles are the `<scene>-sos` scenes: /tiles/<scene>-sos/{z}/{x}/{y}.png?variable=sos&colormap=viridis&rescale=0,180
 */
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { join } from 'node:path';
import { area as turfArea, pointOnFeature } from '@turf/turf';
import type { Feature, MultiPolygon, Polygon } from 'geojson';
import { CsvText, CSV_MEDIA, media, problemResponses } from '../../contract/common.js';
import { badRequest, GranaryError } from '../../errors.js';
import { findBand, type Scene } from '../../catalog/scene.js';
import type { ZonalTask } from '../../pipeline/zonal.js';
import { readFeatures } from '../regions/zonal.js';
import { pixelAt } from '../../pipeline/point.js';
import { taskOptions } from '../../workers/request-options.js';
import { modelTask } from '../../services/model-task.js';
import type { PointMessage } from '../../workers/crop-tasks.js';
import { PhenologyService } from '../../phenology/service.js';
import { seasonsOf, startOfSeason, SOS_METHOD } from '../../phenology/sos.js';
import { compareToWindow, dateOf } from '../../phenology/windows.js';
import { sendCsv, wantsCsv } from '../layers/http.js';
import { FIELD_LIMITS, FieldBody, FieldQuery, FieldResponse, PointQuery, PointResponse, ProductList, RegionParams, RegionQuery, RegionResponse } from '../../contract/phenology.js';
import type { PhenologyProduct } from '../../phenology/build.js';

declare module 'fastify' {
  interface FastifyInstance {
    phenology: PhenologyService;
  }
}

const SOS_COLORMAP = { name: 'viridis', rescale: [0, 180] as [number, number], unit: 'days since 1 September (0 = 1 Sep, 30 = 1 Oct, 61 = 1 Nov, 91 = 1 Dec, 122 = 1 Jan)' };

const phenologyRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const service = new PhenologyService(join(app.config.dataDir, 'phenology'));
  for (const p of service.problems) app.log.warn(p, 'phenology product not loaded');
  app.decorate('phenology', service);
  const tags = ['phenology'];

  app.get('/api/phenology', {
    schema: { tags, summary: 'Start-of-season products: method, seasons, tile links (day of season as a colour ramp)', response: { 200: ProductList, ...problemResponses } },
  }, async () => ({
    products: service.list().map((p) => ({
      scene: p.scene,
      sosScene: p.sosScene,
      variable: p.variable,
      method: p.method,
      fraction: p.fraction,
      minAmplitude: p.minAmplitude,
      seasons: p.seasons,
      tilejson: p.seasons.map((s) => ({ season: s.season, href: `/tiles/${p.sosScene}/tilejson.json?variable=sos&date=${s.season}-09-01&colormap=${SOS_COLORMAP.name}&rescale=${SOS_COLORMAP.rescale.join(',')}` })),
      samples: p.samples,
    })),
    colormap: SOS_COLORMAP,
  }));

  /** the crop class at a point: the model's (latest season it can read), or a note saying why none */
  const modelClassAt = async (scene: Scene, lon: number, lat: number, notes: string[], opts: { signal?: AbortSignal; client?: string }) => {
    let model: PointMessage['model'];
    let session: PointMessage['session'];
    try {
      const m = await app.models.get();
      const t = modelTask(m, scene);
      model = { ref: t.ref, inputs: t.inputs, season: t.choice.season };
      session = m.session;
    } catch (e) {
      if (!(e instanceof GranaryError)) throw e;
      notes.push(`no crop class from the model: ${e.message}`);
      return null;
    }
    const r = await app.pool.run('point', { scene, lon, lat, model, session } satisfies PointMessage, opts);
    return r.crop?.class ? { name: r.crop.class.name, source: `model ${r.crop.modelId}, season ${r.crop.season}` } : null;
  };

  app.get('/api/phenology/point', {
    schema: { tags, summary: 'A field\'s start of season in every season of the scene, against its municipality and the usual window of its class', querystring: PointQuery, response: { 200: PointResponse, ...problemResponses } },
  }, async (req, reply) => {
    const { lon, lat } = req.query;
    const candidates = req.query.scene ? [service.get(req.query.scene)].filter((p) => p !== undefined) : service.list();
    if (req.query.scene && candidates.length === 0) throw new GranaryError('not-found', `no start-of-season product for scene "${req.query.scene}" (products: ${service.list().map((p) => p.scene).join(', ') || 'none'}; build one with granary phenology <sceneId>)`);
    let found: { product: (typeof candidates)[number]; scene: Awaited<ReturnType<typeof app.catalog.get>> } | null = null;
    for (const product of candidates) {
      const scene = await app.catalog.get(product.scene).catch(() => null);
      if (scene && pixelAt(scene, lon, lat)) {
        found = { product, scene };
        break;
      }
    }
    if (!found) throw new GranaryError('not-found', `no start-of-season product covers ${lon}, ${lat} (products: ${candidates.map((p) => p.scene).join(', ') || 'none'}; GET /api/phenology lists their scenes)`);
    const { product, scene } = found;
    const notes: string[] = [];
    // the crop class: the caller's, else the model's at the point (latest season the model can read)
    let model: PointMessage['model'];
    let session: PointMessage['session'];
    if (!req.query.class) {
      try {
        const m = await app.models.get();
        const t = modelTask(m, scene);
        model = { ref: t.ref, inputs: t.inputs, season: t.choice.season };
        session = m.session;
      } catch (e) {
        if (!(e instanceof GranaryError)) throw e;
        notes.push(`no crop class from the model: ${e.message}`);
      }
    }
    const r = await app.pool.run('point', { scene, lon, lat, ...(model ? { model } : {}), ...(session ? { session } : {}) } satisfies PointMessage, taskOptions(req, reply));
    const series = r.series[product.variable] ?? [];
    const dates = series.map((s) => s.date!);
    const cls = req.query.class ? { name: req.query.class, source: 'query' } : r.crop?.class ? { name: r.crop.class.name, source: `model ${r.crop.modelId}, season ${r.crop.season}` } : null;
    const region = app.regionAt(lon, lat);
    const windows = region && cls ? service.windowsFor(region.id, cls.name).filter((w) => w.scene === product.scene) : [];
    if (!region) notes.push('the point is in no municipality of the regions layer');
    else if (!cls) notes.push('no class: give class= to compare with the usual window of a crop');
    else if (windows.length === 0) notes.push(`no labelled samples of ${cls.name} in ${region.name} with a start of season: no usual window to compare with`);
    const w = windows[0];
    const seasons = [...seasonsOf(dates)].filter(([, idx]) => idx.length >= 20).map(([season, idx]) => {
      const sos = startOfSeason(idx.map((i) => dates[i]!), idx.map((i) => series[i]!.value));
      const mun = region ? product.regions.find((x) => x.regionId === region.id && x.season === season) : undefined;
      return {
        season,
        status: sos.status,
        date: sos.date,
        dayOfSeason: sos.dayOfSeason,
        amplitude: sos.amplitude,
        peakDate: sos.peakDate,
        municipality: mun ? { pixelsWithSeason: mun.pixelsWithSeason, p10: mun.p10, p50: mun.p50, p90: mun.p90 } : null,
        classWindow: w && sos.dayOfSeason !== null ? { label: w.label, p10: w.p10, p50: w.p50, p90: w.p90, ...compareToWindow(sos.dayOfSeason, w) } : null,
      };
    });
    return { lon, lat, scene: scene.id, variable: product.variable, method: SOS_METHOD, pixel: { col: r.pixel!.col, row: r.pixel!.row }, region, class: cls, seasons, windows, notes };
  });

  // POST /api/phenology/field, in its own encapsulated context: it parses GeoJSON bodies and words body errors
  await app.register(async (sub) => {
    sub.addContentTypeParser('application/geo+json', { parseAs: 'string', bodyLimit: FIELD_LIMITS.maxBodyBytes }, sub.getDefaultJsonParser('error', 'error'));
    const parent = sub.errorHandler;
    sub.setErrorHandler((err: FastifyError, req: FastifyRequest, reply: FastifyReply) => {
      if (err.code === 'FST_ERR_CTP_BODY_TOO_LARGE') return parent.call(sub, new GranaryError('payload-too-large', `the body exceeds ${FIELD_LIMITS.maxBodyBytes} bytes: send one field's polygon`) as never, req, reply);
      if (err.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') return parent.call(sub, badRequest(`Content-Type ${String(req.headers['content-type']).slice(0, 60)} is not supported: send application/geo+json or application/json`) as never, req, reply);
      if (err instanceof SyntaxError || err.code === 'FST_ERR_CTP_EMPTY_JSON_BODY') return parent.call(sub, badRequest(`malformed GeoJSON: the body is not valid JSON (${err.message})`) as never, req, reply);
      return parent.call(sub, err, req, reply);
    });
    sub.withTypeProvider<import('@fastify/type-provider-typebox').TypeBoxTypeProvider>().post('/api/phenology/field', {
      bodyLimit: FIELD_LIMITS.maxBodyBytes,
      schema: {
        tags,
        summary: 'A field\'s start of season (GeoJSON polygon) in every season of the imagery, against its municipality and the usual window of its class',
        description: `Body: a GeoJSON Feature (or a bare Polygon/MultiPolygon geometry) in WGS84, at most ${FIELD_LIMITS.maxVertices} vertices and ${FIELD_LIMITS.maxAreaHa} ha (a field, not a region: 413 beyond, like a body over ${FIELD_LIMITS.maxBodyBytes / 1024} KB). The field's start of season per season is the mean of its pixels' day of season in the start-of-season raster the tiles draw, weighted by exact coverage fraction x pixel area; earliest and latest pixel are given, and the share of the field without a season.`,
        querystring: FieldQuery,
        body: FieldBody,
        response: { 200: FieldResponse, 413: problemResponses[400], ...problemResponses },
      },
    }, async (req, reply) => {
      const body = req.body as { type?: unknown } | null;
      const asFeature = body && typeof body === 'object' && (body.type === 'Polygon' || body.type === 'MultiPolygon') ? { type: 'Feature', properties: {}, geometry: body } : body;
      const { kind, inputs } = readFeatures(asFeature);
      if (kind !== 'Feature' || inputs.length !== 1) throw badRequest('send one field: a GeoJSON Feature or a Polygon/MultiPolygon geometry, not a FeatureCollection');
      const input = inputs[0]!;
      const geometry = input.feature.geometry;
      const vertices = (geometry.type === 'Polygon' ? [geometry.coordinates] : geometry.coordinates).reduce((a, rings) => a + rings.reduce((b, r) => b + r.length, 0), 0);
      if (vertices > FIELD_LIMITS.maxVertices) throw new GranaryError('payload-too-large', `${vertices} vertices; a field may have at most ${FIELD_LIMITS.maxVertices} (simplify it)`);
      const areaHa = turfArea(input.feature) / 1e4;
      if (areaHa > FIELD_LIMITS.maxAreaHa) throw new GranaryError('payload-too-large', `the polygon covers ${Math.round(areaHa)} ha; a field may cover at most ${FIELD_LIMITS.maxAreaHa} ha (for a municipality use GET /api/phenology/regions/{id})`);
      const [clon, clat] = pointOnFeature(input.feature as Feature<Polygon | MultiPolygon>).geometry.coordinates as [number, number];
      const centre = { lon: Math.round(clon * 1e5) / 1e5, lat: Math.round(clat * 1e5) / 1e5 };

      const overlaps = (b: readonly number[]) => input.bbox[0] <= b[2]! && input.bbox[2] >= b[0]! && input.bbox[1] <= b[3]! && input.bbox[3] >= b[1]!;
      const candidates = req.query.scene ? [service.get(req.query.scene)].filter((p): p is PhenologyProduct => p !== undefined) : service.list();
      if (req.query.scene && candidates.length === 0) throw new GranaryError('not-found', `no start-of-season product for scene "${req.query.scene}" (products: ${service.list().map((p) => p.scene).join(', ') || 'none'})`);
      const opts = taskOptions(req, reply);
      let best: { product: PhenologyProduct; sos: Scene; source: Scene; r: Awaited<ReturnType<typeof app.pool.run<'zonal-stats'>>>[number]; crop: Awaited<ReturnType<typeof app.cropMaps.find>> } | null = null;
      for (const product of candidates) {
        const sos = await app.catalog.get(product.sosScene).catch(() => null);
        const source = await app.catalog.get(product.scene).catch(() => null);
        if (!sos || !source || !overlaps(sos.bbox)) continue;
        const bands = product.seasons.map((x) => {
          const ref = findBand(sos, 'sos', `${x.season}-09-01`);
          return { asset: ref.asset, band: { key: String(x.season), sample: ref.sample, scale: ref.band.scale, offset: ref.band.offset, nodata: ref.band.nodata } };
        });
        const crop = req.query.class ? null : await app.cropMaps.find(product.scene);
        const task: ZonalTask = {
          features: [{ index: 0, geometry }],
          values: { assets: [...new Set(bands.map((b) => b.asset))].map((a) => ({ href: sos.assets[a]!.href, bands: bands.filter((b) => b.asset === a).map((b) => b.band) })), maskKeys: [] },
          classes: crop ? app.cropMaps.classSpec(crop) : null,
        };
        const [r] = await app.pool.run('zonal-stats', task, opts);
        if (r && (r.values?.coveredAreaHa ?? 0) > (best?.r.values?.coveredAreaHa ?? 0)) best = { product, sos, source, r, crop };
      }
      if (!(areaHa > 0) && !best?.r.values?.coveredAreaHa) throw badRequest('the polygon has no area');
      if (!best || !best.r.values) throw new GranaryError('not-found', `no start-of-season product covers this field (products: ${candidates.map((p) => `${p.scene}`).join(', ') || 'none'}; GET /api/phenology lists them)`);
      const { product, r, crop } = best;
      const v = best.r.values!;
      const notes = [...r.notes];
      if (v.coveredAreaHa / areaHa < 0.995) notes.push(`only ${((v.coveredAreaHa / areaHa) * 100).toFixed(1)} % of the field lies inside the imagery of scene ${product.scene}`);
      notes.push('the field\'s date is the mean over its pixels (250 m MODIS): a field smaller than a few pixels is mixed with its neighbours');

      let cls: { name: string; source: string } | null = req.query.class ? { name: req.query.class, source: 'query' } : null;
      if (!cls && crop && r.classes) {
        const top = Object.entries(r.classes.areaHaByClass).sort((a, b) => b[1] - a[1])[0];
        if (top && top[1] > 0) cls = { name: top[0], source: `crop map ${crop.modelId} (${((top[1] / Math.max(r.classes.coveredAreaHa, 1e-9)) * 100).toFixed(0)} % of the field)` };
      }
      if (!cls) cls = await modelClassAt(best.source, centre.lon, centre.lat, notes, opts);

      const region = app.regionAt(centre.lon, centre.lat);
      const windows = region && cls ? service.windowsFor(region.id, cls.name).filter((w) => w.scene === product.scene) : [];
      if (!region) notes.push('the field is in no municipality of the regions layer');
      else if (!cls) notes.push('no class: give class= to compare with the usual window of a crop');
      else if (windows.length === 0) notes.push(`no labelled samples of ${cls.name} in ${region.name} with a start of season: no usual window to compare with`);
      const w = windows[0];
      const r1 = (x: number) => Math.round(x * 10) / 10;
      const seasons = product.seasons.map(({ season }) => {
        const b = v.bands[String(season)];
        const day = b && b.mean !== null ? r1(b.mean) : null;
        const mun = region ? product.regions.find((x) => x.regionId === region.id && x.season === season) : undefined;
        return {
          season,
          dayOfSeason: day,
          date: day === null ? null : dateOf(day, season),
          earliest: b?.min ?? null,
          latest: b?.max ?? null,
          pixelsWithSeason: b?.count ?? 0,
          withoutSeasonShare: v.coveredAreaHa > 0 ? Math.round(((b?.nodataAreaHa ?? v.coveredAreaHa) / v.coveredAreaHa) * 1000) / 1000 : 1,
          municipality: mun ? { pixelsWithSeason: mun.pixelsWithSeason, p10: mun.p10, p50: mun.p50, p90: mun.p90 } : null,
          classWindow: w && day !== null ? { label: w.label, p10: w.p10, p50: w.p50, p90: w.p90, ...compareToWindow(day, w) } : null,
        };
      });
      return {
        scene: product.scene,
        sosScene: product.sosScene,
        variable: product.variable,
        method: `${SOS_METHOD}; field = mean of its pixels' day of season weighted by exact coverage fraction x pixel area`,
        field: { areaHa: Math.round(areaHa * 100) / 100, coveredAreaHa: Math.round(v.coveredAreaHa * 100) / 100, pixelCount: v.pixelCount, centre },
        region,
        class: cls,
        seasons,
        windows,
        notes,
      };
    });
  });

  app.get('/api/phenology/regions/:regionId', {
    schema: { tags, summary: 'A municipality\'s start of season per season (scene pixels inside it) and the usual window of each labelled class', params: RegionParams, querystring: RegionQuery, response: { 200: media('the distribution per season (application/json), or with format=csv one row per season', { 'application/json': RegionResponse, [CSV_MEDIA]: CsvText }), ...problemResponses } },
  }, async (req, reply) => {
    const region = app.regions.get(req.params.regionId);
    const seasons = service.list().flatMap((p) => p.regions.filter((r) => r.regionId === region.id).map((r) => ({ scene: p.scene, season: r.season, pixels: r.pixels, pixelsWithSeason: r.pixelsWithSeason, p10: r.p10, p50: r.p50, p90: r.p90, p50Date: r.p50 === null ? null : dateOf(r.p50, r.season) })));
    const windows = service.list().flatMap((p) => p.windows.filter((w) => w.regionId === region.id).map((w) => ({ ...w, scene: p.scene })));
    const notes: string[] = [];
    if (seasons.length === 0) notes.push(`no start-of-season product covers ${region.properties.name}: the bundled imagery covers Sinop, Sorriso, Cláudia and Ipiranga do Norte only`);
    else notes.push('the distribution is over every scene pixel whose centre lies in the municipality, whatever grows there (forest and pasture included); the class windows come from labelled samples');
    if (wantsCsv(req.query.format)) return sendCsv(reply, `phenology_${region.id}.csv`, seasons.map((s) => ({ regionId: region.id, name: region.properties.name, ...s })), ['regionId', 'name', 'scene', 'season', 'pixels', 'pixelsWithSeason', 'p10', 'p50', 'p90', 'p50Date']);
    return { regionId: region.id, name: region.properties.name, method: SOS_METHOD, seasons, windows, notes };
  });
};

export default fp(phenologyRoutes, { name: 'granary-phenology', dependencies: ['granary-regions', 'granary-region-lookup'] });
