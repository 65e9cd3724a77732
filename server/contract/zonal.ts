/** Zonal statistics inside caller polygons. */
import { Type } from 'typebox';
import { media } from './common.js';
import { Feature, FeatureCollection, GEOJSON_MEDIA } from './geojson.js';

export const ZonalQuery = Type.Object({
  scene: Type.String({ maxLength: 64, description: 'scene id (GET /api/scenes)' }),
  model: Type.Optional(Type.String({ maxLength: 64, description: 'model id of the crop map; default: the newest crop map of the scene, if any' })),
  date: Type.Optional(Type.String({ maxLength: 40, description: 'ISO date; the nearest scene date is used (default: the latest)' })),
});

export const ZonalBody = Type.Unknown({ description: 'GeoJSON Feature or FeatureCollection (Polygon / MultiPolygon, WGS84)' });

export const ZonalResult = media('the input Feature / FeatureCollection with properties.stats on each feature (the collection also gets scene, date and model)', {
  [GEOJSON_MEDIA]: Type.Union([Feature, FeatureCollection]),
});
