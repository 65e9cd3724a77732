/**
 * OGC API - Features (Part 1 core + GeoJSON + OAS 3.0; Part 3 queryables as query parameters).
 *
 * `GET /` is the dashboard, so the landing page is `GET /ogc` (the URL to give QGIS or
 * `ogrinfo OAPIF:http://host:port/ogc`). Its links point to `/ogc/conformance` and
 * `/ogc/collections...`; the same resources are also served at the root (`/conformance`,
 * `/collections...`), as the API contract names them.
 *
 * items: bbox (WGS84), limit (default 100; above 1000 clamped to 1000, announced by the
 * `Granary-Limit-Clamped` header and visible in the links), offset, datetime (layers with seasons),
 * the layer's own parameters (year, crop) and exact-match property filters (`name=sinop`;
 * case-insensitive on strings; unknown property names are a 400).
 */
import type { FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { Static } from 'typebox';
import { badRequest, notFound } from '../../errors.js';
import { problemResponses } from '../../contract/common.js';
import { CollectionParams, Collections, Collection, Conformance, DEFAULT_LIMIT, FeatureParams, FeatureQuery, ItemsPage, ItemsQuery, Landing, MAX_LIMIT, OneFeature, QueryablesDoc } from '../../contract/ogc.js';
import { originOf } from '../origin.js';
import { GEOJSON_TYPE } from '../layers/http.js';
import { intersectsBoxes, parseBbox, type Box } from '../../services/layers/bbox.js';
import type { LayerDef, ServedFeature } from '../../services/layers/layer-types.js';
import { isQueryableLayer, type LayerMeta } from '../../services/layers/pg-crop-map.js';
import { matchesAll, parsePropertyFilters, type PropertyFilter } from '../../services/layers/property-filter.js';

const CRS84 = 'http://www.opengis.net/def/crs/OGC/1.3/CRS84';
const CONFORMANCE = [
  'http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core',
  'http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/geojson',
  'http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/oas30',
  'http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/queryables',
  'http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/queryables-query-parameters',
];
const RESERVED = new Set(['bbox', 'bbox-crs', 'limit', 'offset', 'f', 'datetime', 'crs']);

type Query = Record<string, string | string[] | undefined>;
const one = (v: string | string[] | undefined): string | undefined => (Array.isArray(v) ? v[0] : v);

interface OgcOptions {
  /** '' (root) or '/ogc' */
  base: '' | '/ogc';
}

function parseCount(raw: string | undefined, name: string, fallback: number, min: number): number {
  if (raw === undefined || raw === '') return fallback;
  if (!/^\d+$/.test(raw)) throw badRequest(`${name} "${raw.slice(0, 20)}" is not a non-negative integer`);
  const n = Number(raw);
  if (n < min) throw badRequest(`${name} must be >= ${min}`);
  return n;
}

function parseInstant(s: string, raw: string): number | null {
  if (s === '..' || s === '') return null;
  const t = Date.parse(s);
  if (Number.isNaN(t)) throw badRequest(`datetime "${raw.slice(0, 60)}" is not an RFC 3339 date-time or interval (e.g. 2013-09-14/2014-08-29, ../2014-01-01)`);
  return t;
}

function parseDatetime(raw: string | undefined): [number, number] | null {
  if (raw === undefined || raw === '') return null;
  const parts = raw.split('/');
  if (parts.length > 2) throw badRequest(`datetime "${raw.slice(0, 60)}" has more than two parts`);
  const a = parseInstant(parts[0]!, raw);
  const b = parts.length === 2 ? parseInstant(parts[1]!, raw) : a;
  return [a ?? -Infinity, b ?? Infinity];
}

function checkCrs(q: Query): void {
  for (const k of ['bbox-crs', 'crs']) {
    const v = one(q[k]);
    if (v !== undefined && v !== '' && v !== CRS84 && v !== 'EPSG:4326' && v !== 'http://www.opengis.net/def/crs/EPSG/0/4326') throw badRequest(`${k} ${v.slice(0, 80)} is not supported: only ${CRS84} (WGS84 longitude/latitude)`);
  }
  const f = one(q['f']);
  if (f !== undefined && f !== '' && !['json', 'geojson', 'application/geo+json', 'application/json'].includes(f)) throw badRequest(`f=${f.slice(0, 20)} is not supported; this server answers JSON / GeoJSON (f=json)`);
}

/** Layer parameters (year, crop) from the query. */
function layerParams(layer: LayerDef, q: Query): Record<string, string | undefined> {
  return Object.fromEntries(Object.keys(layer.params).map((k) => [k, one(q[k])]));
}

/** The exact-match property filters of the query (unknown names and ill-typed values are a 400). */
function propertyFilters(layer: LayerDef, properties: LayerMeta['properties'], q: Query): PropertyFilter[] {
  return parsePropertyFilters(layer, properties, RESERVED, Object.fromEntries(Object.entries(q).map(([k, v]) => [k, one(v)])));
}

/** What the collection document needs; a layer kept in a database answers it with an aggregate. */
function describeLayer(layer: LayerDef): Promise<Pick<LayerMeta, 'extent'>> {
  return isQueryableLayer(layer) ? layer.describe() : layer.snapshot({});
}

/** What the queryables need (a layer kept in a database: property types from one aggregate scan). */
async function layerProperties(layer: LayerDef): Promise<Pick<LayerMeta, 'properties' | 'geometryType'>> {
  return isQueryableLayer(layer) ? { properties: await layer.properties(), geometryType: (await layer.describe()).geometryType } : layer.snapshot({});
}

function itemsUrl(origin: string, base: string, id: string, q: Query, over: Record<string, string>): string {
  const p = new URLSearchParams();
  for (const [k, v] of Object.entries(q)) if (v !== undefined && !(k in over)) for (const x of Array.isArray(v) ? v : [v]) p.append(k, x);
  for (const [k, v] of Object.entries(over)) p.set(k, v);
  return `${origin}${base}/collections/${encodeURIComponent(id)}/items?${p.toString()}`;
}

/** The items document of one page (links self/collection/next/prev, numberMatched/numberReturned). */
function itemsDoc(origin: string, base: string, id: string, q: Query, params: Record<string, string>, limit: number, offset: number, page: ServedFeature[], matched: number) {
  const fixed = { ...q, ...params };
  const links = [
    { rel: 'self', type: GEOJSON_TYPE, title: 'this page', href: itemsUrl(origin, base, id, fixed, { limit: String(limit), offset: String(offset) }) },
    { rel: 'collection', type: 'application/json', title: 'the collection', href: `${origin}${base}/collections/${id}` },
    ...(offset + page.length < matched ? [{ rel: 'next', type: GEOJSON_TYPE, title: 'next page', href: itemsUrl(origin, base, id, fixed, { limit: String(limit), offset: String(offset + limit) }) }] : []),
    ...(offset > 0 ? [{ rel: 'prev', type: GEOJSON_TYPE, title: 'previous page', href: itemsUrl(origin, base, id, fixed, { limit: String(limit), offset: String(Math.max(0, offset - limit)) }) }] : []),
  ];
  return {
    type: 'FeatureCollection',
    numberMatched: matched,
    numberReturned: page.length,
    timeStamp: new Date().toISOString(),
    links,
    features: page.map((f) => ({ type: 'Feature', id: f.id, geometry: f.geometry, properties: f.properties })),
  };
}

function collectionDoc(origin: string, base: string, layer: LayerDef, snap: Pick<LayerMeta, 'extent'>): Static<typeof Collection> {
  const href = `${origin}${base}/collections/${layer.id}`;
  const params = Object.entries(layer.params).map(([k, d]) => `${k}: ${d}`).join('; ');
  return {
    id: layer.id,
    title: layer.title,
    description: layer.description + (params ? ` Parameters of /items: ${params}.` : ''),
    itemType: 'feature' as const,
    crs: [CRS84],
    storageCrs: CRS84,
    extent: {
      spatial: { bbox: [snap.extent.bbox], crs: CRS84 },
      ...(snap.extent.interval ? { temporal: { interval: [snap.extent.interval.map((d) => `${d}T00:00:00Z`)], trs: 'http://www.opengis.net/def/uom/ISO-8601/0/Gregorian' } } : {}),
    },
    links: [
      { rel: 'self', type: 'application/json', title: 'this collection', href },
      { rel: 'items', type: GEOJSON_TYPE, title: 'the features', href: `${href}/items` },
      { rel: 'http://www.opengis.net/def/rel/ogc/1.0/queryables', type: 'application/schema+json', title: 'queryable properties', href: `${href}/queryables` },
      { rel: 'enclosure', type: GEOJSON_TYPE, title: 'the whole layer as one GeoJSON download', href: `${origin}/api/layers/${layer.id}.geojson` },
      ...(layer.tabular ? [{ rel: 'alternate', type: 'text/csv', title: 'the layer as CSV (no geometry)', href: `${origin}/api/layers/${layer.id}.csv` }] : []),
    ],
  };
}

export default (async function ogcRoutes(app, opts) {
  const base = opts.base;
  const hide = base !== '';
  const layers = app.layers;
  const tags = ['ogc-features'];

  const landing = async (req: FastifyRequest) => {
    const origin = originOf(req);
    const root = `${origin}/ogc`;
    return {
      title: 'Granary OGC API - Features',
      description: 'Regions with food-security indicators, yield gaps, labelled crop samples and crop maps as GeoJSON feature collections (WGS84). Open this URL in QGIS (OGC API - Features) or with ogrinfo OAPIF:<this URL>.',
      links: [
        { rel: 'self', type: 'application/json', title: 'this document', href: root },
        { rel: 'service-desc', type: 'application/vnd.oai.openapi+json;version=3.0', title: 'the API definition', href: `${origin}/openapi.json` },
        { rel: 'service-doc', type: 'text/html', title: 'the API documentation', href: `${origin}/docs` },
        { rel: 'conformance', type: 'application/json', title: 'conformance classes', href: `${root}/conformance` },
        { rel: 'data', type: 'application/json', title: 'the collections', href: `${root}/collections` },
      ],
    };
  };
  if (base === '/ogc') {
    app.get('/ogc', { schema: { tags, summary: 'OGC API - Features landing page (the dashboard has /)', response: { 200: Landing } } }, landing);
    app.get('/ogc/', { schema: { hide: true } }, landing);
  }

  app.get(`${base}/conformance`, { schema: { hide, tags, summary: 'OGC API conformance classes', response: { 200: Conformance } } }, async () => ({ conformsTo: CONFORMANCE }));

  app.get(`${base}/collections`, { schema: { hide, tags, summary: 'The feature collections (layers)', response: { 200: Collections } } }, async (req) => {
    const origin = originOf(req);
    const avail = await layers.available();
    const docs = await Promise.all(avail.map(async (l) => collectionDoc(origin, base, l, await describeLayer(l))));
    return { links: [{ rel: 'self', type: 'application/json', href: `${origin}${base}/collections` }], collections: docs };
  });

  app.get(`${base}/collections/:collectionId`, { schema: { hide, tags, summary: 'One collection: title, description, extent, links', params: CollectionParams, response: { 200: Collection, ...problemResponses } } }, async (req) => {
    const layer = await layers.get(req.params.collectionId);
    return collectionDoc(originOf(req), base, layer, await describeLayer(layer));
  });

  app.get(`${base}/collections/:collectionId/queryables`, { schema: { hide, tags, summary: 'Properties usable as exact-match filters on /items (JSON Schema)', params: CollectionParams, response: { 200: QueryablesDoc, ...problemResponses } } }, async (req, reply) => {
    const layer = await layers.get(req.params.collectionId);
    const snap = await layerProperties(layer);
    const href = `${originOf(req)}${base}/collections/${layer.id}/queryables`;
    const geometry = snap.geometryType === 'Point' ? 'https://geojson.org/schema/Point.json' : 'https://geojson.org/schema/Geometry.json';
    const doc = {
      $schema: 'https://json-schema.org/draft/2019-09/schema',
      $id: href,
      type: 'object',
      title: layer.title,
      properties: { geometry: { $ref: geometry }, ...Object.fromEntries(Object.entries(snap.properties).map(([k, p]) => [k, { type: p.type, description: p.description }])) },
      additionalProperties: false,
    };
    return reply.type('application/schema+json').send(JSON.stringify(doc));
  });


  app.get(
    `${base}/collections/:collectionId/items`,
    {
      schema: {
        hide,
        tags,
        summary: 'Features of a collection (application/geo+json, RFC 7946), paged with numberMatched, numberReturned and next/prev links',
        params: CollectionParams,
        querystring: ItemsQuery,
        response: { 200: ItemsPage, ...problemResponses },
      },
    },
    async (req, reply) => {
      const layer = await layers.get(req.params.collectionId);
      const q = req.query;
      checkCrs(q);
      const requested = parseCount(one(q['limit']), 'limit', DEFAULT_LIMIT, 1);
      const limit = Math.min(requested, MAX_LIMIT);
      if (requested > MAX_LIMIT) reply.header('Granary-Limit-Clamped', String(requested));
      const offset = parseCount(one(q['offset']), 'offset', 0, 0);
      const boxes: Box[] | null = parseBbox(one(q['bbox']));
      const when = parseDatetime(one(q['datetime']));
      // a layer kept in a database answers pages itself, filters included (cluster mode's crop map; its
      // features have no season, so datetime filters nothing, as for the embedded crop map)
      if (isQueryableLayer(layer)) {
        // the property types (one scan per published map) only when the query filters on properties
        const filtering = Object.keys(q).some((k) => !RESERVED.has(k) && !Object.hasOwn(layer.params, k));
        const filters = filtering ? propertyFilters(layer, await layer.properties(), q) : [];
        const page = await layer.query({ boxes, filters, limit, offset });
        return reply.type(GEOJSON_TYPE).header('Content-Crs', `<${CRS84}>`).send(JSON.stringify(itemsDoc(originOf(req), base, layer.id, q, {}, limit, offset, page.features, page.numberMatched)));
      }
      const snap = await layer.snapshot(layerParams(layer, q));
      const filters = propertyFilters(layer, snap.properties, q);
      const matched = snap.features.filter((f) => {
        if (boxes && !intersectsBoxes(f.geometry, f.bbox, boxes)) return false;
        if (when && f.interval) {
          const s = Date.parse(f.interval[0]);
          const e = Date.parse(f.interval[1]);
          if (!(s <= when[1] && e >= when[0])) return false;
        }
        return matchesAll(f, filters);
      });
      const page = matched.slice(offset, offset + limit);
      const doc = itemsDoc(originOf(req), base, layer.id, q, snap.params, limit, offset, page, matched.length);
      return reply.type(GEOJSON_TYPE).header('Content-Crs', `<${CRS84}>`).send(JSON.stringify(doc));
    },
  );

  app.get(
    `${base}/collections/:collectionId/items/:featureId`,
    {
      schema: {
        hide,
        tags,
        summary: 'One feature (application/geo+json)',
        params: FeatureParams,
        querystring: FeatureQuery,
        response: { 200: OneFeature, ...problemResponses },
      },
    },
    async (req, reply) => {
      const layer = await layers.get(req.params.collectionId);
      checkCrs(req.query);
      const f = isQueryableLayer(layer) ? await layer.feature(req.params.featureId) : (await layer.snapshot(layerParams(layer, req.query))).byId.get(req.params.featureId);
      if (!f) throw notFound(`collection ${layer.id} has no feature "${req.params.featureId.slice(0, 80)}"; list the ids with /collections/${layer.id}/items`);
      const origin = originOf(req);
      const doc = {
        type: 'Feature',
        id: f.id,
        geometry: f.geometry,
        properties: f.properties,
        links: [
          { rel: 'self', type: GEOJSON_TYPE, href: `${origin}${base}/collections/${layer.id}/items/${encodeURIComponent(f.id)}` },
          { rel: 'collection', type: 'application/json', href: `${origin}${base}/collections/${layer.id}` },
        ],
      };
      return reply.type(GEOJSON_TYPE).header('Content-Crs', `<${CRS84}>`).send(JSON.stringify(doc));
    },
  );
}) satisfies FastifyPluginAsyncTypebox<OgcOptions>;
