/** Statistical suitability per municipality and crop (server/routes/suitability). */
import { Type, type Static } from 'typebox';
import { CsvText, CSV_MEDIA, media, nullable } from './common.js';

const SuitabilityRow = Type.Object({
  regionId: Type.String(), name: Type.String(), crop: Type.String(), years: Type.Tuple([Type.Integer(), Type.Integer()]), yearsWithData: Type.Integer(), available: Type.Boolean(),
  reason: nullable(Type.String()),
  reasonCode: nullable(Type.Literal('too-few-years'), 'language-neutral reason (the dashboard words it from yearsWithData, minYears and years)'),
  minYears: Type.Integer({ description: 'known years the window needs' }),
  meanYieldKgHa: nullable(Type.Number()), levelVsStateMedian: nullable(Type.Number()), trendKgHaPerYear: nullable(Type.Number()), trendCi95: nullable(Type.Tuple([Type.Number(), Type.Number()])), cvDetrendedPct: nullable(Type.Number()),
  levelPercentile: nullable(Type.Number()), trendPercentile: nullable(Type.Number()), stabilityPercentile: nullable(Type.Number()), index: nullable(Type.Number()),
  class: nullable(Type.Union([Type.Literal('higher'), Type.Literal('middle'), Type.Literal('lower')])),
});

const Window = { from: Type.Optional(Type.Integer({ minimum: 2000, maximum: 2100, description: 'first year (default: last year - 9)' })), to: Type.Optional(Type.Integer({ minimum: 2000, maximum: 2100, description: 'last year (default: the latest PAM year)' })) };
export const SuitabilityListQuery = Type.Object({ crop: Type.Optional(Type.String({ maxLength: 20, description: 'a crop of the regions configuration (GET /api/crops; default its defaultCrop)' })), region: Type.Optional(Type.String({ pattern: '^[0-9]{7}$' })), ...Window, format: Type.Optional(Type.Union([Type.Literal('json'), Type.Literal('csv')])) });
export const SuitabilityOneQuery = Type.Object(Window);
export const SuitabilityParams = Type.Object({ regionId: Type.String({ pattern: '^[0-9]{7}$' }) });

export const SuitabilityList = Type.Object({ label: Type.String(), method: Type.String(), crop: Type.String(), rows: Type.Array(SuitabilityRow) });
export const SuitabilityListResult = media('the rows (application/json), or with format=csv one row per municipality', { 'application/json': SuitabilityList, [CSV_MEDIA]: CsvText });

export const SuitabilityRegion = Type.Object({
  regionId: Type.String(),
  name: Type.String(),
  label: Type.String(),
  method: Type.String(),
  crops: Type.Array(SuitabilityRow),
  comparison: Type.Object({
    best: nullable(Type.String()),
    verdict: Type.Union([Type.Literal('one-crop'), Type.Literal('best'), Type.Literal('similar')], { description: 'one-crop: only one crop has enough history; best: `best` ranks >= 10 index points higher; similar: within 10 points' }),
    indexDifference: nullable(Type.Number({ description: 'index points between the first and second crop' })),
    ranking: Type.Array(Type.Object({ crop: Type.String(), index: nullable(Type.Number()), levelVsStateMedian: nullable(Type.Number()) })),
    note: Type.String(),
  }),
});

type SuitabilityRow = Static<typeof SuitabilityRow>;
export type SuitabilityRegion = Static<typeof SuitabilityRegion>;
