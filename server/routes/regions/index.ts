/**
 * Regions and indicators: the list of regions with their indicators, one region in detail (both
 * crops, inputs, sources, history), the yield-gap table, and the join report.
 * Each handler: validate -> memoised rows (+ crop-map areas from a worker) -> JSON or CSV.
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { problemResponses } from '../../contract/common.js';
import { PRIORITY_METHOD } from '../../analytics/priority.js';
import { GranaryError } from '../../errors.js';
import { DEFAULT_YEAR_RULE } from '../../plugins/regions.js';
import { cropYear, regionIndicators } from '../../regions/indicators.js';
import { intersectsBoxes, parseBbox } from '../../services/layers/bbox.js';
import { sendCsv, wantsCsv } from '../layers/http.js';
import { originOf } from '../origin.js';
import { apiRows, flatRow, FLAT_ROW_COLUMNS, ROW_FIELDS, type ApiRow } from '../../regions/rows.js';
import { CropsResponse, JoinReport, REGION_INDICATORS, RegionDetail, type RegionDetail as RegionDetailBody, RegionDetailQuery, RegionParams, RegionsOrCsv, RegionsQuery, YieldGapOrCsv, YieldGapQuery } from '../../contract/regions.js';

function rowJson(r: ApiRow) {
  const out: Record<string, unknown> = {};
  for (const f of ROW_FIELDS) out[f] = r[f];
  out.cropMap = r.cropMap;
  out.inputs = r.inputs;
  out.flags = r.flags;
  out.flagCodes = r.flagCodes;
  out.method = r.method;
  out.methodCode = r.methodCode;
  return out;
}

export default (async function regionRoutes(app) {
  app.get('/api/crops', {
    schema: {
      tags: ['regions'],
      summary: 'The crops of the regions configuration: names, labels per language, crop-map classes, years',
      response: { 200: CropsResponse },
    },
  }, async () => ({
    defaultCrop: app.regions.defaultCrop,
    regionsTitle: app.regions.data.config.regions.title ?? '',
    areaName: app.regions.data.config.regions.areaName ?? '',
    sources: [...new Set(app.regions.sources.map((s) => s.source))],
    crops: app.regions.cropInfos,
  }));

  app.get(
    '/api/regions',
    {
      schema: {
        tags: ['regions'],
        summary: 'Every region with its indicators for one year and crop',
        description: `Indicators of every region (municipality). Default year: ${DEFAULT_YEAR_RULE}. Default crop: the configuration's (GET /api/crops). format=csv gives one flattened record per region.`,
        querystring: RegionsQuery,
        response: { 200: RegionsOrCsv, ...problemResponses },
      },
    },
    async (req, reply) => {
      const csv = wantsCsv(req.query.format);
      const { crop, year } = cropYear(app, req.query);
      const rows = app.regions.rows(crop, year);
      if (csv) {
        const flat = rows.map((r) => ({ regionId: r.regionId, name: r.name, crop, year, ...regionIndicators(app, r), flags: r.flags.join('; ') }));
        return sendCsv(reply, `regions_${crop}_${year}.csv`, flat, ['regionId', 'name', 'crop', 'year', ...REGION_INDICATORS, 'flags']);
      }
      return {
        crop,
        year,
        defaultYear: app.regions.defaultYear,
        defaultYearRule: DEFAULT_YEAR_RULE,
        crops: app.regions.crops,
        count: rows.length,
        regions: rows.map((r) => ({ regionId: r.regionId, name: r.name, bbox: app.regions.bboxOf(r.regionId), areaHa: app.regions.areaHaOf(r.regionId), indicators: regionIndicators(app, r), flags: r.flags })),
        method: rows[0]?.method ?? '',
        sources: app.regions.sources,
      };
    },
  );

  app.get('/api/regions/join-report', {
    schema: {
      tags: ['regions'],
      summary: 'How the tables joined the regions: unmatched keys each side, name mismatches, zeros read as unknown, repaired geometries',
      response: { 200: JoinReport },
    },
  }, async () => ({ ...app.regions.joinReport, cropMapProblems: app.cropMaps.problems }));

  app.get(
    '/api/regions/:regionId',
    {
      schema: {
        tags: ['regions'],
        summary: 'One region: indicators for every crop, the inputs they came from, sources with licences, and the history over the years',
        params: RegionParams,
        querystring: RegionDetailQuery,
        response: { 200: RegionDetail, ...problemResponses },
      },
    },
    async (req) => {
      const region = app.regions.get(req.params.regionId);
      const year = app.regions.parseYear(req.query.year, app.regions.defaultCrop);
      const crops: RegionDetailBody['crops'] = {};
      for (const crop of app.regions.crops) {
        const [range0, range1] = app.regions.yearRange(crop);
        const [row] = await apiRows(app, crop, Math.min(Math.max(year, range0), range1), [region.id]);
        if (!row) continue;
        const history = [];
        for (let y = range0; y <= range1; y++) {
          const h = app.regions.rows(crop, y).find((r) => r.regionId === region.id)!;
          history.push({
            year: y,
            reportedYieldKgHa: app.regions.reportedYield(crop, region.id, y),
            actualYieldKgHa: h.actualYieldKgHa,
            attainableYieldKgHa: h.attainableYieldKgHa,
            yieldGapKgHa: h.yieldGapKgHa,
            yieldGapPct: h.yieldGapPct,
            plantedAreaHa: h.plantedAreaHa,
            productionT: h.productionT,
            productionGapT: h.productionGapT,
            productionGapValueUsd: h.productionGapValueUsd,
          });
        }
        crops[crop] = {
          indicators: { ...regionIndicators(app, row), mappedAreaHa: row.mappedAreaHa, mappedAreaCi95Ha: row.mappedAreaCi95Ha },
          cropMap: row.cropMap,
          inputs: row.inputs,
          flags: row.year !== year ? [`year ${year} is outside the ${crop} data: shown for ${row.year}`, ...row.flags] : row.flags,
          method: row.method,
          history,
        };
      }
      const origin = originOf(req);
      return {
        regionId: region.id,
        name: region.properties.name,
        bbox: app.regions.bboxOf(region.id),
        areaHa: app.regions.areaHaOf(region.id),
        year,
        defaultYear: app.regions.defaultYear,
        crops,
        geometryNotes: app.regions.joinReport.invalidGeometries.filter((g) => g.id === region.id).map((g) => g.message),
        priorityMethod: PRIORITY_METHOD,
        sources: app.regions.sources,
        links: [
          { rel: 'self', href: `${origin}/api/regions/${region.id}`, type: 'application/json' },
          { rel: 'geometry', href: `${origin}/collections/regions/items/${region.id}`, type: 'application/geo+json' },
          ...app.regions.crops.map((c) => ({ rel: 'yield-gap', href: `${origin}/api/yield-gap?crop=${c}&year=${year}&region=${region.id}`, type: 'application/json' })),
        ],
      };
    },
  );

  app.get(
    '/api/yield-gap',
    {
      schema: {
        tags: ['regions'],
        summary: 'Yield gap per region for one crop and year, with the intervention-priority rank and the crop map\'s area where a crop map covers the region',
        description:
          'One row per region. Method: Ya = mean of known yields over a 10-year window ending with `year`; attainable yield = P95 across municipalities of those means; gap = max(0, attainable - Ya); ' +
          'production gap = gap x planted area; value = production gap x annual mean World Bank world price; per capita = production / population. ' +
          'Sources: IBGE PAM (SIDRA 1612), IBGE population estimates (Brasil.IO), World Bank Pink Sheet. Every row carries `inputs`, `flags` and `method`.',
        querystring: YieldGapQuery,
        response: { 200: YieldGapOrCsv, ...problemResponses },
      },
    },
    async (req, reply) => {
      const csv = wantsCsv(req.query.format);
      if (req.query.crop === undefined || req.query.crop === '') {
        throw new GranaryError('bad-request', `crop is required; valid crops: ${app.regions.crops.join(', ')}`, { validCrops: app.regions.crops });
      }
      const { crop, year } = cropYear(app, req.query);
      let ids: string[] | undefined;
      if (req.query.region !== undefined && req.query.region !== '') ids = [app.regions.get(req.query.region).id];
      const boxes = parseBbox(req.query.bbox);
      if (boxes) {
        const cand = new Set(app.regions.bboxCandidates(boxes));
        ids = (ids ?? app.regions.regions.map((r) => r.id)).filter((id) => cand.has(id) && intersectsBoxes(app.regions.get(id).geometry, app.regions.bboxOf(id), boxes));
      }
      const rows = await apiRows(app, crop, year, ids);
      if (csv) {
        const suffix = ids && ids.length === 1 && req.query.region ? `_${ids[0]}` : '';
        return sendCsv(reply, `yield-gap_${crop}_${year}${suffix}.csv`, rows.map(flatRow), FLAT_ROW_COLUMNS);
      }
      return {
        crop,
        year,
        validYears: app.regions.yearRange(crop),
        defaultYear: app.regions.defaultYear,
        count: rows.length,
        rows: rows.map(rowJson),
        priorityMethod: PRIORITY_METHOD,
        sources: app.regions.sources,
      };
    },
  );
}) satisfies FastifyPluginAsyncTypebox;
