/**
 * The crop-map collection in cluster mode: the newest crop map registered in PostgreSQL (by
 * `granary worker`, server/jobs/registry-pg.ts) and its polygons in PostGIS. Every request is
 * answered by SQL, so no request loads the whole layer (1.1 M polygons for a Mato Grosso map):
 *   describe  collection document: extent (ST_Extent), remembered per published map
 *   properties queryables and filters: property types (jsonb_typeof per key and type, one scan),
 *             remembered per published map
 *   query     /items pages: bbox through the GiST index (`&&`, then ST_Intersects for the exact
 *             test), property filters as parameterised WHERE clauses, limit and offset in the database
 *   feature   /items/{id} by primary key
 *   features  whole-layer downloads, read in keyset pages of PAGE polygons (pg-cursor is not a
 *             dependency; a keyset page holds no connection between reads)
 * The answers are the embedded mode's (registry.ts cropMapLayer): RFC 7946 geometry rounded to 6
 * decimals, the same property-type inference and filter semantics (property-filter.ts).
 */
import type { Geometry } from 'geojson';
import { CROP_MAP_PROPERTY_ORDER } from '../../cropmap/polygon-layer.js';
import { notFound } from '../../errors.js';
import type { PgPool } from '../../store/pg.js';
import type { Box } from './bbox.js';
import type { LayerDef, LayerSnapshot, PropType, PropValue, ServedFeature } from './layer-types.js';
import type { PropertyFilter } from './property-filter.js';
import { geometryBbox, rfc7946Geometry } from './rfc7946.js';

interface LayerPage {
  features: ServedFeature[];
  numberMatched: number;
}

/** A snapshot without its features: what the collection document and the queryables need. */
export type LayerMeta = Omit<LayerSnapshot, 'features' | 'byId'>;
/** LayerMeta without the property types (those take a scan of every polygon's properties) */
type LayerHead = Omit<LayerMeta, 'properties'>;

interface QueryableLayer extends LayerDef {
  /** title, extent, file name (collection document, download) */
  describe(): Promise<LayerHead>;
  /** property types (queryables, filters) */
  properties(): Promise<LayerMeta['properties']>;
  /** a page of features answered by the store (bbox, property filters, limit, offset) */
  query(q: { boxes: Box[] | null; filters: ReadonlyArray<PropertyFilter>; limit: number; offset: number }): Promise<LayerPage>;
  /** one feature by id, or null */
  feature(id: string): Promise<ServedFeature | null>;
  /** every feature in id order, read page by page */
  features(): Promise<{ meta: LayerHead; features: AsyncIterable<ServedFeature> }>;
}

export const isQueryableLayer = (l: LayerDef): l is QueryableLayer => 'query' in l && 'describe' in l;

const DESCRIPTION = 'The newest crop map as polygons (PostGIS, registered by the crop-map job): areas of one crop class each, with the properties written by the job.';
/** polygons per keyset page of a download */
const PAGE = 1000;
const INT4_MAX = 2 ** 31 - 1;

interface Row {
  fid: number;
  properties: Record<string, unknown>;
  g: string;
}
interface MapRow {
  id: string;
  scene_id: string;
  model_id: string;
  published_at: Date;
}

const scalar = (v: unknown): PropValue => (v === null || typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean' ? v : JSON.stringify(v));
const round6 = (v: number) => Math.round(v * 1e6) / 1e6;
/** jsonb keeps keys sorted by length: the writer's order first (as the embedded layer serves them), any other key after */
const rank = (k: string) => {
  const i = CROP_MAP_PROPERTY_ORDER.indexOf(k);
  return i < 0 ? CROP_MAP_PROPERTY_ORDER.length : i;
};
const inWriterOrder = <T>(entries: T[], key: (e: T) => string): T[] => entries.sort((a, b) => rank(key(a)) - rank(key(b)));

function feature(r: Row): ServedFeature {
  const geometry = rfc7946Geometry(JSON.parse(r.g) as Geometry);
  const properties: Record<string, PropValue> = {};
  for (const [k, v] of inWriterOrder(Object.entries(r.properties), (e) => e[0])) properties[k] = scalar(v);
  return { id: String(r.fid), geometry, bbox: geometryBbox(geometry), properties };
}

/** SQL for "intersects any of the boxes" with parameters appended to `params`. */
function boxCondition(boxes: Box[] | null, params: unknown[]): string {
  if (!boxes || boxes.length === 0) return 'TRUE';
  const parts = boxes.map((b) => {
    const p = params.length + 1;
    params.push(...b);
    const env = `ST_MakeEnvelope($${p}, $${p + 1}, $${p + 2}, $${p + 3}, 4326)`;
    return `(geom && ${env} AND ST_Intersects(geom, ${env}))`;
  });
  return `(${parts.join(' OR ')})`;
}

/**
 * SQL for the property filters (property-filter.ts semantics) with keys and values as parameters
 * appended to `params`: strings compare lower-cased with string values only (an object or array
 * value, served as its JSON text, matches when equal as JSON), numbers as float8 like JavaScript's ===.
 */
function filterCondition(filters: ReadonlyArray<PropertyFilter>, params: unknown[]): string {
  const parts = filters.map((f) => {
    params.push(f.key, f.type === 'number' ? String(f.value) : f.value);
    const [k, v] = [`$${params.length - 1}::text`, `$${params.length}`];
    if (f.type === 'boolean') return `(properties -> ${k}) = to_jsonb(${v}::boolean)`;
    if (f.type === 'number') return `(jsonb_typeof(properties -> ${k}) = 'number' AND (properties -> ${k})::float8 = ${v}::float8)`;
    let json: unknown;
    try {
      json = JSON.parse(f.value);
    } catch {
      json = undefined;
    }
    const structured = json !== null && typeof json === 'object';
    if (structured) params.push(JSON.stringify(json));
    return `((jsonb_typeof(properties -> ${k}) = 'string' AND lower(properties ->> ${k}) = ${v}::text)${structured ? ` OR (jsonb_typeof(properties -> ${k}) IN ('object', 'array') AND (properties -> ${k}) = $${params.length}::jsonb)` : ''})`;
  });
  return parts.length > 0 ? parts.join(' AND ') : 'TRUE';
}

/** Property types as registry.ts inferTypes: integer and number widen to number, other mixes to string, only nulls to string. */
function propertyTypes(rows: ReadonlyArray<{ k: string; types: string[] }>): LayerMeta['properties'] {
  const out: LayerMeta['properties'] = {};
  for (const { k, types } of inWriterOrder([...rows], (r) => r.k)) {
    const t = new Set(types.filter((x) => x !== 'null').map((x) => (x === 'object' || x === 'array' ? 'string' : x)));
    const type: PropType = t.size === 0 ? 'string' : t.size === 1 ? ([...t][0] as PropType) : [...t].every((x) => x === 'integer' || x === 'number') ? 'number' : 'string';
    out[k] = { type, description: k };
  }
  return out;
}

/** `make` remembered for the newest map only (a newer map replaces it); a failure is not remembered. */
function perMap<T>(make: (m: MapRow) => Promise<T>): (m: MapRow) => Promise<T> {
  let slot: { key: string; value: Promise<T> } | null = null;
  return (m) => {
    const key = `${m.id}|${m.published_at.toISOString()}`;
    if (slot?.key === key) return slot.value;
    const value = make(m);
    const mine = { key, value };
    slot = mine;
    value.catch(() => {
      if (slot === mine) slot = null;
    });
    return value;
  };
}

export function pgCropMapLayer(pg: PgPool): QueryableLayer {
  // per published map: the head (extent, one ST_Extent over the GiST-indexed rows, ~0.6 s for 1.1 M
  // polygons) and the property types (one scan of every jsonb, ~6 s for 1.1 M), each computed once
  // (concurrent requests share the promise) and only when a request needs it
  const newest = async () => (await pg.query<MapRow>('SELECT id, scene_id, model_id, published_at FROM cropmaps ORDER BY published_at DESC LIMIT 1')).rows[0] ?? null;
  const current = async (): Promise<MapRow> => {
    const m = await newest();
    if (!m) throw notFound('no crop map has been published yet');
    return m;
  };
  const headOf = async (m: MapRow): Promise<LayerHead> => {
    const ext = await pg.query<{ x0: number | null; y0: number | null; x1: number | null; y1: number | null }>(
      'SELECT ST_XMin(e) AS x0, ST_YMin(e) AS y0, ST_XMax(e) AS x1, ST_YMax(e) AS y1 FROM (SELECT ST_Extent(geom) AS e FROM cropmap_polygons WHERE cropmap_id = $1) s',
      [m.id],
    );
    const x = ext.rows[0];
    const bbox: [number, number, number, number] = x && x.x0 !== null ? [round6(x.x0), round6(x.y0!), round6(x.x1!), round6(x.y1!)] : [-180, -90, 180, 90];
    return {
      title: `Crop map ${m.id}`,
      description: `${DESCRIPTION} Map ${m.id} (scene ${m.scene_id}, model ${m.model_id}).`,
      extent: { bbox, interval: null },
      params: {},
      filename: `crop-map_${m.id}`,
      csvColumns: null,
      geometryType: 'Polygon',
    };
  };
  const typesOf = async (m: MapRow): Promise<LayerMeta['properties']> => {
    // one row per property key and value type, with the first fid carrying it (hash aggregate, one scan)
    const { rows } = await pg.query<{ k: string; t: string; first: number }>(
      `SELECT e.key AS k, CASE WHEN jsonb_typeof(e.value) = 'number' THEN CASE WHEN (e.value)::numeric % 1 = 0 THEN 'integer' ELSE 'number' END ELSE jsonb_typeof(e.value) END AS t, min(p.fid) AS first
       FROM cropmap_polygons p, jsonb_each(p.properties) AS e(key, value) WHERE p.cropmap_id = $1 GROUP BY 1, 2`,
      [m.id],
    );
    const keys = new Map<string, { first: number; types: string[] }>();
    for (const r of rows) {
      const k = keys.get(r.k) ?? { first: r.first, types: [] };
      k.first = Math.min(k.first, r.first);
      k.types.push(r.t);
      keys.set(r.k, k);
    }
    // first-seen order, as inferTypes over the features in fid order; within a feature jsonb's key order (length, then bytes)
    const jsonbOrder = (a: string, b: string) => Buffer.byteLength(a) - Buffer.byteLength(b) || Buffer.compare(Buffer.from(a), Buffer.from(b));
    const ordered = [...keys].sort(([a, x], [b, y]) => x.first - y.first || jsonbOrder(a, b));
    return propertyTypes(ordered.map(([k, v]) => ({ k, types: v.types })));
  };
  const describeMap = perMap(headOf);
  const propertiesOf = perMap(typesOf);

  return {
    id: 'crop-map',
    title: 'Crop map (polygons)',
    description: DESCRIPTION,
    params: {},
    tabular: false,
    available: async () => (await newest()) !== null,
    snapshot: () => Promise.reject(new Error('the cluster crop map is answered by SQL (describe, query, feature, features), never loaded whole')),
    describe: async () => describeMap(await current()),
    properties: async () => propertiesOf(await current()),
    query: async ({ boxes, filters, limit, offset }) => {
      const m = await current();
      const params: unknown[] = [m.id];
      const where = `cropmap_id = $1 AND ${boxCondition(boxes, params)} AND ${filterCondition(filters, params)}`;
      const n = params.length + 1;
      const [page, count] = await Promise.all([
        pg.query<Row>(`SELECT fid, properties, ST_AsGeoJSON(geom, 6) AS g FROM cropmap_polygons WHERE ${where} ORDER BY fid LIMIT $${n} OFFSET $${n + 1}`, [...params, limit, offset]),
        pg.query<{ n: string }>(`SELECT count(*) AS n FROM cropmap_polygons WHERE ${where}`, params),
      ]);
      return { features: page.rows.map(feature), numberMatched: Number(count.rows[0]!.n) };
    },
    feature: async (id) => {
      const m = await current();
      // ids are the canonical text of an int4 fid ("7", not "07" nor "7.0"), as the embedded layer's map keys
      if (!/^-?(0|[1-9]\d{0,9})$/.test(id) || Math.abs(Number(id)) > INT4_MAX || id === '-0') return null;
      const { rows } = await pg.query<Row>('SELECT fid, properties, ST_AsGeoJSON(geom, 6) AS g FROM cropmap_polygons WHERE cropmap_id = $1 AND fid = $2 LIMIT 1', [m.id, Number(id)]);
      return rows[0] ? feature(rows[0]) : null;
    },
    features: async () => {
      const m = await current();
      const meta = await describeMap(m);
      async function* pages(): AsyncGenerator<ServedFeature> {
        let after = -INT4_MAX - 2; // below every int4 fid
        for (;;) {
          const { rows } = await pg.query<Row>('SELECT fid, properties, ST_AsGeoJSON(geom, 6) AS g FROM cropmap_polygons WHERE cropmap_id = $1 AND fid > $2::bigint ORDER BY fid LIMIT $3', [m.id, after, PAGE]);
          for (const r of rows) yield feature(r);
          if (rows.length < PAGE) return;
          after = rows[rows.length - 1]!.fid;
        }
      }
      return { meta, features: pages() };
    },
  };
}
