/**
 * `npm run bench -- stages`: where an imagery tile's time goes. The same tiles as `gdal`, rendered
 * in this process by the worker's own code (createRasterContext, renderImageryTile) with the
 * decoded blocks warm, timed per stage (plan, read, warp, colourise, encode) in process CPU time
 * (steadier than wall time on a shared machine), once with every tile planned afresh and once with
 * the tile plans cached; then the same tiles through HTTP (one worker, rendered-tile cache off,
 * concurrency 1): "outside the worker" is this process's CPU per request (the workers are child
 * processes): messaging, Fastify and its plugins, and the fetch client, which runs here too.
 */
import { resolve } from 'node:path';
import { PACKAGE_ROOT, loadConfig } from '../../server/config.js';
import { Catalog } from '../../server/catalog/catalog.js';
import { ColormapRegistry } from '../../server/render/colormaps.js';
import { resolveSelection } from '../../server/pipeline/selection.js';
import { renderImageryTile } from '../../server/pipeline/tile.js';
import { newStageTimes, type StageTimes } from '../../server/pipeline/stage-times.js';
import { createRasterContext } from '../../server/workers/raster-context.js';
import { buildApp } from '../../server/app.js';
import { fmt } from './stats.js';
import { SCENES, tilesFor } from './gdal.js';

type Stage = Exclude<keyof StageTimes, 'clock'>;
const STAGES: Stage[] = ['plan', 'read', 'warp', 'colour', 'encode'];
const cpuMs = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};

export async function stageBench(log: (s: string) => void): Promise<Record<string, number>> {
  const fixtures = resolve(PACKAGE_ROOT, 'fixtures');
  const catalog = new Catalog(resolve(fixtures, 'catalog'));
  const colormaps = new ColormapRegistry();
  const results: Record<string, number> = {};
  const app = await buildApp(loadConfig({ GRANARY_WORKERS: '1', GRANARY_TILE_CACHE_MB: '0', GRANARY_LOG_LEVEL: 'silent', GRANARY_MAX_EVENT_LOOP_DELAY_MS: '0', GRANARY_RATE_LIMIT: '0' }));
  await app.listen({ port: 0, host: '127.0.0.1' });
  const addr = app.server.address();
  const port = typeof addr === 'object' && addr ? addr.port : 0;
  try {
    for (const c of SCENES) {
      const scene = await catalog.get(c.id);
      const sel = resolveSelection(scene, c.query, colormaps);
      const tiles = tilesFor(scene, c.zooms, 200);
      const ctx = createRasterContext({ policy: { readRoots: [fixtures], remoteHosts: [], remoteTimeoutMs: 5000 }, blockCacheBytes: 256 * 1024 * 1024 });
      const fresh = { ...ctx, plans: undefined };
      const run = async (context: typeof ctx | typeof fresh) => {
        const times = newStageTimes(cpuMs);
        const t0 = cpuMs();
        for (const [z, x, y] of tiles) await renderImageryTile(context, { scene, tile: { z, x, y, size: 256 }, format: 'png', sel }, undefined, times);
        const total = (cpuMs() - t0) / tiles.length;
        return { total, per: Object.fromEntries(STAGES.map((s) => [s, times[s] / tiles.length])) as Record<Stage, number> };
      };
      await run(ctx); // decode the blocks, fill the plan cache
      const planned = await run(fresh);
      const cached = await run(ctx);
      const qs = new URLSearchParams(c.query).toString();
      const url = ([z, x, y]: number[]) => `http://127.0.0.1:${port}/tiles/${c.id}/${z}/${x}/${y}.png${qs ? `?${qs}` : ''}`;
      for (const t of tiles) await (await fetch(url(t))).arrayBuffer(); // the server's worker: blocks and plans warm
      const worker0 = app.pool.stats.cpuMsByKind['imagery-tile'] ?? 0;
      const h0 = cpuMs();
      const w0 = performance.now();
      for (const t of tiles) await (await fetch(url(t))).arrayBuffer();
      const wall = (performance.now() - w0) / tiles.length;
      const all = (cpuMs() - h0) / tiles.length;
      const inWorker = ((app.pool.stats.cpuMsByKind['imagery-tile'] ?? 0) - worker0) / tiles.length;
      const line = (name: string, r: { total: number; per: Record<Stage, number> }) =>
        `  ${c.id} ${name}: ${STAGES.map((s) => `${s} ${fmt(r.per[s], 2)}`).join(', ')} | tile ${fmt(r.total, 2)} ms CPU`;
      log(line('every tile planned', planned));
      log(line('plans cached      ', cached));
      // The pool's workers are child processes: this process's CPU is the main thread and the client.
      log(`  ${c.id} over HTTP (1 worker, c=1): ${fmt(wall, 2)} ms wall per tile; CPU in the worker ${fmt(inWorker, 2)} ms, outside it (main thread + fetch client) ${fmt(all, 2)} ms`);
      for (const s of STAGES) results[`${c.id}.${s}`] = cached.per[s];
      results[`${c.id}.outside`] = all;
    }
  } finally {
    await app.close();
  }
  return results;
}
