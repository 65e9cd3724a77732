/** Uncertainty tiles and the most uncertain places. */
import { Type } from 'typebox';
import { media, SceneIdParam } from './common.js';
import { FeatureCollection, GEOJSON_MEDIA } from './geojson.js';

export const UNCERTAINTY_MEASURES = ['entropy', 'margin', 'confidence'] as const;
export const DEFAULT_PLACES = 50;
export const MAX_PLACES = 1000;
export const DEFAULT_SPACING = 8;

const Measure = Type.Optional(Type.Union(UNCERTAINTY_MEASURES.map((m) => Type.Literal(m)), { description: 'entropy (default: normalised entropy of the class probabilities), margin (1 - (p1 - p2)) or confidence (1 - top-class probability)' }));

export const UncertaintyTileQuery = Type.Object(
  {
    model: Type.Optional(Type.String({ maxLength: 64, description: 'model id (default: the default model)' })),
    season: Type.Optional(Type.Integer({ minimum: 1900, maximum: 2200 })),
    measure: Measure,
  },
  { additionalProperties: true },
);

export const UncertaintyTileParams = Type.Object({
  sceneId: SceneIdParam,
  z: Type.String({ pattern: '^\\d{1,2}$' }),
  x: Type.String({ pattern: '^\\d{1,10}$' }),
  y: Type.String({ pattern: '^\\d{1,10}(@2x)?\\.png$', description: 'tile row: 12.png or 12@2x.png' }),
});

export const PlacesQuery = Type.Object(
  {
    model: Type.Optional(Type.String({ maxLength: 64 })),
    season: Type.Optional(Type.Integer({ minimum: 1900, maximum: 2200 })),
    measure: Measure,
    n: Type.Optional(Type.Integer({ minimum: 1, maximum: MAX_PLACES, description: `places wanted (default ${DEFAULT_PLACES})` })),
    spacing: Type.Optional(Type.Integer({ minimum: 0, maximum: 10_000, description: `minimum distance between places in native pixels (default ${DEFAULT_SPACING})` })),
  },
  { additionalProperties: false },
);

export const PlacesParams = Type.Object({ file: Type.String({ pattern: '^[A-Za-z0-9][A-Za-z0-9_-]{0,63}\\.geojson$', description: '<sceneId>.geojson' }) });

export const PlacesGeojson = media('the places as GeoJSON points (rank, uncertainty, top-2 classes and probabilities, native col/row)', { [GEOJSON_MEDIA]: FeatureCollection });
