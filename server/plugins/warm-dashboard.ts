/**
 * Warm-up steps (plugins/warmup.ts) for the dashboard's first screen: the requests a new visitor's
 * page makes before its first map and its choropleth with ranking, made through the app itself
 * (inject, no socket) once after listen. Without them the first visitor after a start paid, on top of
 * compiling each route's schemas: the crop maps' class areas per municipality (one worker task per
 * municipality under a crop map, ~3 s on this machine, inside the first /api/yield-gap), the
 * boundaries' TopoJSON (~0.4 s) and the first decode of each scene's imagery blocks in each worker
 * (~0.2 s per tile).
 *
 * Each request is its own step, so a real request waits for at most one of them.
 */
import type { FastifyInstance } from 'fastify';
import { tileRangeForBBox } from '../geo/tile-grid.js';

async function get(app: FastifyInstance, url: string): Promise<unknown> {
  const res = await app.inject({ method: 'GET', url, headers: { accept: 'application/json', 'accept-encoding': 'identity' } });
  if (res.statusCode !== 200) throw new Error(`${url}: HTTP ${res.statusCode}`);
  return String(res.headers['content-type'] ?? '').includes('json') ? res.json() : null;
}

/**
 * The imagery tiles around a scene's centre at its TileJSON zoom and at its most detailed zoom (where
 * a desktop's first view of the scene lands), one per worker, so each worker decodes the scene's blocks.
 */
async function warmImagery(app: FastifyInstance, sceneId: string): Promise<void> {
  const base = `/tiles/${encodeURIComponent(sceneId)}`;
  const tj = (await get(app, `${base}/tilejson.json`)) as { center: [number, number, number]; maxzoom: number; tiles: string[] };
  const [lon, lat, zc] = tj.center;
  const query = tj.tiles[0]?.split('?')[1] ?? '';
  const cells = [[0, 0], [1, 0], [0, 1], [1, 1]].slice(0, Math.max(1, app.config.workers));
  for (const z of new Set([zc, tj.maxzoom])) {
    const { minX: x, minY: y } = tileRangeForBBox([lon, lat, lon, lat], z);
    await Promise.all(cells.map(([dx, dy]) => get(app, `${base}/${z}/${x + dx!}/${y + dy!}.png${query ? `?${query}` : ''}`)));
  }
}

export function addDashboardWarmup(app: FastifyInstance, opts: { first?: boolean } = {}): void {
  app.warmup.add('dashboard first visit', async () => {
    const crop = app.regions.defaultCrop;
    const year = app.regions.defaultYear;
    const steps: Array<[string, () => Promise<unknown>]> = [
      ['catalog', () => Promise.all(['/api/crops', '/api/scenes', '/api/colormaps'].map((u) => get(app, u)))],
      ...(crop ? ([
        [`yield-gap ${crop}`, () => get(app, `/api/yield-gap?crop=${encodeURIComponent(crop)}`)],
        [`normals ${crop} ${year}`, () => get(app, `/api/normals?crop=${encodeURIComponent(crop)}&year=${year}`)],
      ] as Array<[string, () => Promise<unknown>]>) : []),
      ['boundaries', () => get(app, '/api/boundaries/regions.topojson?detail=low')],
    ];
    for (const scene of await app.catalog.list()) {
      if (scene.purpose !== 'data') continue;
      steps.push([`scene ${scene.id}`, () => get(app, `/api/scenes/${encodeURIComponent(scene.id)}`)], [`imagery ${scene.id}`, () => warmImagery(app, scene.id)]);
    }
    // queued at the front in this order (each `first` goes before the ones queued so far)
    for (const [name, step] of steps.reverse()) app.warmup.add(`dashboard: ${name}`, step, { first: true });
  }, opts);
}
