/** Policy impact: difference in differences on a matched comparison group (server/routes/policy-impact). */
import { Type, type Static } from 'typebox';
import { CsvText, CSV_MEDIA, media, nullable } from './common.js';

export const PolicyImpactQuery = Type.Object({
  regions: Type.String({ pattern: '^[0-9]{7}(,[0-9]{7}){0,49}$', description: 'the municipalities the policy reached (IBGE codes, comma separated, up to 50)' }),
  start: Type.Integer({ minimum: 2002, maximum: 2100, description: 'first year the policy could act' }),
  indicator: Type.Optional(Type.Union([Type.Literal('yield'), Type.Literal('area'), Type.Literal('production')], { description: 'default yield' })),
  crop: Type.Optional(Type.String({ maxLength: 20, description: 'a crop of the regions configuration (GET /api/crops; default its defaultCrop)' })),
  preYears: Type.Optional(Type.Integer({ minimum: 3, maximum: 15, description: 'default 5' })),
  postYears: Type.Optional(Type.Integer({ minimum: 1, maximum: 15, description: 'default 5' })),
  controls: Type.Optional(Type.Integer({ minimum: 1, maximum: 20, description: 'matches per treated municipality (default 5)' })),
  format: Type.Optional(Type.Union([Type.Literal('json'), Type.Literal('csv')])),
});

const Est = Type.Object({ effect: Type.Number(), ci95: Type.Tuple([Type.Number(), Type.Number()]), pre: Type.Tuple([Type.Integer(), Type.Integer()]), post: Type.Tuple([Type.Integer(), Type.Integer()]), coversZero: Type.Boolean() });
export const PolicyImpactResponse = Type.Object({
  method: Type.String(),
  assumptions: Type.Array(Type.String()),
  crop: Type.String(),
  indicator: Type.Union([Type.Literal('yield'), Type.Literal('area'), Type.Literal('production')]),
  unit: Type.String(),
  estimate: Est,
  placebo: Type.Object({ ...Est.properties, passed: Type.Boolean(), note: Type.String() }),
  treatedUsed: Type.Array(Type.String()),
  treatedDropped: Type.Array(Type.Object({ regionId: Type.String(), reason: Type.String() })),
  matches: Type.Array(Type.Object({ regionId: Type.String(), controls: Type.Array(Type.String()) })),
  perTreated: Type.Array(Type.Object({ regionId: Type.String(), effect: Type.Number() })),
  series: Type.Array(Type.Object({ year: Type.Integer(), treatedMean: nullable(Type.Number()), comparisonMean: nullable(Type.Number()) })),
});
export const PolicyImpactResult = media('the estimate (application/json), or with format=csv the yearly series', { 'application/json': PolicyImpactResponse, [CSV_MEDIA]: CsvText });

export type PolicyImpactResponse = Static<typeof PolicyImpactResponse>;
