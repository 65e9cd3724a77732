/**
 * Load test: a crowd on one Granary process, all traffic to 127.0.0.1.
 *
 *   node --import tsx test/load/run.ts [--connections 64] [--duration 60] [--runs 2] [--workers n]
 *                                      [--keep-rate-limit] [--url http://127.0.0.1:8080]
 *
 * Starts `node bin/granary.js serve` on an ephemeral port (bundled fixtures as the data directory)
 * unless --url names a running server, then runs autocannon `--runs` times in a row over a mix:
 *   50 % imagery tiles of sinop, ipiranga and landsat-bahamas at z8-13 (several selections),
 *   25 % crop tiles of sinop at z8-13, 12.5 % GET /api/yield-gap?crop=soy&year=2021,
 *   12.5 % POST /api/zonal-stats?scene=sinop with a small polygon.
 * Prints per run: requests/s, p50/p99 latency, counts by status (and by kind), connection errors,
 * and the server's RSS (from /metrics) before and after; then the RSS growth of the last run.
 *
 * All clients come from 127.0.0.1, which the per-client rate limit would count as one client: the
 * spawned server exempts it (GRANARY_RATE_LIMIT_ALLOWLIST=127.0.0.1) unless --keep-rate-limit.
 * Exit status 1 when a response other than 2xx/304/429/503 was seen or connections failed.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import autocannon, { type RawRequest } from 'autocannon';

const REPO = resolve(import.meta.dirname, '../..');
const { values } = parseArgs({
  options: {
    connections: { type: 'string', default: '64' },
    duration: { type: 'string', default: '60' },
    runs: { type: 'string', default: '2' },
    workers: { type: 'string' },
    url: { type: 'string' },
    'keep-rate-limit': { type: 'boolean', default: false },
  },
});
const connections = Number(values.connections);
const duration = Number(values.duration);
const runs = Number(values.runs);

interface Req extends RawRequest {
  kind: 'imagery' | 'crops' | 'yield-gap' | 'zonal';
}

async function startServer(): Promise<{ url: string; child: ChildProcess | null }> {
  if (values.url) return { url: values.url.replace(/\/$/, ''), child: null };
  const env: NodeJS.ProcessEnv = { ...process.env, PORT: '0', HOST: '127.0.0.1', GRANARY_LOG_LEVEL: 'warn' };
  if (!values['keep-rate-limit']) env.GRANARY_RATE_LIMIT_ALLOWLIST = '127.0.0.1';
  if (values.workers) env.GRANARY_WORKERS = values.workers;
  const child = spawn(process.execPath, [resolve(REPO, 'bin/granary.js'), 'serve'], { env, stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  const url = await new Promise<string>((ok, fail) => {
    child.stdout!.on('data', (c: Buffer) => {
      out += c.toString();
      const m = /http:\/\/127\.0\.0\.1:\d+/.exec(out);
      if (m) ok(m[0]);
    });
    child.once('exit', (code) => fail(new Error(`the server exited with ${code} before listening`)));
  });
  for (let i = 0; i < 300; i++) {
    const ok = await fetch(`${url}/healthz`).then((r) => r.ok, () => false);
    if (ok) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  return { url, child };
}

async function serverRss(url: string): Promise<number> {
  const text = await (await fetch(`${url}/metrics`)).text();
  const m = /^granary_process_resident_memory_bytes (\d+(?:\.\d+)?(?:e\+?\d+)?)/m.exec(text);
  return m ? Number(m[1]) : NaN;
}

function tileRange(bbox: number[], z: number): { x0: number; x1: number; y0: number; y1: number } {
  const n = 2 ** z;
  const tx = (lon: number) => Math.min(n - 1, Math.max(0, Math.floor(((lon + 180) / 360) * n)));
  const ty = (lat: number) => {
    const r = (Math.max(-85, Math.min(85, lat)) * Math.PI) / 180;
    return Math.min(n - 1, Math.max(0, Math.floor(((1 - Math.log(Math.tan(r) + 1 / Math.cos(r)) / Math.PI) / 2) * n)));
  };
  return { x0: tx(bbox[0]!), x1: tx(bbox[2]!), y0: ty(bbox[3]!), y1: ty(bbox[1]!) };
}

async function buildMix(url: string): Promise<Req[]> {
  const { scenes } = (await (await fetch(`${url}/api/scenes`)).json()) as { scenes: Array<{ id: string; bbox: number[] }> };
  const selections: Record<string, string[]> = {
    sinop: ['', '?variable=evi&colormap=viridis', '?expression=(ndvi-evi)/(ndvi%2Bevi)&rescale=-0.5,0.5', '?date=2014-01-17&resampling=bilinear'],
    ipiranga: ['', '?bands=nir,red,blue&rescale=0,5000&rescale=0,3000&rescale=0,2000', '?variable=ndvi&date=2010-01-01'],
    'landsat-bahamas': ['', '?variable=red&colormap=viridis'],
  };
  const imagery: Req[] = [];
  const crops: Req[] = [];
  for (const s of scenes) {
    if (!selections[s.id]) continue;
    for (let z = 8; z <= 13; z++) {
      const r = tileRange(s.bbox, z);
      for (let x = r.x0; x <= r.x1; x++) {
        for (let y = r.y0; y <= r.y1; y++) {
          for (const q of selections[s.id]!) imagery.push({ kind: 'imagery', method: 'GET', path: `/tiles/${s.id}/${z}/${x}/${y}.png${q}` });
          if (s.id === 'sinop') crops.push({ kind: 'crops', method: 'GET', path: `/tiles/sinop/crops/${z}/${x}/${y}.png` });
        }
      }
    }
  }
  const polygon = JSON.stringify({ type: 'Feature', properties: { name: 'field' }, geometry: { type: 'Polygon', coordinates: [[[-55.52, -11.66], [-55.5, -11.66], [-55.5, -11.64], [-55.52, -11.64], [-55.52, -11.66]]] } });
  const yieldGap: Req = { kind: 'yield-gap', method: 'GET', path: '/api/yield-gap?crop=soy&year=2021' };
  const zonal: Req = { kind: 'zonal', method: 'POST', path: '/api/zonal-stats?scene=sinop', headers: { 'content-type': 'application/geo+json' }, body: polygon };
  console.log(`mix: ${imagery.length} distinct imagery tiles, ${crops.length} crop tiles, yield-gap, zonal-stats`);
  // weights 4 : 2 : 1 : 1, drawn at random for each request
  const pick = (): Req => {
    const r = Math.random() * 8;
    if (r < 4) return imagery[Math.floor(Math.random() * imagery.length)]!;
    if (r < 6) return crops[Math.floor(Math.random() * crops.length)]!;
    return r < 7 ? yieldGap : zonal;
  };
  return Array.from({ length: 20_000 }, pick);
}

const mb = (b: number) => `${(b / 1024 / 1024).toFixed(0)} MB`;

async function main(): Promise<number> {
  const { url, child } = await startServer();
  let failed = false;
  try {
    const mix = await buildMix(url);
    let cursor = 0;
    const rss: number[] = [await serverRss(url)];
    console.log(`server ${url}: RSS at start ${mb(rss[0]!)}; ${connections} connections x ${duration} s x ${runs} runs`);
    for (let run = 1; run <= runs; run++) {
      const byKind = new Map<string, number>();
      const result = await autocannon({
        url,
        connections,
        duration,
        timeout: 30,
        requests: [
          {
            setupRequest: (req, context) => {
              const r = mix[cursor++ % mix.length]!;
              context.kind = r.kind;
              return { ...req, method: r.method, path: r.path, headers: r.headers ?? {}, ...(r.body ? { body: r.body } : { body: undefined }) };
            },
            onResponse: (status, _body, context) => {
              const k = `${String(context.kind)} ${status}`;
              byKind.set(k, (byKind.get(k) ?? 0) + 1);
            },
          },
        ],
      });
      rss.push(await serverRss(url));
      const statuses = Object.entries(result.statusCodeStats).map(([s, v]) => `${s}: ${v.count}`).join(', ');
      const bad = Object.keys(result.statusCodeStats).filter((s) => !/^(2\d\d|304|429|503)$/.test(s));
      if (bad.length > 0 || result.errors > 0) failed = true;
      const total = Object.values(result.statusCodeStats).reduce((a, v) => a + v.count, 0);
      console.log(`\nrun ${run}: ${total} responses in ${result.duration.toFixed(1)} s`);
      console.log(`  throughput   ${result.requests.average.toFixed(1)} requests/s (${(result.throughput.average / 1024 / 1024).toFixed(2)} MB/s)`);
      console.log(`  latency      p50 ${result.latency.p50} ms, p99 ${result.latency.p99} ms, max ${result.latency.max} ms`);
      console.log(`  status       ${statuses}`);
      console.log(`  errors       ${result.errors} connection errors (${result.timeouts} timeouts)`);
      console.log(`  by kind      ${[...byKind].sort().map(([k, v]) => `${k}: ${v}`).join(', ')}`);
      console.log(`  server RSS   ${mb(rss[run - 1]!)} -> ${mb(rss[run]!)}`);
    }
    if (runs >= 2) {
      const a = rss[runs - 1]!;
      const b = rss[runs]!;
      console.log(`\nRSS growth over the repeated run: ${mb(a)} -> ${mb(b)} (${(((b - a) / a) * 100).toFixed(1)} %); from start: ${mb(rss[0]!)} -> ${mb(b)}`);
    }
    const metrics = await (await fetch(`${url}/metrics`)).text();
    const pool = [...metrics.matchAll(/^granary_worker_pool\{state="(\w+)"\} (\S+)/gm)].map((m) => `${m[1]}=${m[2]}`).join(', ');
    console.log(`worker pool: ${pool}`);
  } finally {
    if (child) {
      child.kill('SIGTERM');
      await new Promise((r) => child.once('exit', r));
    }
  }
  console.log(failed ? '\nFAIL: responses other than 2xx/304/429/503, or connection errors' : '\nOK: no errors other than 429/503');
  return failed ? 1 : 0;
}

process.exitCode = await main();
