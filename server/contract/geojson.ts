/**
 * GeoJSON (RFC 7946) as the responses use it. Properties stay open (each layer documents its own in
 * its queryables); geometry coordinates are nested number arrays of any depth.
 */
import { Type, type Static } from 'typebox';
import { Link, nullable } from './common.js';

const Position = Type.Array(Type.Number(), { minItems: 2 });
const Geometry = Type.Union(
  [
    Type.Object({ type: Type.Literal('Point'), coordinates: Position }, { additionalProperties: true }),
    Type.Object({ type: Type.Literal('MultiPoint'), coordinates: Type.Array(Position) }, { additionalProperties: true }),
    Type.Object({ type: Type.Literal('LineString'), coordinates: Type.Array(Position) }, { additionalProperties: true }),
    Type.Object({ type: Type.Literal('MultiLineString'), coordinates: Type.Array(Type.Array(Position)) }, { additionalProperties: true }),
    Type.Object({ type: Type.Literal('Polygon'), coordinates: Type.Array(Type.Array(Position)) }, { additionalProperties: true }),
    Type.Object({ type: Type.Literal('MultiPolygon'), coordinates: Type.Array(Type.Array(Type.Array(Position))) }, { additionalProperties: true }),
  ],
  { description: 'RFC 7946 geometry, WGS84 longitude/latitude' },
);

const Properties = Type.Record(Type.String(), Type.Unknown(), { description: 'feature properties (see the collection\'s queryables)' });

export const Feature = Type.Object(
  {
    type: Type.Literal('Feature'),
    id: Type.Optional(Type.Union([Type.String(), Type.Number()])),
    geometry: nullable(Geometry),
    properties: nullable(Properties),
    links: Type.Optional(Type.Array(Link)),
  },
  { additionalProperties: true },
);
export type Feature = Static<typeof Feature>;

export const FeatureCollection = Type.Object(
  {
    type: Type.Literal('FeatureCollection'),
    features: Type.Array(Feature),
    numberMatched: Type.Optional(Type.Integer()),
    numberReturned: Type.Optional(Type.Integer()),
    timeStamp: Type.Optional(Type.String()),
    links: Type.Optional(Type.Array(Link)),
  },
  { additionalProperties: true, description: 'RFC 7946 FeatureCollection; foreign members (name, description, ...) allowed' },
);
export type FeatureCollection = Static<typeof FeatureCollection>;

export const GEOJSON_MEDIA = 'application/geo+json';
