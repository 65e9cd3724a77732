/**
 * Yield outlook (server/outlook):
 *   GET /api/outlook[?crop=soy]            every municipality with a start-of-season product: available or why not
 *   GET /api/outlook/{regionId}[?crop=soy] seasons, model, leave-one-season-out error, the outlook with its error
 */
import type { FastifyInstance } from 'fastify';
import { Type, type Static } from 'typebox';
import { problemResponses } from '../schemas.js';
import { pamPanel } from '../../stats/pam.js';
import { seasonSignal, yieldOutlook, SIGNAL_METHOD, MIN_SEASONS, type OutlookResult } from '../../outlook/model.js';

const N = <T extends Parameters<typeof Type.Union>[0][number]>(t: T) => Type.Union([t, Type.Null()]);
const Result = Type.Object({
  regionId: Type.String(),
  name: Type.String(),
  crop: Type.String(),
  signal: Type.String(),
  available: Type.Boolean(),
  reason: N(Type.String()),
  seasons: Type.Array(Type.Object({ season: Type.Integer(), harvestYear: Type.Integer(), signal: N(Type.Number()), observedYieldKgHa: N(Type.Number()), predictedYieldKgHa: N(Type.Number()), looPredictedKgHa: N(Type.Number()), looErrorKgHa: N(Type.Number()), baselineLooKgHa: N(Type.Number()) })),
  model: N(Type.Object({ intercept: Type.Number(), slopeKgHaPerNdvi: Type.Number(), slopeCi95: N(Type.Tuple([Type.Number(), Type.Number()])), n: Type.Integer() })),
  validation: N(Type.Object({ method: Type.String(), n: Type.Integer(), rmseKgHa: Type.Number(), maeKgHa: Type.Number(), baselineRmseKgHa: Type.Number(), skillVsBaseline: Type.Number(), beatsBaseline: Type.Boolean() })),
  outlook: N(Type.Object({ season: Type.Integer(), predictedYieldKgHa: Type.Number(), plusMinusKgHa: Type.Number(), note: Type.String() })),
  notes: Type.Array(Type.String()),
});
const Query = Type.Object({ crop: Type.Optional(Type.String({ maxLength: 20, description: 'soy | maize (default soy)' })) });
const Params = Type.Object({ regionId: Type.String({ pattern: '^[0-9]{7}$' }) });

export default async function outlookRoutes(app: FastifyInstance) {
  const tags = ['outlook'];
  const answer = (regionId: string, crop: string): Static<typeof Result> => {
    const region = app.regions.get(regionId);
    app.regions.checkCrop(crop);
    const yields = pamPanel(app.regions, crop).get(region.id)!;
    // one product only (the one with the most seasons here): products image different parts of a municipality
    const product = app.phenology.list().map((p) => ({ p, n: (p.regionSeries ?? []).filter((r) => r.regionId === region.id).length })).sort((a, b) => b.n - a.n)[0];
    const series = product && product.n > 0 ? product.p.regionSeries.filter((r) => r.regionId === region.id) : [];
    const bySeason = new Map<number, number | null>();
    for (const s of series) bySeason.set(s.season, seasonSignal(s.dates, s.mean));
    const points = [...bySeason].sort((a, b) => a[0] - b[0]).map(([season, signal]) => ({ season, signal, yieldKgHa: yields.get(season + 1) ?? null }));
    const r: OutlookResult = points.length === 0
      ? { available: false, reason: `no imagery season covers ${region.properties.name}: the bundled imagery covers Sinop, Sorriso, Cláudia and Ipiranga do Norte`, seasons: [], model: null, validation: null, outlook: null }
      : yieldOutlook(points);
    const notes = [
      'the vegetation signal comes only from the imaged part of the municipality (Ipiranga do Norte: the 8.6 x 6.3 km dtwSat window), whatever grows there',
      `PAM yields are municipal averages of the harvest year (season + 1); a validated outlook needs ${MIN_SEASONS} seasons with both`,
    ];
    if (product && product.n > 0) notes.unshift(`imagery: scene ${product.p.scene} (${product.n} season(s) over this municipality)`);
    return { regionId: region.id, name: region.properties.name, crop, signal: SIGNAL_METHOD, ...r, notes };
  };

  app.get<{ Querystring: Static<typeof Query> }>('/api/outlook', {
    schema: { tags, summary: 'Yield outlook for every municipality with imagery: available (with its validated error) or why not', querystring: Query, response: { 200: Type.Object({ results: Type.Array(Result) }), ...problemResponses } },
  }, async (req) => {
    const ids = [...new Set(app.phenology.list().flatMap((p) => (p.regionSeries ?? []).map((r) => r.regionId)))].sort();
    return { results: ids.map((id) => answer(id, req.query.crop ?? 'soy')) };
  });

  app.get<{ Params: Static<typeof Params>; Querystring: Static<typeof Query> }>('/api/outlook/:regionId', {
    schema: { tags, summary: 'Municipal yield from the season\'s vegetation signal, validated leave-one-season-out, its error beside the outlook; says when there are too few seasons', params: Params, querystring: Query, response: { 200: Result, ...problemResponses } },
  }, async (req) => answer(req.params.regionId, req.query.crop ?? 'soy'));
}
