/**
 * Statistical suitability (server/suitability):
 *   GET /api/suitability?crop=soy[&region][&from][&to][&format=csv]   every municipality (or one) for a crop
 *   GET /api/suitability/{regionId}[?from][&to]                         every crop here, and "would another crop do better"
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { LRUCache } from 'lru-cache';
import { problemResponses } from '../../contract/common.js';
import { SuitabilityListQuery, SuitabilityListResult, SuitabilityOneQuery, SuitabilityParams, SuitabilityRegion } from '../../contract/suitability.js';
import { GranaryError } from '../../errors.js';
import { compareCrops, suitability, type SuitabilityRow } from '../../suitability/score.js';
import { pamPanel } from '../../stats/pam.js';
import { sendCsv, wantsCsv } from '../layers/http.js';

const LABEL = 'statistical, not agronomic: from the municipality\'s own yield history (IBGE PAM) against the state\'s municipalities, not from soil or climate';
const METHOD = 'level = mean yield of the window; trend = OLS slope (kg/ha per year, 95 % interval); stability = coefficient of variation of the detrended yields; each as a percentile among the state\'s municipalities with >= 7 known years; index = mean of the three percentiles (0-100), class higher >= 66.7, lower < 33.3';

export default (async function suitabilityRoutes(app) {
  const tags = ['suitability'];
  const windowOf = (crop: string, from?: number, to?: number): [number, number] => {
    const [y0, y1] = app.regions.yearRange(crop);
    const t = to ?? y1;
    const f = from ?? t - 9;
    if (f < y0 || t > y1 || t - f < 4) throw new GranaryError('bad-request', `the window must lie in ${y0}-${y1} and span at least 5 years (got ${f}-${t})`, { validRange: [y0, y1] });
    return [f, t];
  };
  // one entry per crop and year window; least recently used evicted (no wholesale wipe when full)
  const memo = new LRUCache<string, SuitabilityRow[]>({ max: 100 });
  const rowsFor = (crop: string, years: [number, number]): SuitabilityRow[] => {
    const key = `${crop}|${years.join('-')}`;
    const hit = memo.get(key);
    if (hit) return hit;
    const rows = compute(crop, years);
    memo.set(key, rows);
    return rows;
  };
  const compute = (crop: string, years: [number, number]): SuitabilityRow[] => {
    const panel = pamPanel(app.regions, crop);
    return suitability(app.regions.regions.map((r) => ({ regionId: r.id, name: r.properties.name, yields: panel.get(r.id)! })), crop, { years, minYears: 7 });
  };

  app.get('/api/suitability', {
    schema: { tags, summary: `Statistical suitability of a crop per municipality (${LABEL})`, querystring: SuitabilityListQuery, response: { 200: SuitabilityListResult, ...problemResponses } },
  }, async (req, reply) => {
    const crop = req.query.crop ?? app.regions.defaultCrop;
    app.regions.checkCrop(crop);
    if (req.query.region) app.regions.get(req.query.region);
    const rows = rowsFor(crop, windowOf(crop, req.query.from, req.query.to)).filter((r) => !req.query.region || r.regionId === req.query.region);
    if (wantsCsv(req.query.format)) return sendCsv(reply, `suitability_${crop}.csv`, rows.map((r) => ({ ...r, years: r.years.join('-'), trendCi95: r.trendCi95?.join(' ') ?? null })), ['regionId', 'name', 'crop', 'years', 'yearsWithData', 'available', 'meanYieldKgHa', 'levelVsStateMedian', 'trendKgHaPerYear', 'trendCi95', 'cvDetrendedPct', 'levelPercentile', 'trendPercentile', 'stabilityPercentile', 'index', 'class', 'reason']);
    return { label: LABEL, method: METHOD, crop, rows };
  });

  app.get('/api/suitability/:regionId', {
    schema: { tags, summary: 'Every crop\'s statistical suitability in a municipality and "would another crop do better here"', params: SuitabilityParams, querystring: SuitabilityOneQuery, response: { 200: SuitabilityRegion, ...problemResponses } },
  }, async (req) => {
    const region = app.regions.get(req.params.regionId);
    const crops = app.regions.crops.map((c) => rowsFor(c, windowOf(c, req.query.from, req.query.to)).find((r) => r.regionId === region.id)!);
    return { regionId: region.id, name: region.properties.name, label: LABEL, method: METHOD, crops, comparison: compareCrops(crops) };
  });
}) satisfies FastifyPluginAsyncTypebox;
