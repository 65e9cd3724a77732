/**
 * `GET /api/normals?crop=soy&year=2021`: every municipality's yield and production against its
 * normal (mean of the 10 years before), and the state's totals per year with the 10-year trend.
 * Same crops and years as /api/yield-gap (and the same 400s).
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { MIN_NORMAL_YEARS, normalRows, stateSeries, stateTrend } from '../../analytics/normals.js';
import { NormalsQuery, NormalsResponse } from '../../contract/normals.js';
import { problemResponses } from '../../contract/common.js';

export default (async function normalsRoutes(app) {
  app.get('/api/normals', {
    schema: {
      tags: ['regions'],
      summary: "Yield and production of each municipality against its normal (mean of the 10 years before), and the state's totals per year with their trend",
      querystring: NormalsQuery,
      response: {
        200: NormalsResponse,
        ...problemResponses,
      },
    },
  }, async (req) => {
    const svc = app.regions;
    const crop = req.query.crop ?? svc.defaultCrop;
    const year = req.query.year ?? svc.defaultYear;
    svc.rows(crop, year); // the same validation (400 with the valid crops or years) as /api/yield-gap
    const { tables, yieldGap, regions } = svc.data;
    const code = yieldGap.crops[crop]!.statistics;
    const stats = tables.cropStatistics.crops.get(code)!;
    const range = tables.cropStatistics.yearRange.get(code)!;
    const N = yieldGap.windowYears;
    const series = stateSeries(stats, range);
    const before = series.filter((s) => s.year < year && s.year >= year - N && s.municipalities > 0);
    const avg = (v: Array<number | null>) => {
      const k = v.filter((x): x is number => x !== null);
      return k.length ? k.reduce((s, x) => s + x, 0) / k.length : null;
    };
    return {
      crop,
      year,
      windowYears: N,
      minYears: MIN_NORMAL_YEARS,
      rows: normalRows(stats, regions.map((r) => r.properties), year, N),
      state: {
        series,
        current: series.find((s) => s.year === year) ?? null,
        normal: { productionT: avg(before.map((s) => s.productionT)), yieldKgHa: avg(before.map((s) => s.yieldKgHa)) },
        trend: stateTrend(series, year, N),
      },
      method: `normal = mean of the municipality's known values in the ${N} years before the year (${year - N}-${year - 1}), at least ${MIN_NORMAL_YEARS} of them; ` +
        `difference = value - normal, and as % of normal; state totals = sums over the municipalities that report the year (IBGE PAM; zeros read as unknown are left out); ` +
        `state yield = production / planted area of the municipalities reporting both; trend = least-squares slope over the ${N} years up to the year.`,
    };
  });
}) satisfies FastifyPluginAsyncTypebox;
