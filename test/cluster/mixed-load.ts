/**
 * A mixed GET load through nginx (tiles, catalog, OGC items, jobs, readiness, a point query) by a
 * few concurrent clients for a fixed time, with replica 1 killed (SIGKILL) a third of the way in:
 * used by test/cluster/replicas.test.ts (no GET may fail) and `npm run bench -- cluster` (figures).
 * Latencies are split at the kill: before vs after.
 */
import type { Cluster } from '../../scripts/cluster-up.js';
import { percentileLinear as percentile } from '../../server/analytics/percentile.js';

const MIXED_PATHS = [
  ...Array.from({ length: 16 }, (_, k) => `/tiles/sinop/${10 + (k % 3)}/${[354, 708, 1416][k % 3]! + (k % 2)}/${[545, 1090, 2181][k % 3]!}.png?variable=${k % 2 ? 'evi' : 'ndvi'}&rescale=0.${k % 9},0.9`),
  '/api/scenes',
  '/api/scenes/sinop',
  '/collections/field-reports/items',
  '/api/jobs',
  '/readyz',
  '/api/point?lon=-55.6&lat=-11.65&scene=sinop',
];

interface KillLoadResult {
  requests: number;
  failed: Array<{ status: number; path: string; error?: string }>;
  killedAtSeconds: number;
  before: { n: number; p50: number; p99: number };
  after: { n: number; p50: number; p99: number };
  summary: string;
}

export async function mixedLoadWithKill(cluster: Cluster, seconds: number, clients = 8): Promise<KillLoadResult> {
  const results: Array<{ t: number; ms: number; status: number; path: string; error?: string }> = [];
  const t0 = performance.now();
  const end = t0 + seconds * 1000;
  const killAt = t0 + (seconds * 1000) / 3;
  let killedAt = 0;
  const client = async (c: number) => {
    let k = c;
    while (performance.now() < end) {
      const path = MIXED_PATHS[k++ % MIXED_PATHS.length]!;
      const s = performance.now();
      let status = 0;
      let error: string | undefined;
      try {
        const r = await fetch(`${cluster.url}${path}`, { signal: AbortSignal.timeout(15_000) });
        await r.arrayBuffer();
        status = r.status;
      } catch (e) {
        status = -1;
        // what failed, for the test's message: undici puts the socket error in `cause`
        const cause = (e as { cause?: { code?: string; message?: string } }).cause;
        error = `${(e as Error).message}${cause ? `: ${cause.code ?? ''} ${cause.message ?? ''}` : ''} at ${((s - t0) / 1000).toFixed(2)} s`;
      }
      results.push({ t: s, ms: performance.now() - s, status, path, ...(error ? { error } : {}) });
    }
  };
  const killer = (async () => {
    await new Promise((r) => setTimeout(r, killAt - performance.now()));
    killedAt = performance.now();
    await cluster.kill(cluster.replicas[0]!);
  })();
  await Promise.all([...Array.from({ length: clients }, (_, c) => client(c)), killer]);
  const failed = results.filter((r) => r.status < 200 || r.status >= 400).map(({ status, path, error }) => ({ status, path, ...(error ? { error } : {}) }));
  const stats = (ms: number[]) => ({ n: ms.length, p50: percentile(ms, 50), p99: percentile(ms, 99) });
  const before = stats(results.filter((r) => r.t < killedAt).map((r) => r.ms));
  const after = stats(results.filter((r) => r.t >= killedAt).map((r) => r.ms));
  const killedAtSeconds = (killedAt - t0) / 1000;
  const summary =
    `mixed GET load through nginx, ${clients} clients, ${seconds} s, replica 1 killed (SIGKILL) at ${killedAtSeconds.toFixed(1)} s: ` +
    `${results.length} requests, ${failed.length} failed; before: n=${before.n} p50 ${before.p50.toFixed(1)} ms p99 ${before.p99.toFixed(1)} ms; ` +
    `after: n=${after.n} p50 ${after.p50.toFixed(1)} ms p99 ${after.p99.toFixed(1)} ms`;
  return { requests: results.length, failed, killedAtSeconds, before, after, summary };
}
