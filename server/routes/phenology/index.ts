/**
 * When to plant: start of season (server/phenology).
 *   GET /api/phenology                      products (one per scene), their method and tile links
 *   GET /api/phenology/point?lon&lat        a field's start of season per season, against its municipality
 *                                           and the usual window of its class there
 *   GET /api/phenology/regions/{regionId}   a municipality's start of season per season, class windows (json|csv)
 * Tiles are the `<scene>-sos` scenes: /tiles/<scene>-sos/{z}/{x}/{y}.png?variable=sos&colormap=viridis&rescale=0,180
 */
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { join } from 'node:path';
import type { Static } from 'typebox';
import { CsvText, CSV_MEDIA, media, problemResponses } from '../../contract/common.js';
import { GranaryError } from '../../errors.js';
import { pixelAt } from '../../pipeline/point.js';
import { taskOptions } from '../../workers/request-options.js';
import { modelTask } from '../../services/model-task.js';
import type { PointMessage } from '../../workers/crop-tasks.js';
import { PhenologyService } from '../../phenology/service.js';
import { seasonsOf, startOfSeason, SOS_METHOD } from '../../phenology/sos.js';
import { compareToWindow, dateOf } from '../../phenology/windows.js';
import { sendCsv, wantsCsv } from '../layers/http.js';
import { PointQuery, PointResponse, ProductList, RegionParams, RegionQuery, RegionResponse } from './schemas.js';

declare module 'fastify' {
  interface FastifyInstance {
    phenology: PhenologyService;
  }
}

export const SOS_COLORMAP = { name: 'viridis', rescale: [0, 180] as [number, number], unit: 'days since 1 September (0 = 1 Sep, 30 = 1 Oct, 61 = 1 Nov, 91 = 1 Dec, 122 = 1 Jan)' };

async function phenologyRoutes(app: FastifyInstance) {
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

  app.get<{ Querystring: Static<typeof PointQuery> }>('/api/phenology/point', {
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

  app.get<{ Params: Static<typeof RegionParams>; Querystring: Static<typeof RegionQuery> }>('/api/phenology/regions/:regionId', {
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
}

export default fp(phenologyRoutes, { name: 'granary-phenology', dependencies: ['granary-regions', 'granary-region-lookup'] });
