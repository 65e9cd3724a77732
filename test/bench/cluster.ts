/**
 * `npm run bench -- cluster` (only when named: it needs PostgreSQL with PostGIS, Redis and nginx):
 *
 *   crop map of a scale scene (scripts/scale-scene.ts, GRANARY_BENCH_SCALE_SIZE, default 4096 ->
 *   4318 x 4176 px of real Sinop pixels) beside the embedded `granary cropmap` of the same scene:
 *   classification px/s with 1 and 2 `granary worker` processes (1 thread each), scaling efficiency,
 *   CPU-seconds per megapixel (the per-core rate docs/deploy.md builds on), end-to-end time
 *   (submission to published COG + PostGIS polygons);
 *   tiles/s through nginx (its cache off, so every tile is rendered) with 1 and 2 replicas;
 *   kill -9 of one of two replicas during 60 s of mixed GET load through nginx, p50/p99 before and after.
 * Each cluster run gets a fresh database and a private Redis.
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { access, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { startCluster } from '../../scripts/cluster-up.js';
import { fromFile } from 'geotiff';
import { buildScaleScene } from '../../scripts/scale-scene.js';
import { FIXTURES, REPO, SINOP_EVI, SINOP_NDVI, TEST_FIXTURES } from '../helpers/test-app.js';
import { createDatabase, startRedis, waitFor } from '../cluster/support.js';
import { fmt, percentile, runConcurrent } from './stats.js';
import { mixedLoadWithKill } from '../cluster/mixed-load.js';

const TOKEN = 'bench-cluster-token-0123456789';
const AUTH = { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' };

function granary(args: string[], env: Record<string, string>): Promise<{ out: string; seconds: number }> {
  const t0 = performance.now();
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, [join(REPO, 'bin/granary.js'), ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    p.stdout.on('data', (d: Buffer) => (out += d.toString()));
    p.stderr.on('data', (d: Buffer) => (out += d.toString()));
    p.on('exit', (code) => (code === 0 ? resolve({ out, seconds: (performance.now() - t0) / 1000 }) : reject(new Error(`granary ${args.join(' ')}: ${out}`))));
  });
}

/** `killAfterBlocks`: SIGKILL worker 1 once that many blocks are recorded (the job must still complete on the others). */
async function jobRun(workers: number, files: { ndvi: string; evi: string }, readDirs: string, opts: { killAfterBlocks?: number; env?: Record<string, string> } = {}) {
  const db = await createDatabase();
  const redis = await startRedis();
  const dataDir = await mkdtemp(join(tmpdir(), 'granary-bench-cluster-'));
  const cluster = await startCluster({ replicas: 1, workers, databaseUrl: db.url, redisUrl: redis.url, dataDir, env: { GRANARY_TOKEN: TOKEN, GRANARY_READ_DIRS: readDirs, GRANARY_WORKERS: '1', GRANARY_RATE_LIMIT: '0', GRANARY_LOG_LEVEL: 'warn', GRANARY_MAX_EVENT_LOOP_DELAY_MS: '0', GRANARY_TASK_TIMEOUT_MS: '900000', GRANARY_REQUEST_DECODE_MB: '4096', ...opts.env } });
  try {
    // registered on the replica directly: inspecting large COGs can outlast nginx's 60 s read timeout on a loaded machine
    const add = await fetch(`http://127.0.0.1:${cluster.replicas[0]!.port}/api/scenes`, { method: 'POST', headers: AUTH, body: JSON.stringify({ id: 'scale', hrefs: [files.ndvi, files.evi], variables: ['ndvi', 'evi'], scale: 0.0001 }) });
    if (add.status !== 201) throw new Error(`adding the scale scene: ${add.status} ${await add.text()}`);
    const t0 = performance.now();
    const sub = await fetch(`http://127.0.0.1:${cluster.replicas[0]!.port}/api/jobs/cropmap`, { method: 'POST', headers: AUTH, body: JSON.stringify({ scene: 'scale' }) });
    if (sub.status !== 202) throw new Error(`submitting the job: ${sub.status} ${await sub.text()}`);
    const j = (await sub.json()) as { id: string };
    let killedAt: number | null = null;
    const done = await waitFor('job', async () => {
      const v = (await (await fetch(`${cluster.url}/api/jobs/${j.id}`)).json()) as { state: string; error: string | null; result: { cog: string; width: number; height: number; mappedPixels: number; polygonCount: number } | null; blocksDone: number; blocksTotal: number };
      if (v.state === 'failed') throw new Error(`job failed: ${v.error}`);
      if (opts.killAfterBlocks !== undefined && killedAt === null && v.blocksDone >= opts.killAfterBlocks && v.state === 'running') {
        killedAt = v.blocksDone;
        await cluster.kill(cluster.workers[0]!);
      }
      return v.state === 'done' ? v : null;
    }, 3_600_000, 500);
    if (opts.killAfterBlocks !== undefined && killedAt === null) throw new Error('the job finished before the worker could be killed');
    const cogSha256 = createHash('sha256').update(await readFile(done.result!.cog)).digest('hex');
    const endToEnd = (performance.now() - t0) / 1000;
    const c = new pg.Client({ connectionString: db.url });
    await c.connect();
    const b = (await c.query<{ first: Date; last: Date; cpu: number; created: Date }>(`SELECT min(done_at) AS first, max(done_at) AS last, sum(ms) AS cpu, (SELECT created_at FROM jobs WHERE id = $1) AS created FROM job_blocks WHERE job_id = $1`, [j.id])).rows[0]!;
    await c.end();
    const px = done.result!.width * done.result!.height;
    const classifySeconds = (b.last.getTime() - b.created.getTime()) / 1000;
    return { px, blocks: done.blocksTotal, polygons: done.result!.polygonCount, endToEnd, classifySeconds, cpuSeconds: b.cpu / 1000, assembleSeconds: endToEnd - classifySeconds, killedAt, cogSha256 };
  } finally {
    await cluster.stop();
    await redis.stop();
    await db.drop();
    await rm(dataDir, { recursive: true, force: true });
  }
}

async function tileRun(replicas: number, seconds: number) {
  const db = await createDatabase();
  const redis = await startRedis();
  const dataDir = await mkdtemp(join(tmpdir(), 'granary-bench-tiles-'));
  const cluster = await startCluster({ replicas, workers: 0, cache: false, databaseUrl: db.url, redisUrl: redis.url, dataDir, env: { GRANARY_TOKEN: TOKEN, GRANARY_READ_DIRS: `${FIXTURES},${TEST_FIXTURES}`, GRANARY_WORKERS: '1', GRANARY_RATE_LIMIT: '0', GRANARY_LOG_LEVEL: 'warn', GRANARY_MAX_EVENT_LOOP_DELAY_MS: '0', GRANARY_TILE_CACHE_MB: '0' } });
  try {
    await fetch(`${cluster.url}/api/scenes`, { method: 'POST', headers: AUTH, body: JSON.stringify({ id: 'sinop', hrefs: [SINOP_NDVI, SINOP_EVI], scale: 0.0001 }) });
    const urls: string[] = [];
    for (const [z, x0, y0, n] of [[10, 354, 545, 1], [11, 708, 1090, 2], [12, 1416, 2180, 3]] as const) for (let dx = 0; dx < n; dx++) for (let dy = 0; dy < n; dy++) urls.push(`${cluster.url}/tiles/sinop/${z}/${x0 + dx}/${y0 + dy}.png?variable=ndvi&colormap=ndvi&rescale=0.2,0.9`);
    for (const u of urls) for (let k = 0; k < replicas * 2; k++) await (await fetch(u)).arrayBuffer(); // warm every replica's decoded blocks
    let failed = 0;
    const n = Math.max(200, seconds * 150);
    const deadline = performance.now() + seconds * 1000;
    let done = 0;
    // latencies of the requests made (slots left after the deadline return at once and are not requests)
    const latencies: number[] = [];
    const r = await runConcurrent(n, 16, async (i) => {
      if (performance.now() > deadline) return;
      const t0 = performance.now();
      const res = await fetch(urls[i % urls.length]!);
      await res.arrayBuffer();
      latencies.push(performance.now() - t0);
      if (res.status !== 200) failed++;
      done++;
    });
    return { tilesPerSecond: done / (r.wallMs / 1000), p50: percentile(latencies, 50), p99: percentile(latencies, 99), failed, n: done };
  } finally {
    await cluster.stop();
    await redis.stop();
    await db.drop();
    await rm(dataDir, { recursive: true, force: true });
  }
}

/** kill -9 of one of two replicas during a mixed GET load through nginx (test/cluster/mixed-load.ts). */
async function killRun(seconds: number) {
  const db = await createDatabase();
  const redis = await startRedis();
  const dataDir = await mkdtemp(join(tmpdir(), 'granary-bench-kill-'));
  const cluster = await startCluster({ replicas: 2, workers: 0, databaseUrl: db.url, redisUrl: redis.url, dataDir, env: { GRANARY_TOKEN: TOKEN, GRANARY_READ_DIRS: `${FIXTURES},${TEST_FIXTURES}`, GRANARY_WORKERS: '1', GRANARY_RATE_LIMIT: '0', GRANARY_LOG_LEVEL: 'warn', GRANARY_MAX_EVENT_LOOP_DELAY_MS: '0' } });
  try {
    const add = await fetch(`http://127.0.0.1:${cluster.replicas[0]!.port}/api/scenes`, { method: 'POST', headers: AUTH, body: JSON.stringify({ id: 'sinop', hrefs: [SINOP_NDVI, SINOP_EVI], scale: 0.0001 }) });
    if (add.status !== 201) throw new Error(`adding sinop: ${add.status} ${await add.text()}`);
    // one approved field report, so the field-reports collection the load reads exists
    const rep = await fetch(`http://127.0.0.1:${cluster.replicas[0]!.port}/api/field-reports`, { method: 'POST', headers: AUTH, body: JSON.stringify({ lon: -55.51, lat: -11.86, class: 'Soy_Corn', date: '2014-02-10' }) });
    const { id } = (await rep.json()) as { id: number };
    await fetch(`http://127.0.0.1:${cluster.replicas[0]!.port}/api/field-reports/${id}/approve`, { method: 'POST', headers: AUTH, body: '{}' });
    return await mixedLoadWithKill(cluster, seconds);
  } finally {
    await cluster.stop();
    await redis.stop();
    await db.drop();
    await rm(dataDir, { recursive: true, force: true });
  }
}

const jobLine = (w: number, r: Awaited<ReturnType<typeof jobRun>>) =>
  `cluster job, ${w} worker(s) x 1 thread${r.killedAt !== null ? `, worker 1 killed (SIGKILL) at ${r.killedAt} blocks` : ''}: ${r.blocks} blocks classified in ${fmt(r.classifySeconds)} s = ${fmt(r.px / r.classifySeconds / 1e6, 3)} Mpx/s (${fmt(r.px / r.classifySeconds / 1e6 / w, 3)} per worker); ${fmt(r.cpuSeconds)} worker CPU-s = ${fmt(r.cpuSeconds / (r.px / 1e6), 2)} CPU-s/Mpx; end to end (submit -> COG + ${r.polygons} polygons in PostGIS) ${fmt(r.endToEnd)} s, of which assembly ${fmt(r.assembleSeconds)} s; COG sha256 ${r.cogSha256.slice(0, 16)}`;

async function withScaleScene<T>(size: number, log: (s: string) => void, fn: (scene: Awaited<ReturnType<typeof buildScaleScene>>, readDirs: string) => Promise<T>, keepDir?: string): Promise<T> {
  if (keepDir) {
    // GRANARY_BENCH_SCALE_DIR: a scene built once (scripts/scale-scene.ts --out <dir>) is reused; built there if missing
    const files = { ndvi: join(keepDir, 'scale_ndvi.tif'), evi: join(keepDir, 'scale_evi.tif') };
    const have = await Promise.all([access(files.ndvi), access(files.evi)]).then(() => true, () => false);
    const t0 = performance.now();
    const scene = have ? { files, ...(await sceneSize(files.ndvi)) } : await buildScaleScene(keepDir, size);
    log(`  scale scene (--size ${size}, ${keepDir}): ${scene.width}x${scene.height} px (${fmt((scene.width * scene.height) / 1e6, 1)} Mpx, real Sinop pixels mirrored and tiled), ${have ? 'reused' : `built in ${fmt((performance.now() - t0) / 1000)} s`}`);
    return fn(scene, `${FIXTURES},${TEST_FIXTURES},${keepDir}`);
  }
  const scaleDir = await mkdtemp(join(tmpdir(), 'granary-bench-scale-'));
  try {
    const t0 = performance.now();
    const scene = await buildScaleScene(scaleDir, size);
    log(`  scale scene (--size ${size}): ${scene.width}x${scene.height} px (${fmt((scene.width * scene.height) / 1e6, 1)} Mpx, real Sinop pixels mirrored and tiled), built in ${fmt((performance.now() - t0) / 1000)} s`);
    return await fn(scene, `${FIXTURES},${TEST_FIXTURES},${scaleDir}`);
  } finally {
    await rm(scaleDir, { recursive: true, force: true });
  }
}

/**
 * Sections in order of cost, each printed when done (a run cut short still leaves figures):
 * tiles/s with 1 and 2 replicas; kill -9 of a replica under GRANARY_BENCH_KILL_SECONDS (60) of mixed
 * load; 1 vs 2 workers (and the embedded run) on a GRANARY_BENCH_SCALING_SIZE (1024) scale scene;
 * the GRANARY_BENCH_SCALE_SIZE (4096; 0 = skip) scale scene end to end on 1 and 2 workers, then on 2 with
 * worker 1 killed (SIGKILL) a third of the way (GRANARY_BENCH_SCALE_KILL=0 skips it); the COGs' SHA-256
 * must agree. GRANARY_BENCH_SCALE_DIR reuses a scene built there once; the pool processes get
 * GRANARY_BENCH_ASSEMBLER_HEAP_MB (8192) of heap for the assembly
 * (GRANARY_BENCH_ONLY_SCALE=1: that section alone; GRANARY_BENCH_ONLY_KILL=1: the kill section alone). The scale scene has no overviews, so registering
 * it reads the full resolution: the replicas get a 4 GB decode budget (GRANARY_REQUEST_DECODE_MB).
 */
async function sceneSize(path: string): Promise<{ width: number; height: number }> {
  const img = await (await fromFile(path)).getImage();
  return { width: img.getWidth(), height: img.getHeight() };
}

export async function clusterBench(log: (s: string) => void): Promise<void> {
  if (process.env['GRANARY_BENCH_ONLY_KILL'] === '1') return killSection(log);
  if (process.env['GRANARY_BENCH_ONLY_SCALE'] !== '1') await replicaAndScalingSections(log);
  const big = Number(process.env['GRANARY_BENCH_SCALE_SIZE'] ?? 4096);
  if (big > 0) {
    // the assembler holds the whole map and its ~1 M polygons (~6 GB resident at 18 Mpx): past the 2 GB default heap of a pool process
    const env = { GRANARY_WORKER_HEAP_MB: process.env['GRANARY_BENCH_ASSEMBLER_HEAP_MB'] ?? '8192' };
    await withScaleScene(big, log, async (scene, readDirs) => {
      const runs: Record<number, Awaited<ReturnType<typeof jobRun>>> = {};
      for (const w of [1, 2]) {
        runs[w] = await jobRun(w, scene.files, readDirs, { env });
        log(`  scale scene end to end, ${jobLine(w, runs[w]!)}`);
      }
      const speedup = runs[1]!.classifySeconds / runs[2]!.classifySeconds;
      log(`  scale scene 1 -> 2 workers: classification ${fmt(speedup, 2)}x faster, efficiency ${fmt((speedup / 2) * 100, 0)} %; end to end ${fmt(runs[1]!.endToEnd / runs[2]!.endToEnd, 2)}x; same COG: ${runs[1]!.cogSha256 === runs[2]!.cogSha256}`);
      if (process.env['GRANARY_BENCH_SCALE_KILL'] !== '0') {
        const k = await jobRun(2, scene.files, readDirs, { env, killAfterBlocks: Math.floor(runs[2]!.blocks / 3) });
        log(`  scale scene, ${jobLine(2, k)}; completed, same COG as without the kill: ${k.cogSha256 === runs[2]!.cogSha256}`);
      }
    }, process.env['GRANARY_BENCH_SCALE_DIR']);
  }
}

async function replicaAndScalingSections(log: (s: string) => void): Promise<void> {
  const tiles: Record<number, Awaited<ReturnType<typeof tileRun>>> = {};
  for (const r of [1, 2]) {
    tiles[r] = await tileRun(r, Number(process.env['GRANARY_BENCH_TILE_SECONDS'] ?? 10));
    const t = tiles[r]!;
    log(`  tiles through nginx (cache off, 16 clients), ${r} replica(s) x 1 worker thread: ${fmt(t.tilesPerSecond)} tiles/s, p50 ${fmt(t.p50)} ms, p99 ${fmt(t.p99)} ms, ${t.failed} failed of ${t.n}`);
  }
  log(`  tiles 1 -> 2 replicas: ${fmt(tiles[2]!.tilesPerSecond / tiles[1]!.tilesPerSecond, 2)}x`);

  await killSection(log);

  await withScaleScene(Number(process.env['GRANARY_BENCH_SCALING_SIZE'] ?? 1024), log, async (scene, readDirs) => {
    const px = scene.width * scene.height;
    const refDir = await mkdtemp(join(tmpdir(), 'granary-bench-ref-'));
    try {
      const env = { GRANARY_DATA_DIR: refDir, GRANARY_READ_DIRS: readDirs };
      await granary(['scenes', 'add', scene.files.ndvi, scene.files.evi, '--id', 'scale', '--variable', 'ndvi', '--variable', 'evi', '--scale', '0.0001'], env);
      const emb = await granary(['cropmap', 'scale', '--quiet', '--threads', '1', '--out', join(refDir, 'scale.tif')], env);
      const m = /classified in ([\d.]+) s/.exec(emb.out);
      const embClassify = m ? Number(m[1]) : NaN;
      log(`  embedded granary cropmap (1 process, 1 ONNX thread): classification ${fmt(embClassify)} s = ${fmt(px / embClassify / 1e6, 3)} Mpx/s; ${fmt(emb.seconds)} s end to end (start-up, COG, polygons)`);
      const runs: Record<number, Awaited<ReturnType<typeof jobRun>>> = {};
      for (const w of [1, 2]) {
        runs[w] = await jobRun(w, scene.files, readDirs);
        log(`  ${jobLine(w, runs[w]!)}`);
      }
      const eff = runs[1]!.classifySeconds / runs[2]!.classifySeconds / 2;
      log(`  scaling 1 -> 2 workers: ${fmt(runs[1]!.classifySeconds / runs[2]!.classifySeconds, 2)}x faster, efficiency ${fmt(eff * 100, 0)} % (on a 2-core machine shared with other work); 2 workers vs embedded: ${fmt(embClassify / runs[2]!.classifySeconds, 2)}x`);
    } finally {
      await rm(refDir, { recursive: true, force: true });
    }
  });

}

async function killSection(log: (s: string) => void): Promise<void> {
  const kill = await killRun(Number(process.env['GRANARY_BENCH_KILL_SECONDS'] ?? 60));
  log(`  ${kill.summary}`);
  if (kill.failed.length > 0) {
    const by = new Map<string, number>();
    for (const f of kill.failed) by.set(`${f.status} ${f.path}`, (by.get(`${f.status} ${f.path}`) ?? 0) + 1);
    log(`  failed by status and path: ${[...by].map(([k, n]) => `${n} x ${k}`).join('; ')}`);
  }
}
