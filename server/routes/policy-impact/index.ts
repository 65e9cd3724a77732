/**
 * Policy impact (server/policy-impact):
 *   GET /api/policy-impact?regions=<id,id>&start=<year>&indicator=yield|area|production&crop=<a configured crop, default the configuration's defaultCrop>
 *       [&preYears=5][&postYears=5][&controls=5][&format=json|csv]
 * Difference in differences on a matched comparison group, 95 % bootstrap interval, placebo in time.
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { problemResponses } from '../../contract/common.js';
import { PolicyImpactQuery, PolicyImpactResult } from '../../contract/policy-impact.js';
import { GranaryError } from '../../errors.js';
import { pamPanel, INDICATOR_UNITS, type Indicator } from '../../stats/pam.js';
import { differenceInDifferences, placeboInTime, DidError } from '../../policy-impact/did.js';
import { sendCsv, wantsCsv } from '../layers/http.js';

const r2 = (x: number) => Math.round(x * 100) / 100;

export default (async function policyImpactRoutes(app) {
  app.get('/api/policy-impact', {
    schema: { tags: ['policy-impact'], summary: 'Difference in differences on a matched comparison group, with a 95 % bootstrap interval and a placebo check (JSON or CSV of the yearly series)', querystring: PolicyImpactQuery, response: { 200: PolicyImpactResult, ...problemResponses } },
  }, async (req, reply) => {
    const q = req.query;
    const crop = q.crop ?? app.regions.defaultCrop;
    const indicator: Indicator = q.indicator ?? 'yield';
    const treated = [...new Set(q.regions.split(','))];
    for (const id of treated) app.regions.get(id);
    const panel = pamPanel(app.regions, crop, indicator);
    const opts = { treated, start: q.start, preYears: q.preYears ?? 5, postYears: q.postYears ?? 5, controls: q.controls ?? 5, bootstrap: 1000, seed: 20260101 };
    const [y0, y1] = app.regions.yearRange(crop);
    if (opts.start - opts.preYears < y0 || opts.start > y1) throw new GranaryError('bad-request', `start ${opts.start} with ${opts.preYears} pre-period years needs data from ${opts.start - opts.preYears}; the ${crop} data cover ${y0}-${y1}`, { validRange: [y0 + opts.preYears, y1] });
    let est;
    let plc;
    try {
      est = differenceInDifferences(panel, opts);
      plc = placeboInTime(panel, opts);
    } catch (e) {
      if (e instanceof DidError) throw new GranaryError('unprocessable', e.message);
      throw e;
    }
    const shape = (e: typeof est) => ({ effect: r2(e.effect), ci95: [r2(e.ci95[0]), r2(e.ci95[1])] as [number, number], pre: e.pre, post: e.post, coversZero: e.ci95[0] <= 0 && e.ci95[1] >= 0 });
    const placebo = shape(plc);
    if (wantsCsv(q.format)) {
      return sendCsv(reply, `policy-impact_${crop}_${indicator}_${q.start}.csv`, est.series.map((s) => ({ year: s.year, period: s.year < q.start ? 'pre' : 'post', treatedMean: s.treatedMean === null ? null : r2(s.treatedMean), comparisonMean: s.comparisonMean === null ? null : r2(s.comparisonMean), effect: r2(est.effect), ci95Low: r2(est.ci95[0]), ci95High: r2(est.ci95[1]) })), ['year', 'period', 'treatedMean', 'comparisonMean', 'effect', 'ci95Low', 'ci95High']);
    }
    return {
      method: 'difference in differences: (post mean - pre mean) of each chosen municipality minus the same for its 5 nearest untreated municipalities in pre-period level and trend of the indicator (standardised, with replacement); effect = mean over chosen municipalities; 95 % interval from 1000 bootstrap resamples of chosen municipalities and of their matches (seeded); placebo: the same with a fake start in the pre-period, using pre-period years only',
      assumptions: ['after matching, treated and comparison municipalities would have changed alike without the policy (parallel trends)', 'the policy did not reach the comparison municipalities', 'PAM zeros are read as unknown; municipalities missing any year of the window are left out'],
      crop,
      indicator,
      unit: INDICATOR_UNITS[indicator],
      estimate: shape(est),
      placebo: { ...placebo, passed: placebo.coversZero, note: placebo.coversZero ? 'the placebo finds no effect before the start: the comparison group tracks the chosen municipalities' : 'the placebo finds an "effect" before the policy started: the comparison group does not track the chosen municipalities well; read the estimate with caution' },
      treatedUsed: est.treatedUsed,
      treatedDropped: est.treatedDropped,
      matches: est.matches,
      perTreated: est.perTreated.map((p) => ({ regionId: p.regionId, effect: r2(p.effect) })),
      series: est.series.map((s) => ({ year: s.year, treatedMean: s.treatedMean === null ? null : r2(s.treatedMean), comparisonMean: s.comparisonMean === null ? null : r2(s.comparisonMean) })),
    };
  });
}) satisfies FastifyPluginAsyncTypebox;
