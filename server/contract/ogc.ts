/** OGC API - Features (Part 1 core, GeoJSON, OAS 3.0; Part 3 queryables) and whole-layer downloads. */
import { Type, type Static } from 'typebox';
import { CsvText, CSV_MEDIA, Link, media } from './common.js';
import { Feature, FeatureCollection, GEOJSON_MEDIA } from './geojson.js';

export const DEFAULT_LIMIT = 100;
export const MAX_LIMIT = 1000;

export const Landing = Type.Object({ title: Type.String(), description: Type.String(), links: Type.Array(Link) }, { additionalProperties: false });
export const Conformance = Type.Object({ conformsTo: Type.Array(Type.String()) }, { additionalProperties: false });

export const Collection = Type.Object(
  {
    id: Type.String(),
    title: Type.String(),
    description: Type.String(),
    itemType: Type.Literal('feature'),
    crs: Type.Array(Type.String()),
    storageCrs: Type.String(),
    extent: Type.Object(
      {
        spatial: Type.Object({ bbox: Type.Array(Type.Array(Type.Number(), { minItems: 4, maxItems: 4 })), crs: Type.String() }, { additionalProperties: false }),
        temporal: Type.Optional(Type.Object({ interval: Type.Array(Type.Array(Type.Union([Type.String(), Type.Null()]))), trs: Type.String() }, { additionalProperties: false })),
      },
      { additionalProperties: false },
    ),
    links: Type.Array(Link),
  },
  { additionalProperties: false },
);
export type Collection = Static<typeof Collection>;

export const Collections = Type.Object({ links: Type.Array(Link), collections: Type.Array(Collection) }, { additionalProperties: false });

export const CollectionParams = Type.Object({ collectionId: Type.String({ maxLength: 128, description: 'regions, yield-gap, crop-samples, crop-map, field-reports, uncertain-places' }) });
export const FeatureParams = Type.Object({
  collectionId: CollectionParams.properties.collectionId,
  featureId: Type.String({ maxLength: 200, description: 'feature id (regions and yield-gap: the IBGE code; crop-samples: <dataset>-<sampleId>)' }),
});

export const ItemsQuery = Type.Object(
  {
    bbox: Type.Optional(Type.String({ maxLength: 400, description: 'west,south,east,north in WGS84 (CRS84); features intersecting it' })),
    limit: Type.Optional(Type.String({ maxLength: 20, description: `features per page, default ${DEFAULT_LIMIT}; values above ${MAX_LIMIT} are clamped to ${MAX_LIMIT} (header Granary-Limit-Clamped: <requested>, and the links carry limit=${MAX_LIMIT})` })),
    offset: Type.Optional(Type.String({ maxLength: 20, description: 'features to skip (default 0); use the next/prev links' })),
    datetime: Type.Optional(Type.String({ maxLength: 100, description: 'instant or interval (a/b, open ends ..): samples whose season intersects it (crop-samples); ignored by layers without dates' })),
    year: Type.Optional(Type.String({ maxLength: 16, description: 'regions, yield-gap: year of the indicators (default: latest year with complete data)' })),
    crop: Type.Optional(Type.String({ maxLength: 32, description: 'regions, yield-gap: a configured crop (default: the first)' })),
    f: Type.Optional(Type.String({ maxLength: 16, description: 'json (the only encoding)' })),
  },
  { additionalProperties: true, description: 'any other parameter is an exact-match filter on a queryable property (case-insensitive for strings), e.g. name=Sinop or label=Soy_Corn; unknown names are a 400' },
);

export const FeatureQuery = Type.Object(
  { year: Type.Optional(Type.String({ maxLength: 16 })), crop: Type.Optional(Type.String({ maxLength: 32 })), f: Type.Optional(Type.String({ maxLength: 16 })) },
  { additionalProperties: true },
);

// the document's own "$schema" and "$id" members are allowed as additional properties: declaring
// properties with those names would be read as schema keywords by the OpenAPI resolver
const Queryables = Type.Object(
  {
    type: Type.Literal('object'),
    title: Type.String(),
    properties: Type.Record(Type.String(), Type.Record(Type.String(), Type.Unknown())),
    additionalProperties: Type.Boolean(),
  },
  { additionalProperties: true, description: 'JSON Schema (2019-09) of the queryable properties, with $schema and $id' },
);

export const ItemsPage = media('a page of features with numberMatched, numberReturned, timeStamp and next/prev links', { [GEOJSON_MEDIA]: FeatureCollection });
export const OneFeature = media('one feature with self and collection links', { [GEOJSON_MEDIA]: Feature });
export const QueryablesDoc = media('the queryable properties as JSON Schema', { 'application/schema+json': Queryables });

export const LayerFileParams = Type.Object({ file: Type.String({ maxLength: 140, description: '<collection id>.geojson or <collection id>.csv, e.g. regions.geojson' }) });
export const LayerFileQuery = Type.Object({
  year: Type.Optional(Type.String({ maxLength: 16, description: 'regions, yield-gap: year of the indicators (default: the latest year with complete data)' })),
  crop: Type.Optional(Type.String({ maxLength: 32, description: 'regions, yield-gap: a configured crop (default: the first)' })),
});
export const LayerDownload = media('the whole layer as an attachment: GeoJSON (streamed) or CSV (tabular layers)', { [GEOJSON_MEDIA]: FeatureCollection, [CSV_MEDIA]: CsvText });
