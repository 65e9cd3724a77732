/** Yields and production against the municipality's normal, and the state's totals (GET /api/normals). */
import { Type, type Static } from 'typebox';

const Num = Type.Union([Type.Number(), Type.Null()]);

const NormalRow = Type.Object({
  regionId: Type.String(), name: Type.String(),
  yieldKgHa: Num, normalYieldKgHa: Num, yieldDiffKgHa: Num, yieldDiffPct: Num,
  productionT: Num, normalProductionT: Num, productionDiffT: Num, productionDiffPct: Num,
  normalYears: Type.Array(Type.Integer()),
});

const StateYear = Type.Object({ year: Type.Integer(), productionT: Type.Number(), plantedAreaHa: Type.Number(), yieldKgHa: Num, municipalities: Type.Integer() });

export const NormalsQuery = Type.Object({
  crop: Type.Optional(Type.String({ maxLength: 32, description: 'soy (default) or maize' })),
  year: Type.Optional(Type.Integer({ description: 'default: the yield-gap default year' })),
}, { additionalProperties: false });

export const NormalsResponse = Type.Object({
  crop: Type.String(), year: Type.Integer(), windowYears: Type.Integer(), minYears: Type.Integer(),
  rows: Type.Array(NormalRow),
  state: Type.Object({
    series: Type.Array(StateYear),
    current: Type.Union([StateYear, Type.Null()]),
    normal: Type.Object({ productionT: Num, yieldKgHa: Num }),
    trend: Type.Union([Type.Object({ years: Type.Array(Type.Integer()), productionTPerYear: Type.Number(), yieldKgHaPerYear: Num }), Type.Null()]),
  }),
  method: Type.String(),
});

export type NormalsResponse = Static<typeof NormalsResponse>;
