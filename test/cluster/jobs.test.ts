/**
 * Distributed crop-map jobs on a scale scene built from the real Sinop pixels
 * (scripts/scale-scene.ts; GRANARY_CLUSTER_SCALE_SIZE, default 1024 -> 1270 x 1152 px, 25 native
 * blocks; the benchmark uses >= 4096): one replica and two `granary worker` processes behind nginx,
 * a fresh PostgreSQL database, a private Redis with an append-only file.
 *   - kill -9 of a worker mid-job: the job still completes and its COG is the same bytes as the
 *     embedded `granary cropmap` run of the same scene (run times and footprint live in the JSON
 *     sidecar, not in the COG);
 *   - Redis killed and restarted mid-job: the job resumes (append-only file) and publishes the same
 *     bytes, or fails visibly; never "done" with missing blocks;
 *   - Redis losing everything mid-job (FLUSHALL, as a restart without persistence): the job is
 *     reported failed ("lost by the queue"), never done.
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fromArrayBuffer } from 'geotiff';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCluster, type Cluster } from '../../scripts/cluster-up.js';
import { buildScaleScene } from '../../scripts/scale-scene.js';
import { FIXTURES, REPO, TEST_FIXTURES } from '../helpers/test-app.js';
import { createDatabase, startRedis, waitFor, type TestDatabase, type TestRedis } from './support.js';

const TOKEN = 'cluster-jobs-token-0123456789';
const AUTH = { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' };
const SIZE = Number(process.env['GRANARY_CLUSTER_SCALE_SIZE'] ?? 1024);

interface JobJson {
  id: string;
  state: string;
  blocksDone: number;
  blocksTotal: number;
  etaSeconds: number | null;
  requestId: string | null;
  result: { cog: string; polygonCount: number; width: number; height: number } | null;
  error: string | null;
}

let db: TestDatabase;
let redis: TestRedis;
let scaleDir: string;
let refDir: string;
let dataDir: string;
let cluster: Cluster;
let reference: { classes: Uint8Array; confidence: Uint8Array };
let referenceBytes: Buffer;
let sceneSize: { width: number; height: number };

function run(args: string[], env: Record<string, string>): Promise<string> {
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, [join(REPO, 'bin/granary.js'), ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    p.stdout.on('data', (d: Buffer) => (out += d.toString()));
    p.stderr.on('data', (d: Buffer) => (out += d.toString()));
    p.on('exit', (code) => (code === 0 ? resolve(out) : reject(new Error(`granary ${args.join(' ')} exited ${code}: ${out}`))));
  });
}

async function pixels(path: string): Promise<{ classes: Uint8Array; confidence: Uint8Array }> {
  const buf = await readFile(path);
  const tiff = await fromArrayBuffer(buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength) as ArrayBuffer);
  const img = await tiff.getImage(0);
  const [classes, confidence] = (await img.readRasters({ interleave: false })) as unknown as Uint8Array[];
  return { classes: classes!, confidence: confidence! };
}

const sha256 = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

const job = async (id: string) => (await (await fetch(`${cluster.url}/api/jobs/${id}`)).json()) as JobJson;

async function submit(): Promise<JobJson> {
  const r = await fetch(`${cluster.url}/api/jobs/cropmap`, { method: 'POST', headers: { ...AUTH, 'x-request-id': `test-${Date.now()}` }, body: JSON.stringify({ scene: 'scale' }) });
  expect(r.status).toBe(202);
  const j = (await r.json()) as JobJson;
  expect(r.headers.get('location')).toBe(`/api/jobs/${j.id}`);
  return j;
}

const finished = (id: string, timeoutMs = 240_000) =>
  waitFor(`job ${id} to finish`, async () => {
    const j = await job(id);
    return j.state === 'done' || j.state === 'failed' ? j : null;
  }, timeoutMs, 250);

/** Same pixels (counted first, for a readable failure), then the same COG bytes as the embedded run. */
async function expectSameCog(cog: string) {
  const got = await pixels(cog);
  expect(got.classes.length).toBe(reference.classes.length);
  let differ = 0;
  for (let i = 0; i < got.classes.length; i++) if (got.classes[i] !== reference.classes[i] || got.confidence[i] !== reference.confidence[i]) differ++;
  expect(differ).toBe(0);
  const bytes = await readFile(cog);
  expect(bytes.length).toBe(referenceBytes.length);
  expect(sha256(bytes)).toBe(sha256(referenceBytes));
}

beforeAll(async () => {
  scaleDir = await mkdtemp(join(tmpdir(), 'granary-scale-'));
  refDir = await mkdtemp(join(tmpdir(), 'granary-ref-'));
  dataDir = await mkdtemp(join(tmpdir(), 'granary-jobs-data-'));
  const scene = await buildScaleScene(scaleDir, SIZE);
  sceneSize = { width: scene.width, height: scene.height };
  // the embedded run: file catalog, `granary cropmap` in one process
  const env = { GRANARY_DATA_DIR: refDir, GRANARY_READ_DIRS: `${FIXTURES},${TEST_FIXTURES},${scaleDir}`, GRANARY_WORKERS: '1' };
  await run(['scenes', 'add', scene.files.ndvi, scene.files.evi, '--id', 'scale', '--variable', 'ndvi', '--variable', 'evi', '--scale', '0.0001'], env);
  await run(['cropmap', 'scale', '--quiet', '--out', join(refDir, 'ref.tif')], env);
  reference = await pixels(join(refDir, 'ref.tif'));
  referenceBytes = await readFile(join(refDir, 'ref.tif'));

  db = await createDatabase();
  redis = await startRedis({ persistent: true });
  cluster = await startCluster({
    replicas: 1,
    workers: 2,
    databaseUrl: db.url,
    redisUrl: redis.url,
    dataDir,
    env: { GRANARY_TOKEN: TOKEN, GRANARY_READ_DIRS: `${FIXTURES},${TEST_FIXTURES},${scaleDir}`, GRANARY_WORKERS: '1', GRANARY_RATE_LIMIT: '0', GRANARY_MAX_EVENT_LOOP_DELAY_MS: '0', GRANARY_LOG_LEVEL: 'info', GRANARY_JOB_LOCK_MS: '2000', GRANARY_JOB_ATTEMPTS: '5', GRANARY_TASK_TIMEOUT_MS: '180000' },
  });
  // on the replica directly: inspecting the scene may outlast nginx's 60 s read timeout on a loaded machine
  const r = await fetch(`http://127.0.0.1:${cluster.replicas[0]!.port}/api/scenes`, { method: 'POST', headers: AUTH, body: JSON.stringify({ id: 'scale', hrefs: [scene.files.ndvi, scene.files.evi], variables: ['ndvi', 'evi'], scale: 0.0001 }) });
  expect(r.status).toBe(201);
}, 600_000);

afterAll(async () => {
  await cluster?.stop();
  await redis?.stop();
  await db?.drop();
  for (const d of [scaleDir, refDir, dataDir]) if (d) await rm(d, { recursive: true, force: true });
}, 60_000);

describe('crop-map jobs on two workers', () => {
  it('completes after kill -9 of a worker mid-job, the same COG bytes as the embedded run, registered in PostGIS', async () => {
    const j = await submit();
    expect(j.blocksTotal).toBe(Math.ceil(sceneSize.width / 256) * Math.ceil(sceneSize.height / 256));
    await waitFor('a few blocks done', async () => (await job(j.id)).blocksDone >= 3, 180_000, 100);
    const mid = await job(j.id);
    expect(mid.state).toBe('running');
    await cluster.kill(cluster.workers[0]!);
    const done = await finished(j.id);
    expect(done.error).toBeNull();
    expect(done.state).toBe('done');
    expect(done.blocksDone).toBe(done.blocksTotal);
    await expectSameCog(done.result!.cog);
    const c = new pg.Client({ connectionString: db.url });
    await c.connect();
    try {
      const maps = await c.query<{ job_id: string; n: string }>(`SELECT m.job_id, (SELECT count(*) FROM cropmap_polygons p WHERE p.cropmap_id = m.id) AS n FROM cropmaps m`);
      expect(maps.rows).toEqual([{ job_id: j.id, n: String(done.result!.polygonCount) }]);
      const ledger = await c.query<{ n: string }>(`SELECT count(*) AS n FROM footprint_ledger WHERE job_id = $1 AND kind = 'crop-map' AND joules > 0`, [j.id]);
      expect(ledger.rows[0]!.n).toBe('1');
    } finally {
      await c.end();
    }
    // a worker to replace the killed one for the next tests
    await cluster.startWorker(0);
  }, 400_000);

  it('resumes after Redis is killed and restarted mid-job (append-only file), never done with missing blocks', async () => {
    const j = await submit();
    await waitFor('a few blocks done', async () => (await job(j.id)).blocksDone >= 2, 180_000, 100);
    await redis.restart({ downMs: 1500 });
    const done = await finished(j.id);
    console.log(`job after a Redis restart: ${done.state}${done.error ? ` (${done.error})` : ''}, ${done.blocksDone}/${done.blocksTotal} blocks`);
    if (done.state === 'done') {
      expect(done.blocksDone).toBe(done.blocksTotal);
      await expectSameCog(done.result!.cog);
    } else {
      expect(done.error).toMatch(/\S/);
    }
  }, 400_000);

  it('reports the job failed when Redis loses it (FLUSHALL mid-job, as a restart without persistence)', async () => {
    const j = await submit();
    await waitFor('a block done', async () => (await job(j.id)).blocksDone >= 1, 180_000, 100);
    const { Redis } = await import('ioredis');
    const r = new Redis(redis.url);
    await r.flushall();
    r.disconnect();
    const end = await finished(j.id, 120_000);
    expect(end.state).toBe('failed');
    expect(end.error).toMatch(/lost by the queue/);
  }, 200_000);
});
