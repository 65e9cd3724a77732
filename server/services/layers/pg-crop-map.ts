/**
 * The crop-map collection in cluster mode: the newest crop map registered in PostgreSQL (by
 * `granary worker`, server/jobs/registry-pg.ts) and its polygons in PostGIS. `query` answers
 * /items pages in SQL: bbox through the GiST index (`&&`, then ST_Intersects for the exact test),
 * limit and offset in the database, so a page never loads the whole layer. `snapshot` (collection
 * document, queryables, whole-layer downloads) still reads every polygon, once per published map.
 */
import type { Geometry } from 'geojson';
import { notFound } from '../../errors.js';
import type { PgPool } from '../../store/pg.js';
import type { Box } from './bbox.js';
import type { LayerDef, LayerSnapshot, PropType, PropValue, ServedFeature } from './layer-types.js';
import { geometryBbox } from './rfc7946.js';

export interface LayerPage {
  features: ServedFeature[];
  numberMatched: number;
}

export interface QueryableLayer extends LayerDef {
  /** a page of features answered by the store (bbox, limit, offset) */
  query(q: { boxes: Box[] | null; limit: number; offset: number }): Promise<LayerPage>;
}

const DESCRIPTION = 'The newest crop map as polygons (PostGIS, registered by the crop-map job): areas of one crop class each, with the properties written by the job.';

interface Row {
  fid: number;
  properties: Record<string, unknown>;
  g: string;
}

const scalar = (v: unknown): PropValue => (v === null || typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean' ? v : JSON.stringify(v));

function feature(r: Row): ServedFeature {
  const geometry = JSON.parse(r.g) as Geometry;
  const properties: Record<string, PropValue> = {};
  for (const [k, v] of Object.entries(r.properties)) properties[k] = scalar(v);
  return { id: String(r.fid), geometry, bbox: geometryBbox(geometry), properties };
}

/** SQL for "intersects any of the boxes" over parameters starting at $start. */
function boxCondition(boxes: Box[] | null, start: number): { sql: string; params: number[] } {
  if (!boxes || boxes.length === 0) return { sql: 'TRUE', params: [] };
  const parts: string[] = [];
  const params: number[] = [];
  boxes.forEach((b, i) => {
    const p = start + i * 4;
    parts.push(`(geom && ST_MakeEnvelope($${p}, $${p + 1}, $${p + 2}, $${p + 3}, 4326) AND ST_Intersects(geom, ST_MakeEnvelope($${p}, $${p + 1}, $${p + 2}, $${p + 3}, 4326)))`);
    params.push(...b);
  });
  return { sql: `(${parts.join(' OR ')})`, params };
}

export function pgCropMapLayer(pg: PgPool): QueryableLayer {
  let memo: { key: string; snap: LayerSnapshot } | null = null;
  const newest = async () => (await pg.query<{ id: string; scene_id: string; model_id: string; published_at: Date }>('SELECT id, scene_id, model_id, published_at FROM cropmaps ORDER BY published_at DESC LIMIT 1')).rows[0] ?? null;
  const def: QueryableLayer = {
    id: 'crop-map',
    title: 'Crop map (polygons)',
    description: DESCRIPTION,
    params: {},
    tabular: false,
    available: async () => (await newest()) !== null,
    snapshot: async () => {
      const m = await newest();
      if (!m) throw notFound('no crop map has been published yet');
      const key = `${m.id}|${m.published_at.toISOString()}`;
      if (memo?.key === key) return memo.snap;
      const { rows } = await pg.query<Row>('SELECT fid, properties, ST_AsGeoJSON(geom, 6) AS g FROM cropmap_polygons WHERE cropmap_id = $1 ORDER BY fid', [m.id]);
      const features = rows.map(feature);
      const ext = await pg.query<{ b: string | null }>('SELECT ST_Extent(geom)::text AS b FROM cropmap_polygons WHERE cropmap_id = $1', [m.id]);
      const nums = ext.rows[0]?.b?.match(/-?[\d.]+(e-?\d+)?/g)?.map(Number);
      const props: Record<string, { type: PropType; description: string }> = {};
      for (const f of features.slice(0, 1)) for (const [k, v] of Object.entries(f.properties)) props[k] = { type: typeof v === 'number' ? (Number.isInteger(v) ? 'integer' : 'number') : typeof v === 'boolean' ? 'boolean' : 'string', description: k };
      const snap: LayerSnapshot = {
        title: `Crop map ${m.id}`,
        description: `${DESCRIPTION} Map ${m.id} (scene ${m.scene_id}, model ${m.model_id}).`,
        features,
        byId: new Map(features.map((f) => [f.id, f])),
        properties: props,
        extent: { bbox: nums && nums.length === 4 ? (nums as [number, number, number, number]) : [-180, -90, 180, 90], interval: null },
        params: {},
        filename: `crop-map_${m.id}`,
        csvColumns: null,
        geometryType: 'Polygon',
      };
      memo = { key, snap };
      return snap;
    },
    query: async ({ boxes, limit, offset }) => {
      const m = await newest();
      if (!m) throw notFound('no crop map has been published yet');
      const cond = boxCondition(boxes, 2);
      const where = `cropmap_id = $1 AND ${cond.sql}`;
      const n = cond.params.length + 2;
      const [page, count] = await Promise.all([
        pg.query<Row>(`SELECT fid, properties, ST_AsGeoJSON(geom, 6) AS g FROM cropmap_polygons WHERE ${where} ORDER BY fid LIMIT $${n} OFFSET $${n + 1}`, [m.id, ...cond.params, limit, offset]),
        pg.query<{ n: string }>(`SELECT count(*) AS n FROM cropmap_polygons WHERE ${where}`, [m.id, ...cond.params]),
      ]);
      return { features: page.rows.map(feature), numberMatched: Number(count.rows[0]!.n) };
    },
  };
  return def;
}
