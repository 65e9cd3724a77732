/**
 * Yield outlook (server/outlook):
 *   GET /api/outlook[?crop=soy]            every municipality with a start-of-season product: available or why not
 *   GET /api/outlook/{regionId}[?crop=soy] seasons, model, leave-one-season-out error, the outlook with its error
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { problemResponses } from '../../contract/common.js';
import { OutlookList, OutlookParams, OutlookQuery, OutlookResult } from '../../contract/outlook.js';
import { pamPanel } from '../../stats/pam.js';
import { seasonSignal, yieldOutlook, SIGNAL_METHOD, MIN_SEASONS, type OutlookResult as ModelResult } from '../../outlook/model.js';

export default (async function outlookRoutes(app) {
  const tags = ['outlook'];
  const answer = (regionId: string, crop: string): OutlookResult => {
    const region = app.regions.get(regionId);
    app.regions.checkCrop(crop);
    const yields = pamPanel(app.regions, crop).get(region.id)!;
    // one product only (the one with the most seasons here): products image different parts of a municipality
    const product = app.phenology.list().map((p) => ({ p, n: (p.regionSeries ?? []).filter((r) => r.regionId === region.id).length })).sort((a, b) => b.n - a.n)[0];
    const series = product && product.n > 0 ? product.p.regionSeries.filter((r) => r.regionId === region.id) : [];
    const bySeason = new Map<number, number | null>();
    for (const s of series) bySeason.set(s.season, seasonSignal(s.dates, s.mean));
    const points = [...bySeason].sort((a, b) => a[0] - b[0]).map(([season, signal]) => ({ season, signal, yieldKgHa: yields.get(season + 1) ?? null }));
    const r: ModelResult = points.length === 0
      ? { available: false, reasonCode: 'no-imagery', usableSeasons: 0, minSeasons: MIN_SEASONS, reason: `no imagery season covers ${region.properties.name}: the bundled imagery covers Sinop, Sorriso, Cláudia and Ipiranga do Norte`, seasons: [], model: null, validation: null, outlook: null }
      : yieldOutlook(points);
    const notes = [
      'the vegetation signal comes only from the imaged part of the municipality (Ipiranga do Norte: the 8.6 x 6.3 km dtwSat window), whatever grows there',
      `PAM yields are municipal averages of the harvest year (season + 1); a validated outlook needs ${MIN_SEASONS} seasons with both`,
    ];
    if (product && product.n > 0) notes.unshift(`imagery: scene ${product.p.scene} (${product.n} season(s) over this municipality)`);
    return { regionId: region.id, name: region.properties.name, crop, signal: SIGNAL_METHOD, ...r, notes };
  };

  app.get('/api/outlook', {
    schema: { tags, summary: 'Yield outlook for every municipality with imagery: available (with its validated error) or why not', querystring: OutlookQuery, response: { 200: OutlookList, ...problemResponses } },
  }, async (req) => {
    const ids = [...new Set(app.phenology.list().flatMap((p) => (p.regionSeries ?? []).map((r) => r.regionId)))].sort();
    return { results: ids.map((id) => answer(id, req.query.crop ?? app.regions.defaultCrop)) };
  });

  app.get('/api/outlook/:regionId', {
    schema: { tags, summary: 'Municipal yield from the season\'s vegetation signal, validated leave-one-season-out, its error beside the outlook; says when there are too few seasons', params: OutlookParams, querystring: OutlookQuery, response: { 200: OutlookResult, ...problemResponses } },
  }, async (req) => answer(req.params.regionId, req.query.crop ?? app.regions.defaultCrop));
}) satisfies FastifyPluginAsyncTypebox;
