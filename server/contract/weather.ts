/** Weather beside the crop: the weather routes (server/routes/weather). */
import { Type, type Static, type TSchema } from 'typebox';

const N = <T extends TSchema>(t: T) => Type.Union([t, Type.Null()]);

const StationSchema = Type.Object({
  id: Type.String({ description: 'INMET station code, e.g. A904' }),
  name: Type.String(),
  lat: Type.Number(),
  lon: Type.Number(),
  firstDay: N(Type.String()),
  lastDay: N(Type.String()),
  days: Type.Integer({ description: 'days with at least one valid value' }),
  years: Type.Array(Type.Integer()),
  source: Type.String(),
});

export const StationList = Type.Object({ stations: Type.Array(StationSchema), attribution: Type.String() });

const DailySchema = Type.Object({
  date: Type.String({ description: 'UTC calendar day (INMET stamps hours in UTC; Mato Grosso is UTC-4)' }),
  precipMm: N(Type.Number()),
  tminC: N(Type.Number()),
  tmaxC: N(Type.Number()),
  tmeanC: N(Type.Number()),
  rhMeanPct: N(Type.Number()),
  radMjM2: N(Type.Number()),
  windMeanMs: N(Type.Number()),
  nHoursPrecip: Type.Integer(),
  nHoursTemp: Type.Integer(),
});

export const StationParams = Type.Object({ stationId: Type.String({ pattern: '^[A-Z][0-9]{3}$', description: 'INMET station code' }) });
const IsoDate = Type.String({ pattern: '^\\d{4}-\\d{2}-\\d{2}$' });
export const DailyQuery = Type.Object({ from: Type.Optional(IsoDate), to: Type.Optional(IsoDate), format: Type.Optional(Type.Union([Type.Literal('json'), Type.Literal('csv')])) });
export const StationsQuery = Type.Object({ format: Type.Optional(Type.Union([Type.Literal('json'), Type.Literal('csv')])) });
export const DailyResponse = Type.Object({ station: StationSchema, daily: Type.Array(DailySchema) });

export const SeasonQuery = Type.Object({
  season: Type.Optional(Type.Integer({ minimum: 1990, maximum: 2100, description: 'year the growing season starts (September); default: the season of asOf' })),
  asOf: Type.Optional(Type.String({ pattern: '^\\d{4}-\\d{2}-\\d{2}$', description: 'last day counted (default: the latest day any station has)' })),
});
export const PointQuery = Type.Intersect([Type.Object({ lon: Type.Number({ minimum: -180, maximum: 180 }), lat: Type.Number({ minimum: -90, maximum: 90 }) }), SeasonQuery]);
export const RegionParams = Type.Object({ regionId: Type.String({ pattern: '^[0-9]{7}$', description: 'IBGE 7-digit municipality code' }) });

const NearStation = Type.Object({ id: Type.String(), name: Type.String(), lat: Type.Number(), lon: Type.Number(), distanceKm: Type.Number(), firstDay: N(Type.String()), lastDay: N(Type.String()), days: Type.Integer() });
const Summary = Type.Object({
  from: Type.String(), to: Type.String(), daysInWindow: Type.Integer(), daysWithRainData: Type.Integer(), daysWithTempData: Type.Integer(),
  rainMm: N(Type.Number()), rainDays: Type.Integer(), tmaxMeanC: N(Type.Number()), tminMeanC: N(Type.Number()), hotDays: Type.Integer(), hottestC: N(Type.Number()),
  drySpells: Type.Array(Type.Object({ start: Type.String(), end: Type.String(), days: Type.Integer(), ongoing: Type.Boolean() })),
  longestDrySpellDays: Type.Integer(), missingRainDays: Type.Integer(),
});
export const SeasonResponse = Type.Object({
  place: Type.Object({ lon: Type.Number(), lat: Type.Number(), regionId: N(Type.String()), name: N(Type.String()) }),
  season: Type.Integer(),
  window: Type.Object({ from: Type.String(), to: Type.String() }),
  station: Type.Union([NearStation, Type.Null()]),
  nearest: Type.Array(NearStation),
  summary: Type.Union([Summary, Type.Null()]),
  reference: Type.Union([Type.Object({ available: Type.Boolean(), years: Type.Array(Type.Integer()), note: Type.String(), rainMm: Type.Optional(Type.Number()), rainAnomalyMm: Type.Optional(Type.Number()), rainAnomalyPct: Type.Optional(Type.Number()) }), Type.Null()]),
  rules: Type.Object({ dryDayMm: Type.Number(), minDrySpellDays: Type.Integer(), hotDayC: Type.Number(), minReferenceYears: Type.Integer(), growingSeason: Type.String() }),
  daily: Type.Array(DailySchema),
  notes: Type.Array(Type.String()),
  attribution: Type.String(),
});

export type WeatherSeasonResponse = Static<typeof SeasonResponse>;
