/** Models (cards), crop tiles and their TileJSON, and everything known at a point. */
import { Type, type Static } from 'typebox';
import { ModelCardSchema } from '../../models/contract/model-card.js';
import { nullable, SceneIdParam } from './common.js';
import { TileJson } from './tiles.js';

export const ModelClass = ModelCardSchema.properties.classes.items;
export type ModelClass = Static<typeof ModelClass>;

export const ModelSummary = Type.Object(
  {
    id: Type.String(),
    title: Type.String(),
    variables: Type.Array(Type.String()),
    steps: Type.Integer(),
    classes: Type.Array(ModelClass),
    metrics: ModelCardSchema.properties.metrics,
    sha256: Type.String(),
  },
  { additionalProperties: false },
);
export type ModelSummary = Static<typeof ModelSummary>;

export const ModelsResponse = Type.Object(
  {
    models: Type.Array(ModelSummary),
    problems: Type.Array(Type.Object({ file: Type.String(), error: Type.String() }, { additionalProperties: false }), { description: 'models in the directory that are not served, with the reason' }),
  },
  { additionalProperties: false },
);
export type ModelsResponse = Static<typeof ModelsResponse>;

/** The card as stored (models/<id>.json) plus the ONNX file's sha256. */
export const ModelCardResponse = Type.Object({ ...ModelCardSchema.properties, sha256: Type.String({ description: 'sha256 of the ONNX file' }) }, { additionalProperties: false });
export type ModelCardResponse = Static<typeof ModelCardResponse>;

export const ModelParams = Type.Object({ modelId: Type.String({ maxLength: 64 }) });

export const CropQuery = Type.Object(
  {
    model: Type.Optional(Type.String({ maxLength: 64, description: 'model id (see /api/models); default: the shipped NDVI+EVI model' })),
    season: Type.Optional(Type.Integer({ minimum: 1900, maximum: 2200, description: 'year the September-August season starts; default: the latest complete season of the scene' })),
  },
  { additionalProperties: true },
);
export type CropQuery = Static<typeof CropQuery>;

export const CropTileJsonQuery = Type.Object(
  { ...CropQuery.properties, layer: Type.Optional(Type.Union([Type.Literal('class'), Type.Literal('confidence')])) },
  { additionalProperties: true },
);

export const CropTileParams = Type.Object({
  sceneId: SceneIdParam,
  z: Type.String({ pattern: '^\\d{1,2}$' }),
  x: Type.String({ pattern: '^\\d{1,10}$' }),
  y: Type.String({ pattern: '^\\d{1,10}(@2x)?\\.png$', description: 'tile row: 12.png or 12@2x.png' }),
});
export type CropTileParams = Static<typeof CropTileParams>;

export const CropTileJson = Type.Object(
  {
    ...TileJson.properties,
    'granary:classes': Type.Array(ModelClass),
    'granary:season': Type.Integer({ description: 'year the season shown starts' }),
    'granary:seasons': Type.Array(Type.Integer(), { description: 'seasons the scene covers' }),
  },
  { additionalProperties: false },
);
export type CropTileJson = Static<typeof CropTileJson>;

export const PointQuery = Type.Object({
  lon: Type.Number({ minimum: -180, maximum: 180 }),
  lat: Type.Number({ minimum: -90, maximum: 90 }),
  scene: Type.Optional(Type.String({ pattern: '^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$' })),
  model: Type.Optional(Type.String({ maxLength: 64 })),
  season: Type.Optional(Type.Integer({ minimum: 1900, maximum: 2200 })),
});

const SeriesPoint = Type.Object({ date: nullable(Type.String()), value: nullable(Type.Number()) }, { additionalProperties: false });
type SeriesPoint = Static<typeof SeriesPoint>;

const RegionRef = Type.Object({ id: Type.String({ description: 'IBGE code' }), name: Type.String() }, { additionalProperties: false });
type RegionRef = Static<typeof RegionRef>;

const PointCrop = Type.Object(
  {
    modelId: Type.String(),
    season: Type.Integer(),
    class: nullable(Type.Object({ index: Type.Integer(), id: Type.Integer(), name: Type.String(), color: Type.String(), kind: Type.Optional(Type.String()) }, { additionalProperties: false }), 'the most probable class; null where the pixel has no data'),
    confidence: nullable(Type.Number({ description: 'top-class probability' })),
    probabilities: Type.Array(Type.Object({ id: Type.Integer(), name: Type.String(), probability: Type.Number() }, { additionalProperties: false }), { description: 'every class of the model, in the card\'s order' }),
    classes: Type.Array(ModelClass, { description: 'the model\'s classes with colours' }),
  },
  { additionalProperties: false },
);

export const PointResponse = Type.Object(
  {
    lon: Type.Number(),
    lat: Type.Number(),
    scene: nullable(Type.Object({ id: Type.String(), title: Type.String() }, { additionalProperties: false }), 'the scene read; null when none covers the point'),
    inside: Type.Boolean({ description: 'whether the point is inside the scene grid' }),
    pixel: Type.Optional(nullable(Type.Object({ col: Type.Integer(), row: Type.Integer(), x: Type.Number(), y: Type.Number() }, { additionalProperties: false }))),
    series: Type.Record(Type.String(), Type.Array(SeriesPoint), { description: 'variable -> time series [{date, value}] in physical units, oldest first' }),
    crop: nullable(PointCrop),
    note: Type.Optional(Type.String()),
    region: nullable(RegionRef),
  },
  { additionalProperties: false },
);
export type PointResponse = Static<typeof PointResponse>;
