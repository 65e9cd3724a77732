/**
 * Warm-up step (plugins/warmup.ts): one crop tile of the first scene the default model can classify,
 * at the centre of its TileJSON, requested through the app itself (inject, no socket), once. It
 * opens the model's ONNX session and decodes and classifies the scene's native block in the worker
 * that crop tiles of that block go to (the pool's affinity), so the first crop tile a user asks for
 * there costs about what an imagery tile costs (issue #17: within 60 ms of it) instead of ~1 s.
 * Once, not once per worker: a warm-up that occupied every worker made the first imagery tile
 * after start wait for it (~170 ms at load 10); the other workers stay free for interactive work.
 * It waits until every worker is up (the pool starts the second when the first is ready), so it
 * never takes the only worker there is.
 */
import type { FastifyInstance } from 'fastify';
import { tileRangeForBBox } from '../geo/tile-grid.js';
import { unlessAborted } from './warmup.js';

/** How long the warm-up waits for every worker to be up before it goes on anyway. */
export const WARMUP_POOL_WAIT_MS = 15_000;

/** `signal`: the warm-up's (aborted at shutdown: it stops waiting, and sends no further request) */
export async function warmCropTile(app: FastifyInstance, signal: AbortSignal): Promise<void> {
  await unlessAborted(app.pool.ready(WARMUP_POOL_WAIT_MS), signal);
  let model;
  try {
    model = await app.models.get();
  } catch {
    return; // no model installed: nothing to warm
  }
  for (const scene of await app.catalog.list()) {
    if (!model.variables.every((v) => scene.variables.includes(v))) continue;
    signal.throwIfAborted();
    const tj = await app.inject({ method: 'GET', url: `/tiles/${encodeURIComponent(scene.id)}/crops/tilejson.json` });
    if (tj.statusCode !== 200) continue;
    const [lon, lat, z] = (tj.json() as { center: [number, number, number] }).center;
    const { minX: x, minY: y } = tileRangeForBBox([lon, lat, lon, lat], z);
    const url = `/tiles/${encodeURIComponent(scene.id)}/crops/${z}/${x}/${y}.png`;
    signal.throwIfAborted();
    await app.inject({ method: 'GET', url });
    return;
  }
}
