/**
 * Fair scheduling: tile latency of one client while another sends heavy zonal statistics
 * (POST /api/zonal-stats, 40 polygons over the whole Sinop scene, two in flight), beside the
 * same tiles with no bulk load, and beside the same load with lanes off (every task in one lane:
 * the pool before lanes). One interactive and one bulk worker process (GRANARY_WORKERS=1).
 *   npm run bench -- fair
 */
import type { FastifyInstance } from 'fastify';
import { createTestApp, SINOP } from '../helpers/test-app.js';
import type { WorkerPool } from '../../server/workers/pool.js';
import type { TaskMap } from '../../server/workers/tasks.js';
import { fmt, percentile } from './stats.js';



export interface FairFigures {
  baseline: number[];
  loaded: number[];
  interactiveWaitMaxMs: number;
  bulkRequests: number;
}

function heavyZonal(bbox: [number, number, number, number], count: number): string {
  const [w, s, e, n] = bbox;
  const features = Array.from({ length: count }, (_, i) => {
    const d = (i % 7) * 1e-4; // distinct rings, each over the whole scene
    return { type: 'Feature', properties: { i }, geometry: { type: 'Polygon', coordinates: [[[w - d, s - d], [e + d, s - d], [e + d, n + d], [w - d, n + d], [w - d, s - d]]] } };
  });
  return JSON.stringify({ type: 'FeatureCollection', features });
}

async function tiles(app: FastifyInstance, n: number, salt: number): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    // a different rescale per request: never served from the tile cache
    const url = `/tiles/sinop/${11 + (i % 3)}/${[708, 1416, 2832][i % 3]! + (i % 2)}/${[1090, 2181, 4362][i % 3]!}.png?variable=ndvi&rescale=0,${(0.9 + salt + i * 1e-6).toFixed(7)}`;
    const t0 = performance.now();
    const res = await app.inject({ url, remoteAddress: '10.0.0.2' });
    if (res.statusCode !== 200) throw new Error(`tile ${url}: ${res.statusCode} ${res.body.slice(0, 200)}`);
    out.push(performance.now() - t0);
  }
  return out;
}

/** Tile latencies without and with a heavy zonal load from another client. */
export async function measureFairness(opts: { lanes: boolean; tiles: number; features: number }): Promise<FairFigures> {
  const t = await createTestApp({ scenes: [SINOP], env: { GRANARY_RATE_LIMIT: '0', GRANARY_WORKERS: '1', GRANARY_BULK_WORKERS: '1', GRANARY_BULK_CPU_S_PER_MIN: '0', GRANARY_TASK_TIMEOUT_MS: '120000', GRANARY_MAX_EVENT_LOOP_DELAY_MS: '0' } });
  try {
    const pool = t.app.pool as WorkerPool<TaskMap>;
    if (!opts.lanes) (pool as unknown as { opts: { lanes: Record<string, string> } }).opts.lanes = {}; // the pool before lanes: one queue
    await pool.ready();
    const scene = (await t.app.inject({ url: '/api/scenes/sinop' })).json() as { bbox: [number, number, number, number] };
    const body = heavyZonal(scene.bbox, opts.features);
    await tiles(t.app, 3, 0.5); // warm up
    const baseline = await tiles(t.app, opts.tiles, 0);
    let stop = false;
    let bulkRequests = 0;
    const bulk = Array.from({ length: 2 }, async () => {
      while (!stop) {
        const res = await t.app.inject({ method: 'POST', url: '/api/zonal-stats?scene=sinop', payload: body, headers: { 'content-type': 'application/json' }, remoteAddress: '10.0.0.1' });
        if (res.statusCode !== 200) throw new Error(`zonal: ${res.statusCode} ${res.body.slice(0, 200)}`);
        bulkRequests++;
      }
    });
    await new Promise((r) => setTimeout(r, 1000)); // the bulk work is running
    const t0 = performance.now();
    const loaded = await tiles(t.app, opts.tiles, 0.01);
    const interactiveWaitMaxMs = pool.laneStats(performance.now() - t0).interactive.waitMaxMs;
    stop = true;
    await Promise.all(bulk);
    return { baseline, loaded, interactiveWaitMaxMs, bulkRequests };
  } finally {
    await t.close();
  }
}

export async function fairBench(log: (s: string) => void): Promise<Record<string, number>> {
  const row = (name: string, v: number[]) => `${name.padEnd(34)} p50 ${fmt(percentile(v, 50)).padStart(7)} ms   p99 ${fmt(percentile(v, 99)).padStart(7)} ms`;
  const withLanes = await measureFairness({ lanes: true, tiles: 40, features: 40 });
  const noLanes = await measureFairness({ lanes: false, tiles: 40, features: 40 });
  log(row('tiles, no bulk load', withLanes.baseline));
  log(row('tiles + heavy zonal, lanes', withLanes.loaded));
  log(row('tiles + heavy zonal, one lane', noLanes.loaded));
  const r = (a: number[], b: number[], p: number) => percentile(a, p) / percentile(b, p);
  log(`ratios to no load: lanes p50 x${fmt(r(withLanes.loaded, withLanes.baseline, 50), 2)}, p99 x${fmt(r(withLanes.loaded, withLanes.baseline, 99), 2)}; one lane p50 x${fmt(r(noLanes.loaded, noLanes.baseline, 50), 2)}, p99 x${fmt(r(noLanes.loaded, noLanes.baseline, 99), 2)}`);
  log(`interactive queue wait max: lanes ${withLanes.interactiveWaitMaxMs} ms, one lane ${noLanes.interactiveWaitMaxMs} ms; zonal requests answered meanwhile: ${withLanes.bulkRequests} / ${noLanes.bulkRequests}`);
  return { p50: percentile(withLanes.loaded, 50), p99: percentile(withLanes.loaded, 99), p99OneLane: percentile(noLanes.loaded, 99) };
}
