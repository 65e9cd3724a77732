/** Yield outlook from the season's vegetation signal (server/routes/outlook). */
import { Type, type Static } from 'typebox';
import { nullable } from './common.js';

export const OutlookResult = Type.Object({
  regionId: Type.String(),
  name: Type.String(),
  crop: Type.String(),
  signal: Type.String(),
  available: Type.Boolean(),
  reason: nullable(Type.String()),
  reasonCode: nullable(Type.Union([Type.Literal('no-imagery'), Type.Literal('too-few-seasons')]), 'language-neutral reason; with too-few-seasons, usableSeasons and minSeasons say how many'),
  usableSeasons: Type.Integer({ description: 'seasons with both imagery and a PAM yield' }),
  minSeasons: Type.Integer({ description: 'seasons a validated outlook needs' }),
  seasons: Type.Array(Type.Object({ season: Type.Integer(), harvestYear: Type.Integer(), signal: nullable(Type.Number()), observedYieldKgHa: nullable(Type.Number()), predictedYieldKgHa: nullable(Type.Number()), looPredictedKgHa: nullable(Type.Number()), looErrorKgHa: nullable(Type.Number()), baselineLooKgHa: nullable(Type.Number()) })),
  model: nullable(Type.Object({ intercept: Type.Number(), slopeKgHaPerNdvi: Type.Number(), slopeCi95: nullable(Type.Tuple([Type.Number(), Type.Number()])), n: Type.Integer() })),
  validation: nullable(Type.Object({ method: Type.String(), n: Type.Integer(), rmseKgHa: Type.Number(), maeKgHa: Type.Number(), baselineRmseKgHa: Type.Number(), skillVsBaseline: Type.Number(), beatsBaseline: Type.Boolean() })),
  outlook: nullable(Type.Object({ season: Type.Integer(), predictedYieldKgHa: Type.Number(), plusMinusKgHa: Type.Number(), note: Type.String() })),
  notes: Type.Array(Type.String()),
});
export const OutlookQuery = Type.Object({ crop: Type.Optional(Type.String({ maxLength: 20, description: 'a crop of the regions configuration (GET /api/crops; default its defaultCrop)' })) });
export const OutlookParams = Type.Object({ regionId: Type.String({ pattern: '^[0-9]{7}$' }) });
export const OutlookList = Type.Object({ results: Type.Array(OutlookResult) });

export type OutlookResult = Static<typeof OutlookResult>;
