/**
 * `npm run bench -- gdal`: Granary beside a GDAL tile server, side by side on the same tiles.
 *
 * The peer is test/bench/peer/rasterio_tiles.py (rasterio's WarpedVRT, as TiTiler's reader; Debian's
 * python3-rasterio under /usr/bin/python3, GDAL_CACHEMAX=200). Both servers run as separate
 * processes; the rendered-tile cache of Granary is off, so every request renders. Per scene, ~200
 * tiles; per concurrency (1, 4, 16) each server is loaded for a fixed time, interleaved (the order
 * alternates per point, for `--rounds` rounds). Reported: tiles/s, p50/p95 latency, server CPU per
 * tile (utime+stime of the server process and all its descendants, from /proc), start to healthy,
 * first tile (and Granary's first crop tile), all as ratios to the peer.
 *
 *   npm run bench -- gdal [--seconds 6] [--rounds 1] [--starts 3] [--format png|webp|jpg]
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import sharp from 'sharp';
import { PACKAGE_ROOT } from '../../server/config.js';
import { Catalog } from '../../server/catalog/catalog.js';
import { findBand, type Scene } from '../../server/catalog/scene.js';
import { resolveSelection } from '../../server/pipeline/selection.js';
import { ColormapRegistry } from '../../server/render/colormaps.js';
import { tileRangeForBBox } from '../../server/geo/tile-grid.js';
import { percentile, fmt } from './stats.js';

const PYTHON = '/usr/bin/python3';
const PEER = resolve(PACKAGE_ROOT, 'test/bench/peer/rasterio_tiles.py');
const CLK_TCK = 100; // Linux USER_HZ
const TILES_PER_SCENE = 200;
const PORT_BASE = Number(process.env.BENCH_PORT_BASE ?? 8130);

type Tile = [number, number, number];

interface SceneCase {
  id: string;
  zooms: number[];
  query: Record<string, string>;
}

export const SCENES: SceneCase[] = [
  { id: 'sinop', zooms: [9, 10, 11, 12, 13], query: { variable: 'ndvi', date: '2014-01-17' } },
  { id: 'landsat-bahamas', zooms: [7, 8, 9, 10, 11], query: {} },
];

/** Every tile of the zooms over the scene, thinned evenly to about `n`. */
export function tilesFor(scene: Scene, zooms: number[], n: number): Tile[] {
  const all: Tile[] = [];
  for (const z of zooms) {
    const r = tileRangeForBBox(scene.bbox, z);
    for (let x = r.minX; x <= r.maxX; x++) for (let y = r.minY; y <= r.maxY; y++) all.push([z, x, y]);
  }
  if (all.length <= n) return all;
  return Array.from({ length: n }, (_, i) => all[Math.floor((i * all.length) / n)]!);
}

/** utime + stime (ms) of `pid` and every process descending from it. */
function treeCpuMs(pid: number): number {
  const parent = new Map<number, number>();
  const cpu = new Map<number, number>();
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const s = readFileSync(`/proc/${d}/stat`, 'utf8');
      const f = s.slice(s.lastIndexOf(')') + 2).split(' '); // fields from 3 (state) on
      parent.set(Number(d), Number(f[1]));
      cpu.set(Number(d), ((Number(f[11]) + Number(f[12])) * 1000) / CLK_TCK);
    } catch {
      /* the process ended meanwhile */
    }
  }
  let total = 0;
  for (const [p, ms] of cpu) {
    for (let q: number | undefined = p; q !== undefined && q > 1; q = parent.get(q)) {
      if (q === pid) {
        total += ms;
        break;
      }
    }
  }
  return total;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Server {
  name: string;
  proc: ChildProcess;
  base: string;
  startMs: number;
}

async function waitHealthy(base: string, proc: ChildProcess, t0: number, timeoutMs = 30_000): Promise<number> {
  let exited = false;
  proc.once('exit', () => (exited = true));
  while (performance.now() - t0 < timeoutMs) {
    if (exited) throw new Error(`${base}: the server exited before it was healthy`);
    try {
      const r = await fetch(`${base}/healthz`);
      const body = await r.text();
      if (r.status === 200 && body.includes('"ok"')) return performance.now() - t0;
    } catch {
      /* not listening yet */
    }
    await sleep(2);
  }
  throw new Error(`${base}: not healthy after ${timeoutMs} ms`);
}

async function startGranary(port: number): Promise<Server> {
  const t0 = performance.now();
  const proc = spawn(process.execPath, [resolve(PACKAGE_ROOT, 'bin/granary.js'), 'serve'], {
    env: {
      ...process.env,
      PORT: String(port),
      HOST: '127.0.0.1',
      GRANARY_WORKERS: '2',
      GRANARY_TILE_CACHE_MB: '0',
      GRANARY_LOG_LEVEL: 'silent',
      GRANARY_RATE_LIMIT: '0',
      GRANARY_MAX_EVENT_LOOP_DELAY_MS: '0',
    },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const base = `http://127.0.0.1:${port}`;
  return { name: 'granary', proc, base, startMs: await waitHealthy(base, proc, t0) };
}

async function startPeer(port: number, configFile: string): Promise<Server> {
  const t0 = performance.now();
  const proc = spawn(PYTHON, [PEER, '--port', String(port), '--config', configFile], {
    env: { ...process.env, GDAL_CACHEMAX: '200' },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const base = `http://127.0.0.1:${port}`;
  return { name: 'gdal', proc, base, startMs: await waitHealthy(base, proc, t0) };
}

async function stop(s: Server): Promise<void> {
  if (s.proc.exitCode !== null) return;
  const done = new Promise((r) => s.proc.once('exit', r));
  s.proc.kill('SIGTERM');
  await Promise.race([done, sleep(5000)]);
  if (s.proc.exitCode === null) s.proc.kill('SIGKILL');
}

async function get(url: string): Promise<{ ms: number; body: Buffer; type: string }> {
  const t = performance.now();
  const r = await fetch(url);
  const body = Buffer.from(await r.arrayBuffer());
  if (r.status !== 200) throw new Error(`${url}: ${r.status} ${body.toString().slice(0, 200)}`);
  return { ms: performance.now() - t, body, type: r.headers.get('content-type') ?? '' };
}

interface Point {
  tps: number;
  p50: number;
  p95: number;
  cpuPerTile: number;
  bytes: number;
}

/** Loads `urls` round robin with `c` in flight for `seconds`; CPU from /proc of the server tree. */
async function load(pid: number, urls: string[], c: number, seconds: number): Promise<Point> {
  const lat: number[] = [];
  let next = 0;
  let bytes = 0;
  const cpu0 = treeCpuMs(pid);
  const t0 = performance.now();
  const end = t0 + seconds * 1000;
  await Promise.all(
    Array.from({ length: c }, async () => {
      while (performance.now() < end) {
        const r = await get(urls[next++ % urls.length]!);
        lat.push(r.ms);
        bytes += r.body.length;
      }
    }),
  );
  const wall = performance.now() - t0;
  const cpu = treeCpuMs(pid) - cpu0;
  return { tps: (lat.length / wall) * 1000, p50: percentile(lat, 50), p95: percentile(lat, 95), cpuPerTile: cpu / lat.length, bytes: bytes / lat.length };
}

/** Fraction of pixels (RGBA) equal in two encoded tiles, and the largest channel difference. */
async function comparePixels(a: Buffer, b: Buffer): Promise<{ equal: number; maxDiff: number }> {
  const [ra, rb] = await Promise.all([a, b].map((x) => sharp(x).ensureAlpha().raw().toBuffer()));
  let equal = 0;
  let maxDiff = 0;
  const n = Math.min(ra!.length, rb!.length) / 4;
  for (let i = 0; i < n; i++) {
    let same = true;
    const alpha = ra![i * 4 + 3]! === 0 && rb![i * 4 + 3]! === 0;
    for (let k = 0; k < 4 && !alpha; k++) {
      const d = Math.abs(ra![i * 4 + k]! - rb![i * 4 + k]!);
      if (d > 0) same = false;
      if (d > maxDiff) maxDiff = d;
    }
    if (same) equal++;
  }
  return { equal: equal / n, maxDiff };
}

const median = (v: number[]) => percentile(v, 50);

export async function gdalBench(log: (s: string) => void, argv: string[] = process.argv.slice(2)): Promise<Record<string, number>> {
  const { values } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { seconds: { type: 'string', default: '6' }, rounds: { type: 'string', default: '1' }, starts: { type: 'string', default: '3' }, format: { type: 'string', default: 'png' }, 'cold-only': { type: 'boolean', default: false } },
  });
  const seconds = Number(values.seconds);
  const rounds = Number(values.rounds);
  const starts = Number(values.starts);
  const format = values.format!;
  if (!existsSync(PYTHON)) {
    log(`  skipped: ${PYTHON} not found (apt-get install python3-rasterio)`);
    return {};
  }
  const results: Record<string, number> = {};
  const catalog = new Catalog(resolve(PACKAGE_ROOT, 'fixtures', 'catalog'));
  const colormaps = new ColormapRegistry();
  const work = mkdtempSync(join(tmpdir(), 'granary-gdal-bench-'));
  const peerConfig: Record<string, unknown> = {};
  const cases: Array<{ c: SceneCase; tiles: Tile[]; qs: string }> = [];
  for (const c of SCENES) {
    const scene = await catalog.get(c.id);
    const sel = resolveSelection(scene, c.query, colormaps);
    const refs = sel.variables.map((v) => findBand(scene, v, sel.date));
    const assets = new Set(refs.map((r) => r.asset));
    if (assets.size !== 1) throw new Error(`${c.id}: the peer reads one file per scene`);
    peerConfig[c.id] = {
      path: scene.assets[refs[0]!.asset]!.href,
      bands: refs.map((r) => r.sample + 1),
      // the peer rescales raw values: physical = raw * scale + offset
      rescale: refs.map((r, i) => sel.rescale[i]!.map((v) => (v - r.band.offset) / r.band.scale)),
      lut: sel.colormap && refs.length === 1 ? [...(colormaps.lut(sel.colormap) ?? [])] : null,
      nodata: refs[0]!.band.nodata,
    };
    cases.push({ c, tiles: tilesFor(scene, c.zooms, TILES_PER_SCENE), qs: new URLSearchParams(c.query).toString() });
  }
  const configFile = join(work, 'scenes.json');
  writeFileSync(configFile, JSON.stringify(peerConfig));
  const ext = format === 'png' ? 'png' : format;
  const url = (s: Server, id: string, [z, x, y]: Tile, qs: string, e = ext) => `${s.base}/tiles/${id}/${z}/${x}/${y}.${e}${s.name === 'granary' && qs ? `?${qs}` : ''}`;

  try {
    // Cold: start to healthy, first tile (and Granary's first crop tile), fresh processes each time.
    const cold: Record<string, number[]> = { gStart: [], pStart: [], gTile: [], pTile: [], gCrop: [] };
    const first = cases[0]!;
    const firstTile = first.tiles[Math.floor(first.tiles.length / 2)]!;
    for (let i = 0; i < starts; i++) {
      const g = await startGranary(PORT_BASE + 1);
      cold.gStart!.push(g.startMs);
      cold.gTile!.push((await get(url(g, first.c.id, firstTile, first.qs, 'png'))).ms);
      const [z, x, y] = firstTile;
      cold.gCrop!.push((await get(`${g.base}/tiles/${first.c.id}/crops/${z}/${x}/${y}.png`)).ms);
      await stop(g);
      const p = await startPeer(PORT_BASE + 2, configFile);
      cold.pStart!.push(p.startMs);
      cold.pTile!.push((await get(url(p, first.c.id, firstTile, first.qs, 'png'))).ms);
      await stop(p);
    }
    const m = Object.fromEntries(Object.entries(cold).map(([k, v]) => [k, median(v)])) as Record<string, number>;
    log(`  start to healthy (median of ${starts}): granary ${fmt(m.gStart!)} ms | gdal ${fmt(m.pStart!)} ms | ratio ${fmt(m.gStart! / m.pStart!, 2)}x   [granary runs: ${cold.gStart!.map((v) => fmt(v, 0)).join(', ')} ms]`);
    log(`  first ${first.c.id} tile of a fresh process: granary ${fmt(m.gTile!)} ms | gdal ${fmt(m.pTile!)} ms | ratio ${fmt(m.gTile! / m.pTile!, 2)}x; granary's first crop tile after it ${fmt(m.gCrop!)} ms`);
    Object.assign(results, { 'start.granary': m.gStart!, 'start.gdal': m.pStart!, 'firstTile.granary': m.gTile!, 'firstTile.gdal': m.pTile!, 'firstCrop.granary': m.gCrop! });
    log(`  granary's first crop tile minus its first tile: ${fmt(m.gCrop! - m.gTile!)} ms   [crop runs: ${cold.gCrop!.map((v) => fmt(v, 0)).join(', ')} ms; tile runs: ${cold.gTile!.map((v) => fmt(v, 0)).join(', ')} ms]`);
    // --cold-only: the start-up figures alone (a quicker run while working on start-up)
    if (values['cold-only']) return results;

    // Throughput: both servers up, warmed on every tile, interleaved points.
    const g = await startGranary(PORT_BASE + 1);
    const p = await startPeer(PORT_BASE + 2, configFile);
    try {
      for (const { c, tiles, qs } of cases) {
        // Same picture from both? (nearest resampling, same rescale and colormap.)
        const agree: number[] = [];
        let maxDiff = 0;
        for (const t of tiles.filter((_, i) => i % 20 === 0)) {
          const [a, b] = await Promise.all([get(url(g, c.id, t, qs, 'png')), get(url(p, c.id, t, qs, 'png'))]);
          const cmp = await comparePixels(a.body, b.body);
          agree.push(cmp.equal);
          maxDiff = Math.max(maxDiff, cmp.maxDiff);
        }
        for (const t of tiles) await Promise.all([get(url(g, c.id, t, qs)), get(url(p, c.id, t, qs))]);
        log(`  ${c.id}: ${tiles.length} tiles z${c.zooms[0]}-${c.zooms[c.zooms.length - 1]}, ${format}; pixels equal to the gdal tile (PNG, ${agree.length} tiles): median ${fmt(median(agree) * 100)} %, min ${fmt(Math.min(...agree) * 100)} %, largest channel difference ${maxDiff}`);
        for (const conc of [1, 4, 16]) {
          const acc: Record<'g' | 'p', Point[]> = { g: [], p: [] };
          for (let r = 0; r < rounds; r++) {
            const order = (r + conc) % 2 === 0 ? (['g', 'p'] as const) : (['p', 'g'] as const);
            for (const who of order) {
              const s = who === 'g' ? g : p;
              acc[who].push(await load(s.proc.pid!, tiles.map((t) => url(s, c.id, t, qs)), conc, seconds));
            }
          }
          const avg = (pts: Point[], k: keyof Point) => pts.reduce((s, q) => s + q[k], 0) / pts.length;
          const G = { tps: avg(acc.g, 'tps'), p50: avg(acc.g, 'p50'), p95: avg(acc.g, 'p95'), cpu: avg(acc.g, 'cpuPerTile'), bytes: avg(acc.g, 'bytes') };
          const P = { tps: avg(acc.p, 'tps'), p50: avg(acc.p, 'p50'), p95: avg(acc.p, 'p95'), cpu: avg(acc.p, 'cpuPerTile'), bytes: avg(acc.p, 'bytes') };
          log(
            `    c=${String(conc).padStart(2)}: granary ${fmt(G.tps, 0)} tiles/s (p50 ${fmt(G.p50)} p95 ${fmt(G.p95)} ms, cpu ${fmt(G.cpu, 2)} ms/tile, ${fmt(G.bytes / 1024)} KiB)` +
              ` | gdal ${fmt(P.tps, 0)} tiles/s (p50 ${fmt(P.p50)} p95 ${fmt(P.p95)} ms, cpu ${fmt(P.cpu, 2)} ms/tile, ${fmt(P.bytes / 1024)} KiB)` +
              ` | throughput ${fmt(G.tps / P.tps, 2)}x, cpu/tile ${fmt(G.cpu / P.cpu, 2)}x`,
          );
          results[`${c.id}.c${conc}.tps.ratio`] = G.tps / P.tps;
          results[`${c.id}.c${conc}.cpu.ratio`] = G.cpu / P.cpu;
        }
      }
    } finally {
      await Promise.all([stop(g), stop(p)]);
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  return results;
}
