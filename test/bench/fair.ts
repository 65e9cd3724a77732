/**
 * Fair scheduling: tile latency of one client while another sends heavy zonal statistics
 * (POST /api/zonal-stats, `features` polygons over the whole Sinop scene, two requests in flight
 * without pause), beside the same tiles with no bulk load, and beside the same load with lanes off
 * (every task in one lane: the pool before lanes). One interactive and one bulk worker process
 * (GRANARY_WORKERS=1, GRANARY_BULK_WORKERS=1). Real HTTP on a loopback port: when the measurement
 * ends, the zonal client drops its requests, the server cancels their tasks (the zonal loop stops
 * between polygons), and the next phase starts at once instead of waiting for the load to drain.
 *   npm run bench -- fair
 */
import { request } from 'node:http';
import { createTestApp, SINOP } from '../helpers/test-app.js';
import type { WorkerPool } from '../../server/workers/pool.js';
import type { TaskMap } from '../../server/workers/tasks.js';
import { fmt, percentile } from './stats.js';

interface FairFigures {
  baseline: number[];
  loaded: number[];
  interactiveWaitMaxMs: number;
  /** zonal requests answered while the tiles were measured */
  bulkRequests: number;
  /** mean time of an answered zonal request (ms) */
  bulkMeanMs: number;
  /** tasks cancelled when the zonal client dropped its requests */
  cancelled: number;
  /** ms from dropping the zonal requests until the bulk lane was idle */
  drainMs: number;
  /** share of the loaded tiles that started while a zonal task was running */
  busyShare: number;
}

interface FairOptions {
  lanes: boolean;
  /** tiles measured with and without the load (fewer if `loadedBudgetMs` runs out first) */
  tiles: number;
  /** polygons per zonal request */
  features: number;
  /** the loaded phase stops after this long even with fewer tiles (one lane: each tile waits for zonal work) */
  loadedBudgetMs?: number;
  /** the loaded phase goes on (more than `tiles`) until this long has passed */
  loadedMinMs?: number;
}

/**
 * One HTTP request on its own connection (no keep-alive agent: a connection left open by a client
 * pool would hold the server's close for its keep-alive time); `signal` destroys the connection,
 * as a client that goes away does.
 */
export function httpRequest(url: string, opts: { method?: string; body?: string; headers?: Record<string, string>; signal?: AbortSignal } = {}): Promise<{ status: number; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: opts.method ?? 'GET', headers: opts.headers, agent: false, ...(opts.signal ? { signal: opts.signal } : {}) }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks) }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(opts.body);
  });
}

export function heavyZonal(bbox: [number, number, number, number], count: number): string {
  const [w, s, e, n] = bbox;
  const features = Array.from({ length: count }, (_, i) => {
    const d = (i % 7) * 1e-4; // distinct rings, each over the whole scene
    return { type: 'Feature', properties: { i }, geometry: { type: 'Polygon', coordinates: [[[w - d, s - d], [e + d, s - d], [e + d, n + d], [w - d, n + d], [w - d, s - d]]] } };
  });
  return JSON.stringify({ type: 'FeatureCollection', features });
}

async function tiles(base: string, n: number, salt: number, budgetMs = Infinity, busy?: () => boolean, minMs = 0): Promise<{ ms: number[]; busy: number }> {
  const out: number[] = [];
  let busyCount = 0;
  const t0 = performance.now();
  for (let i = 0; (i < n || performance.now() - t0 < minMs) && performance.now() - t0 < budgetMs; i++) {
    if (busy?.()) busyCount++;
    // a different rescale per request: never served from the tile cache
    const url = `/tiles/sinop/${11 + (i % 3)}/${[708, 1416, 2832][i % 3]! + (i % 2)}/${[1090, 2181, 4362][i % 3]!}.png?variable=ndvi&rescale=0,${(0.9 + salt + i * 1e-6).toFixed(7)}`;
    const s = performance.now();
    const res = await httpRequest(base + url);
    if (res.status !== 200) throw new Error(`tile ${url}: ${res.status} ${res.body.toString('utf8', 0, 200)}`);
    out.push(performance.now() - s);
  }
  return { ms: out, busy: busyCount };
}

/** Tile latencies without and with a heavy zonal load from another client. */
export async function measureFairness(opts: FairOptions): Promise<FairFigures> {
  const t = await createTestApp({
    scenes: [SINOP],
    env: { GRANARY_RATE_LIMIT: '0', GRANARY_WORKERS: '1', GRANARY_BULK_WORKERS: '1', GRANARY_BULK_CPU_S_PER_MIN: '0', GRANARY_TASK_TIMEOUT_MS: '120000', GRANARY_MAX_EVENT_LOOP_DELAY_MS: '0', GRANARY_LOG_LEVEL: 'silent' },
  });
  try {
    const pool = t.app.pool as WorkerPool<TaskMap>;
    if (!opts.lanes) (pool as unknown as { opts: { lanes: Record<string, string> } }).opts.lanes = {}; // the pool before lanes: one queue
    await pool.ready();
    const base = await t.app.listen({ port: 0, host: '127.0.0.1' });
    const scene = JSON.parse((await httpRequest(`${base}/api/scenes/sinop`)).body.toString()) as { bbox: [number, number, number, number] };
    const body = heavyZonal(scene.bbox, opts.features);
    await tiles(base, 3, 0.5); // warm up
    const baseline = (await tiles(base, opts.tiles, 0)).ms;
    const drop = new AbortController();
    let bulkRequests = 0;
    let bulkMs = 0;
    const bulk = Array.from({ length: 2 }, async () => {
      while (!drop.signal.aborted) {
        const s = performance.now();
        try {
          const res = await httpRequest(`${base}/api/zonal-stats?scene=sinop`, { method: 'POST', body, headers: { 'content-type': 'application/json' }, signal: drop.signal });
          if (res.status !== 200) throw new Error(`zonal: ${res.status} ${res.body.toString('utf8', 0, 200)}`);
          bulkRequests++;
          bulkMs += performance.now() - s;
        } catch (e) {
          if (drop.signal.aborted) return; // dropped on purpose
          throw e;
        }
      }
    });
    // the bulk work is running: its first task has started
    const w0 = performance.now();
    while (pool.laneStats().bulk.running + (opts.lanes ? 0 : pool.laneStats().interactive.running) === 0 && performance.now() - w0 < 30_000) await new Promise((r) => setTimeout(r, 20));
    await new Promise((r) => setTimeout(r, 500));
    const t0 = performance.now();
    // a zonal task is running (bulk lane; with one lane, the only lane, where a tile then waits)
    const zonalRunning = () => (opts.lanes ? pool.laneStats().bulk.running > 0 : pool.laneStats().interactive.running + pool.laneStats().interactive.queued > 0);
    const run = await tiles(base, opts.tiles, 0.01, opts.loadedBudgetMs, zonalRunning, opts.loadedMinMs);
    const loaded = run.ms;
    const interactiveWaitMaxMs = pool.laneStats(performance.now() - t0).interactive.waitMaxMs;
    const answered = bulkRequests;
    const cancelledBefore = pool.stats.cancelled;
    const d0 = performance.now();
    drop.abort();
    await Promise.all(bulk);
    // the dropped requests' tasks stop (between polygons) and the lanes go idle
    while (pool.stats.inflight > 0 && performance.now() - d0 < 60_000) await new Promise((r) => setTimeout(r, 10));
    const drainMs = performance.now() - d0;
    return { baseline, loaded, interactiveWaitMaxMs, bulkRequests: answered, bulkMeanMs: answered > 0 ? bulkMs / answered : NaN, cancelled: pool.stats.cancelled - cancelledBefore, drainMs, busyShare: loaded.length > 0 ? run.busy / loaded.length : NaN };
  } finally {
    await t.close();
  }
}

export async function fairBench(log: (s: string) => void): Promise<Record<string, number>> {
  const row = (name: string, v: number[]) => `${name.padEnd(34)} n ${String(v.length).padStart(5)}   p50 ${fmt(percentile(v, 50)).padStart(7)} ms   p99 ${fmt(percentile(v, 99)).padStart(7)} ms`;
  const features = 40;
  const withLanes = await measureFairness({ lanes: true, tiles: 200, features, loadedMinMs: 30_000 });
  const noLanes = await measureFairness({ lanes: false, tiles: 200, features, loadedBudgetMs: 60_000 });
  log(`  heavy zonal load: ${features} whole-scene polygons per request, 2 requests in flight from another client; one interactive + one bulk worker process`);
  log(`  ${row('tiles, no bulk load (lanes)', withLanes.baseline)}`);
  log(`  ${row('tiles + heavy zonal, lanes', withLanes.loaded)}`);
  log(`  ${row('tiles, no bulk load (one lane)', noLanes.baseline)}`);
  log(`  ${row('tiles + heavy zonal, one lane', noLanes.loaded)}`);
  const r = (a: number[], b: number[], p: number) => percentile(a, p) / percentile(b, p);
  log(`  ratios to no load: lanes p50 x${fmt(r(withLanes.loaded, withLanes.baseline, 50), 2)}, p99 x${fmt(r(withLanes.loaded, withLanes.baseline, 99), 2)}; one lane p50 x${fmt(r(noLanes.loaded, noLanes.baseline, 50), 2)}, p99 x${fmt(r(noLanes.loaded, noLanes.baseline, 99), 2)}`);
  log(`  interactive queue wait max: lanes ${withLanes.interactiveWaitMaxMs} ms, one lane ${noLanes.interactiveWaitMaxMs} ms`);
  log(`  loaded tiles started while a zonal task ran: lanes ${fmt(withLanes.busyShare * 100)} % (at least 30 s of tiles), one lane ${fmt(noLanes.busyShare * 100)} % (at most 60 s of tiles)`);
  log(`  zonal requests answered meanwhile: lanes ${withLanes.bulkRequests} (mean ${fmt(withLanes.bulkMeanMs)} ms), one lane ${noLanes.bulkRequests} (mean ${fmt(noLanes.bulkMeanMs)} ms)`);
  log(`  zonal requests dropped at the end: tasks cancelled ${withLanes.cancelled} / ${noLanes.cancelled}, workers idle ${fmt(withLanes.drainMs)} / ${fmt(noLanes.drainMs)} ms later`);
  return { p50: percentile(withLanes.loaded, 50), p99: percentile(withLanes.loaded, 99), p99OneLane: percentile(noLanes.loaded, 99) };
}
