/**
 * Policy impact (server/policy-impact):
 *   GET /api/policy-impact?regions=<id,id>&start=<year>&indicator=yield|area|production&crop=soy|maize
 *       [&preYears=5][&postYears=5][&controls=5][&format=json|csv]
 * Difference in differences on a matched comparison group, 95 % bootstrap interval, placebo in time.
 */
import type { FastifyInstance } from 'fastify';
import { Type, type Static } from 'typebox';
import { CsvText, CSV_MEDIA, media, problemResponses } from '../../contract/common.js';
import { GranaryError } from '../../errors.js';
import { pamPanel, INDICATOR_UNITS, type Indicator } from '../../stats/pam.js';
import { differenceInDifferences, placeboInTime, DidError } from '../../policy-impact/did.js';
import { sendCsv, wantsCsv } from '../layers/http.js';

const Query = Type.Object({
  regions: Type.String({ pattern: '^[0-9]{7}(,[0-9]{7}){0,49}$', description: 'the municipalities the policy reached (IBGE codes, comma separated, up to 50)' }),
  start: Type.Integer({ minimum: 2002, maximum: 2100, description: 'first year the policy could act' }),
  indicator: Type.Optional(Type.Union([Type.Literal('yield'), Type.Literal('area'), Type.Literal('production')], { description: 'default yield' })),
  crop: Type.Optional(Type.String({ maxLength: 20, description: 'soy | maize (default soy)' })),
  preYears: Type.Optional(Type.Integer({ minimum: 3, maximum: 15, description: 'default 5' })),
  postYears: Type.Optional(Type.Integer({ minimum: 1, maximum: 15, description: 'default 5' })),
  controls: Type.Optional(Type.Integer({ minimum: 1, maximum: 20, description: 'matches per treated municipality (default 5)' })),
  format: Type.Optional(Type.Union([Type.Literal('json'), Type.Literal('csv')])),
});

const Est = Type.Object({ effect: Type.Number(), ci95: Type.Tuple([Type.Number(), Type.Number()]), pre: Type.Tuple([Type.Integer(), Type.Integer()]), post: Type.Tuple([Type.Integer(), Type.Integer()]), coversZero: Type.Boolean() });
const Response = Type.Object({
  method: Type.String(),
  assumptions: Type.Array(Type.String()),
  crop: Type.String(),
  indicator: Type.String(),
  unit: Type.String(),
  estimate: Est,
  placebo: Type.Object({ ...Est.properties, passed: Type.Boolean(), note: Type.String() }),
  treatedUsed: Type.Array(Type.String()),
  treatedDropped: Type.Array(Type.Object({ regionId: Type.String(), reason: Type.String() })),
  matches: Type.Array(Type.Object({ regionId: Type.String(), controls: Type.Array(Type.String()) })),
  perTreated: Type.Array(Type.Object({ regionId: Type.String(), effect: Type.Number() })),
  series: Type.Array(Type.Object({ year: Type.Integer(), treatedMean: Type.Union([Type.Number(), Type.Null()]), comparisonMean: Type.Union([Type.Number(), Type.Null()]) })),
});

const r2 = (x: number) => Math.round(x * 100) / 100;

export default async function policyImpactRoutes(app: FastifyInstance) {
  app.get<{ Querystring: Static<typeof Query> }>('/api/policy-impact', {
    schema: { tags: ['policy-impact'], summary: 'Difference in differences on a matched comparison group, with a 95 % bootstrap interval and a placebo check (JSON or CSV of the yearly series)', querystring: Query, response: { 200: media('the estimate (application/json), or with format=csv the yearly series', { 'application/json': Response, [CSV_MEDIA]: CsvText }), ...problemResponses } },
  }, async (req, reply) => {
    const q = req.query;
    const crop = q.crop ?? 'soy';
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
}
