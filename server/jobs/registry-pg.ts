/**
 * Registering a published crop map in PostgreSQL (cluster mode), in one transaction: the registry row
 * (replacing an older map of the same scene and model), its polygons in PostGIS (read from the
 * published .polygons.geojson, streamed a feature at a time and inserted in chunks through jsonb_array_elements), the footprint in the
 * ledger and the job marked done. A crash before COMMIT leaves the job running and the previous map
 * registered; the assemble step is then retried.
 */
import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import type { Feature } from 'geojson';
import { readPolygonFile } from '../cropmap/polygon-file.js';
import type { PgPool } from '../store/pg.js';
import type { CropMapPlan } from './plan.js';
import type { CropMapJobResult } from './types.js';

const CHUNK = 2000;

interface CropMapRegistration {
  jobId: string | null;
  plan: CropMapPlan;
  result: CropMapJobResult;
  footprint: { instance: string; cpuMs: number; joules: number; gCo2e: number; km2: number };
}

export async function registerCropMap(pg: PgPool, r: CropMapRegistration): Promise<void> {
  const id = basename(r.result.cog).replace(/\.tif$/, '');
  const sidecar = JSON.parse(await readFile(r.result.cog.replace(/\.tif$/, '') + '.json', 'utf8')) as unknown;
  const client = await pg.connect();
  try {
    await client.query('BEGIN');
    await client.query('DELETE FROM cropmaps WHERE id = $1', [id]);
    await client.query(
      `INSERT INTO cropmaps (id, scene_id, model_id, model_sha256, season, cog_path, sidecar, job_id) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
      [id, r.plan.scene.id, r.plan.model.id, r.plan.model.sha256, r.plan.params.season, r.result.cog, JSON.stringify(sidecar), r.jobId],
    );
    const insert = (chunk: Array<{ fid: number; properties: unknown; geometry: Feature['geometry'] }>) =>
      client.query(
        `INSERT INTO cropmap_polygons (cropmap_id, fid, properties, geom)
         SELECT $1, (f->>'fid')::int, f->'properties', ST_SetSRID(ST_GeomFromGeoJSON(f->>'geometry'), 4326) FROM jsonb_array_elements($2::jsonb) AS f`,
        [id, JSON.stringify(chunk)],
      );
    let chunk: Array<{ fid: number; properties: unknown; geometry: Feature['geometry'] }> = [];
    let i = 0;
    for await (const f of readPolygonFile(r.result.polygons)) {
      i++;
      chunk.push({ fid: typeof f.id === 'number' ? f.id : i, properties: f.properties ?? {}, geometry: f.geometry });
      if (chunk.length === CHUNK) {
        await insert(chunk);
        chunk = [];
      }
    }
    if (chunk.length > 0) await insert(chunk);
    const f = r.footprint;
    await client.query(`INSERT INTO footprint_ledger (instance, kind, cpu_ms, joules, g_co2e, km2, job_id) VALUES ($1, 'crop-map', $2, $3, $4, $5, $6)`, [f.instance, f.cpuMs, f.joules, f.gCo2e, f.km2, r.jobId]);
    if (r.jobId) await client.query(`UPDATE jobs SET state = 'done', result = $2, finished_at = now(), error = NULL WHERE id = $1`, [r.jobId, JSON.stringify(r.result)]);
    await client.query('COMMIT');
  } catch (e) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw e;
  } finally {
    client.release();
  }
}
