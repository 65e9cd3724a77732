/** Imagery tiles and TileJSON. */
import { Type, type Static } from 'typebox';
import { Binary, media, SceneIdParam } from './common.js';

/** Longest accepted band-math expression (characters). */
export const MAX_EXPRESSION_LENGTH = 512;

export const TileParams = Type.Object({
  sceneId: SceneIdParam,
  z: Type.String({ pattern: '^\\d{1,2}$', description: 'zoom level' }),
  x: Type.String({ pattern: '^\\d{1,10}$', description: 'tile column' }),
  y: Type.String({ pattern: '^\\d{1,10}(@2x)?\\.(png|tif|webp|jpg)$', description: 'tile row with format suffix: 12.png, 12@2x.png (512 px), 12.webp, 12.jpg (lossy, smaller) or 12.tif (Float32 GeoTIFF of physical values)' }),
});
export type TileParams = Static<typeof TileParams>;

export const TileQuery = Type.Object(
  {
    variable: Type.Optional(Type.String({ maxLength: 64, description: 'one variable of the scene (default: the first, or RGB when the scene has red, green and blue)' })),
    bands: Type.Optional(Type.String({ maxLength: 200, description: 'three variables as R,G,B, e.g. red,green,blue' })),
    expression: Type.Optional(Type.String({ maxLength: MAX_EXPRESSION_LENGTH, description: 'band math on variable names: + - * / ^, parentheses, abs sqrt log exp min max pow; e.g. (nir-red)/(nir+red)' })),
    date: Type.Optional(Type.String({ maxLength: 40, description: 'ISO date; the scene date nearest to it is used (default: the latest)' })),
    rescale: Type.Optional(Type.Union([Type.String({ maxLength: 80 }), Type.Array(Type.String({ maxLength: 80 }), { maxItems: 3 })], { description: 'min,max of physical values mapped to the colour range; one, or one per RGB band (repeat the parameter)' })),
    colormap: Type.Optional(Type.String({ maxLength: 40, description: 'named colormap for one band (see /api/colormaps)' })),
    resampling: Type.Optional(Type.Union([Type.Literal('nearest'), Type.Literal('bilinear')], { description: 'default nearest' })),
    format: Type.Optional(Type.Union([Type.Literal('png'), Type.Literal('webp'), Type.Literal('jpg')], { description: 'image encoding, overriding the extension: png (lossless, default), webp or jpg (lossy; jpg has no transparency: no-data is black)' })),
    quality: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, description: 'quality of webp and jpg tiles, 1-100 (default 85); ignored for png' })),
  },
  { additionalProperties: true },
);
export type TileQuery = Static<typeof TileQuery>;

export const SceneParams = Type.Object({ sceneId: SceneIdParam });

export const TileJson = Type.Object(
  {
    tilejson: Type.Literal('3.0.0'),
    name: Type.String(),
    description: Type.Optional(Type.String()),
    attribution: Type.Optional(Type.String()),
    tiles: Type.Array(Type.String()),
    bounds: Type.Tuple([Type.Number(), Type.Number(), Type.Number(), Type.Number()], { description: 'WGS84 [west, south, east, north]' }),
    center: Type.Tuple([Type.Number(), Type.Number(), Type.Number()], { description: '[longitude, latitude, zoom]' }),
    minzoom: Type.Integer(),
    maxzoom: Type.Integer(),
    scheme: Type.Literal('xyz'),
  },
  { additionalProperties: false },
);
export type TileJson = Static<typeof TileJson>;

export const PngTile = media('the tile; transparent where there is no data (header X-Granary-Empty: true when all of it is); 304 when If-None-Match matches the ETag', {
  'image/png': Binary('PNG, 256 or 512 (@2x) pixels'),
});

export const ImageryTile = media('the tile: PNG (256 px, @2x 512 px), WebP or JPEG (lossy), or Float32 GeoTIFF of physical values (.tif); 304 when If-None-Match matches the ETag', {
  'image/png': Binary('PNG'),
  'image/webp': Binary('WebP'),
  'image/jpeg': Binary('JPEG (no transparency: no-data is black)'),
  'image/tiff': Binary('Float32 GeoTIFF (image/tiff; application=geotiff)'),
});
