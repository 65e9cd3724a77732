/**
 * When to plant: the start-of-season routes (server/routes/phenology): products, a point, a field
 * (GeoJSON polygon), a municipality. Validation, handler types (type provider), OpenAPI and the
 * dashboard's types (client/src/views/answers-api.ts).
 */
import { Type, type Static } from 'typebox';

const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(t: T) => Type.Union([t, Type.Null()]);

const WindowSchema = Type.Object({
  scene: Type.Optional(Type.String()),
  regionId: Type.String(),
  label: Type.String({ description: 'class name as in the labelled samples' }),
  n: Type.Integer({ description: 'samples with a start of season' }),
  nWithoutSeason: Type.Integer(),
  seasons: Type.Array(Type.Integer()),
  p10: Type.Number({ description: 'day of season (days since 1 September), 10th percentile' }),
  p50: Type.Number(),
  p90: Type.Number(),
  p10MonthDay: Type.String(),
  p50MonthDay: Type.String(),
  p90MonthDay: Type.String(),
  perSeason: Type.Array(Type.Object({ season: Type.Integer(), n: Type.Integer(), p50: Type.Number(), p50Date: Type.String() })),
});

const ProductSummary = Type.Object({
  scene: Type.String(),
  sosScene: Type.String({ description: 'scene id of the day-of-season raster (variable "sos"), drawn by /tiles' }),
  variable: Type.String(),
  method: Type.String(),
  fraction: Type.Number(),
  minAmplitude: Type.Number(),
  seasons: Type.Array(Type.Object({ season: Type.Integer(), dates: Type.Integer(), counts: Type.Object({ ok: Type.Integer(), baseAtWindowStart: Type.Integer(), noSeason: Type.Integer(), noData: Type.Integer() }) })),
  tilejson: Type.Array(Type.Object({ season: Type.Integer(), href: Type.String() })),
  samples: Nullable(Type.Object({ file: Type.String(), n: Type.Integer(), outsideScene: Type.Integer(), withoutSeason: Type.Integer() })),
});

export const ProductList = Type.Object({ products: Type.Array(ProductSummary), colormap: Type.Object({ name: Type.String(), rescale: Type.Tuple([Type.Number(), Type.Number()]), unit: Type.String() }) });

export const PointQuery = Type.Object({
  lon: Type.Number({ minimum: -180, maximum: 180 }),
  lat: Type.Number({ minimum: -90, maximum: 90 }),
  scene: Type.Optional(Type.String({ pattern: '^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$', description: 'source scene (default: the first start-of-season product covering the point)' })),
  class: Type.Optional(Type.String({ minLength: 1, maxLength: 64, description: 'the field\'s crop class (e.g. Soy_Corn or Soybean-maize); default: the crop model\'s class at the point' })),
});

const SeasonSos = Type.Object({
  season: Type.Integer({ description: 'year the September-August season starts' }),
  status: Type.String({ description: 'ok | base-at-window-start (the minimum is the first composite: green-up may have begun before it) | no-season | no-data' }),
  date: Nullable(Type.String()),
  dayOfSeason: Nullable(Type.Number()),
  amplitude: Nullable(Type.Number()),
  peakDate: Nullable(Type.String()),
  municipality: Nullable(Type.Object({ pixelsWithSeason: Type.Integer(), p10: Nullable(Type.Number()), p50: Nullable(Type.Number()), p90: Nullable(Type.Number()) }, { description: 'day of season over the scene pixels whose centre lies in the municipality' })),
  classWindow: Nullable(Type.Object({ label: Type.String(), p10: Type.Number(), p50: Type.Number(), p90: Type.Number(), position: Type.String({ description: 'earlier | within | later than the 10-90 % window' }), daysFromMedian: Type.Number() })),
});

export const PointResponse = Type.Object({
  lon: Type.Number(),
  lat: Type.Number(),
  scene: Type.String(),
  variable: Type.String(),
  method: Type.String(),
  pixel: Type.Object({ col: Type.Integer(), row: Type.Integer() }),
  region: Nullable(Type.Object({ id: Type.String(), name: Type.String() })),
  class: Nullable(Type.Object({ name: Type.String(), source: Type.String({ description: 'query | model <id>' }) })),
  seasons: Type.Array(SeasonSos),
  windows: Type.Array(WindowSchema, { description: 'usual windows of the class in the municipality, from labelled samples' }),
  notes: Type.Array(Type.String()),
});

export const RegionParams = Type.Object({ regionId: Type.String({ pattern: '^[0-9]{7}$', description: 'IBGE 7-digit municipality code' }) });
export const RegionQuery = Type.Object({ format: Type.Optional(Type.Union([Type.Literal('json'), Type.Literal('csv')])) });

export const RegionResponse = Type.Object({
  regionId: Type.String(),
  name: Type.String(),
  method: Type.String(),
  seasons: Type.Array(Type.Object({ scene: Type.String(), season: Type.Integer(), pixels: Type.Integer(), pixelsWithSeason: Type.Integer(), p10: Nullable(Type.Number()), p50: Nullable(Type.Number()), p90: Nullable(Type.Number()), p50Date: Nullable(Type.String()) })),
  windows: Type.Array(WindowSchema),
  notes: Type.Array(Type.String()),
});

/** POST /api/phenology/field */
export const FIELD_LIMITS = { maxVertices: 5_000, maxAreaHa: 20_000, maxBodyBytes: 256 * 1024 } as const;

export const FieldQuery = Type.Object({
  scene: Type.Optional(Type.String({ pattern: '^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$', description: 'source scene (default: the start-of-season product covering most of the field)' })),
  class: Type.Optional(Type.String({ minLength: 1, maxLength: 64, description: 'the field\'s crop class; default: the crop map\'s main class in the field, else the crop model\'s class at a point inside it' })),
});

export const FieldBody = Type.Unknown({ description: `a GeoJSON Feature (or bare geometry) with a Polygon or MultiPolygon in WGS84; at most ${FIELD_LIMITS.maxVertices} vertices and ${FIELD_LIMITS.maxAreaHa} ha` });

const FieldSeason = Type.Object({
  season: Type.Integer({ description: 'year the September-August season starts' }),
  dayOfSeason: Nullable(Type.Number({ description: 'the field\'s start of season: mean of its pixels\' day of season (days since 1 September) weighted by exact coverage x pixel area' })),
  date: Nullable(Type.String()),
  earliest: Nullable(Type.Number({ description: 'earliest pixel day of season in the field' })),
  latest: Nullable(Type.Number()),
  pixelsWithSeason: Type.Integer(),
  withoutSeasonShare: Type.Number({ description: 'share of the covered area whose pixels show no growing season (or no data) this season' }),
  municipality: Nullable(Type.Object({ pixelsWithSeason: Type.Integer(), p10: Nullable(Type.Number()), p50: Nullable(Type.Number()), p90: Nullable(Type.Number()) })),
  classWindow: Nullable(Type.Object({ label: Type.String(), p10: Type.Number(), p50: Type.Number(), p90: Type.Number(), position: Type.Union([Type.Literal('earlier'), Type.Literal('within'), Type.Literal('later')]), daysFromMedian: Type.Number() })),
});

export const FieldResponse = Type.Object({
  scene: Type.String(),
  sosScene: Type.String(),
  variable: Type.String(),
  method: Type.String(),
  field: Type.Object({ areaHa: Type.Number(), coveredAreaHa: Type.Number(), pixelCount: Type.Integer(), centre: Type.Object({ lon: Type.Number(), lat: Type.Number() }) }),
  region: Nullable(Type.Object({ id: Type.String(), name: Type.String() })),
  class: Nullable(Type.Object({ name: Type.String(), source: Type.String({ description: 'query | crop map <model> | model <id>' }) })),
  seasons: Type.Array(FieldSeason),
  windows: Type.Array(WindowSchema),
  notes: Type.Array(Type.String()),
});

export type PhenologyPointResponse = Static<typeof PointResponse>;
export type PhenologyFieldResponse = Static<typeof FieldResponse>;
