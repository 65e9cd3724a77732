/** The scene catalog: list, STAC Items, registering scenes. */
import { Type, type Static } from 'typebox';
import { Bbox, Link } from './common.js';

export const SceneSummary = Type.Object(
  {
    id: Type.String(),
    title: Type.String(),
    bbox: Bbox,
    crs: Type.String({ description: 'EPSG code, or the proj4 definition for CRSs without one (e.g. MODIS sinusoidal)' }),
    variables: Type.Array(Type.String()),
    dates: Type.Array(Type.String({ description: 'ISO date' })),
    width: Type.Integer(),
    height: Type.Integer(),
    pixelSize: Type.Array(Type.Number(), { description: '[x, y] in CRS units' }),
    purpose: Type.Union([Type.Literal('data'), Type.Literal('test'), Type.Literal('product')], { description: "STAC property granary:purpose. 'data': imagery for the dashboard's users; 'test': a scene for tests and tiler demos; 'product': a raster Granary derived from another scene (the <scene>-sos start-of-season days, drawn as tiles by the answers). Only 'data' scenes are listed to the dashboard's users" }),
  },
  { additionalProperties: false },
);
export type SceneSummary = Static<typeof SceneSummary>;

export const ScenesResponse = Type.Object({ scenes: Type.Array(SceneSummary) }, { additionalProperties: false });
export type ScenesResponse = Static<typeof ScenesResponse>;

export const AddSceneBody = Type.Object(
  {
    id: Type.String({ pattern: '^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$' }),
    hrefs: Type.Array(Type.String({ maxLength: 2048 }), { minItems: 1, maxItems: 64, description: 'paths inside the data directory, or allowlisted http(s) URLs' }),
    title: Type.Optional(Type.String({ maxLength: 200 })),
    variables: Type.Optional(Type.Array(Type.String({ maxLength: 64 }), { maxItems: 64 })),
    scale: Type.Optional(Type.Number()),
    offset: Type.Optional(Type.Number()),
    nodata: Type.Optional(Type.Number()),
    dates: Type.Optional(Type.Array(Type.String({ maxLength: 40 }), { maxItems: 4096 })),
    attribution: Type.Optional(Type.String({ maxLength: 400 })),
    replace: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false },
);

const DisplayHint = Type.Object({ rescale: Type.Tuple([Type.Number(), Type.Number()]), colormap: Type.String() }, { additionalProperties: false });
type DisplayHint = Static<typeof DisplayHint>;

/** A STAC Item (1.0, raster and projection extensions, `granary:` fields); extension members stay open. */
export const StacItem = Type.Object(
  {
    type: Type.Literal('Feature'),
    stac_version: Type.String(),
    stac_extensions: Type.Array(Type.String()),
    id: Type.String(),
    bbox: Bbox,
    geometry: Type.Object({ type: Type.Literal('Polygon'), coordinates: Type.Array(Type.Array(Type.Array(Type.Number()))) }, { additionalProperties: false }),
    properties: Type.Object(
      {
        title: Type.String(),
        datetime: Type.Union([Type.String(), Type.Null()]),
        'granary:display': Type.Record(Type.String(), DisplayHint),
        'granary:attribution': Type.Optional(Type.String()),
      },
      { additionalProperties: true, description: 'STAC properties: datetime or start/end, proj:*, granary:proj4, granary:geographic, granary:display' },
    ),
    assets: Type.Record(Type.String(), Type.Record(Type.String(), Type.Unknown()), { description: 'one COG per asset: href, type, roles, raster:bands' }),
    links: Type.Array(Link),
  },
  { additionalProperties: true },
);
export type StacItem = Static<typeof StacItem>;
