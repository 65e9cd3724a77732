/**
 * The real process (`node bin/granary.js`), killed and stopped:
 *
 * - SIGTERM drains: a request in flight when the signal arrives (held deterministically: its
 *   remote COG host, a local server, answers only when the test lets it) completes with 200, new
 *   connections are refused, and the process exits 0.
 * - `granary cropmap` killed with SIGKILL mid-run leaves no output under the final names (the
 *   writer uses temporary files + rename); stale temporary files from a run killed while writing
 *   are removed by the rerun, which completes, and GDAL opens its COG. SIGTERM mid-run: exit 130,
 *   nothing written. test/hardening/slow-cropmap.ts (the command with a sleep after each block) makes
 *   the run slow enough to interrupt.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { copyFile, mkdir, mkdtemp, readdir, rm, symlink, writeFile } from 'node:fs/promises';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FIXTURES, REPO, SINOP_NDVI } from '../helpers/test-app.js';
import { rangeServer, TOKEN, type LocalServer, type RangeServerMode } from './support.js';

const BIN = join(REPO, 'bin/granary.js');
const MODEL = join(REPO, 'models/granary-mlp-ndvi-evi.onnx');
const hasGdal = spawnSync('gdalinfo', ['--version']).status === 0;

/** A data directory like the bundled one: the Sinop catalog item, imagery through a symlink. */
async function dataDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'granary-proc-'));
  await mkdir(join(dir, 'catalog'));
  await copyFile(join(FIXTURES, 'catalog/sinop.json'), join(dir, 'catalog/sinop.json'));
  await symlink(join(FIXTURES, 'imagery'), join(dir, 'imagery'));
  return dir;
}

function baseEnv(dir: string, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return { ...process.env, GRANARY_DATA_DIR: dir, GRANARY_READ_DIRS: FIXTURES, GRANARY_LOG_LEVEL: 'warn', GRANARY_WORKERS: '1', GRANARY_CONFIG: '', ...extra };
}

function exited(p: ChildProcess): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  if (p.exitCode !== null || p.signalCode !== null) return Promise.resolve({ code: p.exitCode, signal: p.signalCode });
  return new Promise((r) => p.once('exit', (code, signal) => r({ code, signal })));
}

async function waitFor(what: string, cond: () => boolean, ms = 60_000): Promise<void> {
  const until = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** GET/POST over a fresh connection (no keep-alive), resolving with status and body. */
function http(url: string, opts: { method?: string; body?: string; headers?: Record<string, string> } = {}): Promise<{ status: number; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: opts.method ?? 'GET', agent: false, headers: { connection: 'close', ...(opts.body ? { 'content-type': 'application/json' } : {}), ...opts.headers } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks) }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(opts.body);
  });
}

describe('SIGTERM drains in-flight requests', () => {
  let remote: LocalServer & { mode: RangeServerMode };
  let dir: string;
  let server: ChildProcess | null = null;
  beforeAll(async () => {
    remote = await rangeServer({ '/slow.tif': SINOP_NDVI });
    dir = await dataDir();
  });
  afterAll(async () => {
    if (server && server.exitCode === null) server.kill('SIGKILL');
    await remote?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('the request in flight completes with 200, then the process exits 0', async () => {
    server = spawn(process.execPath, [BIN, 'serve'], { env: baseEnv(dir, { PORT: '0', HOST: '127.0.0.1', GRANARY_TOKEN: TOKEN, GRANARY_REMOTE_HOSTS: `127.0.0.1:${remote.port}`, GRANARY_RATE_LIMIT: '0' }), stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    server.stdout!.on('data', (c: Buffer) => (out += c.toString()));
    server.stderr!.on('data', (c: Buffer) => (err += c.toString()));
    await waitFor(`the server URL on stdout (stderr: ${err.slice(-500)})`, () => /http:\/\/127\.0\.0\.1:\d+\//.test(out));
    const base = /http:\/\/127\.0\.0\.1:\d+/.exec(out)![0];
    for (let i = 0; i < 100 && (await http(`${base}/healthz`)).status !== 200; i++) await new Promise((r) => setTimeout(r, 100));

    // a scene whose COG lives on the (local) remote host
    const reg = await http(`${base}/api/scenes`, { method: 'POST', body: JSON.stringify({ id: 'slow', hrefs: [`http://127.0.0.1:${remote.port}/slow.tif`], variables: ['ndvi'], scale: 0.0001 }), headers: { authorization: `Bearer ${TOKEN}` } });
    expect(reg.status, reg.body.toString().slice(0, 300)).toBe(201);

    // hold the remote host's answers: the tile request is then in flight inside the service
    let release!: () => void;
    remote.mode.gate = new Promise<void>((r) => (release = r));
    const seen = remote.hits.length;
    const inflight = http(`${base}/tiles/slow/12/1416/2181.png`);
    await waitFor('the tile request to reach the remote host', () => remote.hits.length > seen);

    const exit = exited(server);
    server.kill('SIGTERM');
    await new Promise((r) => setTimeout(r, 300));
    // draining: new connections are refused (the listener is closed) while the request is held
    const late = await http(`${base}/healthz`).then(
      (r) => r.status,
      (e: NodeJS.ErrnoException) => e.code,
    );
    expect(['ECONNREFUSED', 'ECONNRESET', 503]).toContain(late);
    expect(server.exitCode).toBeNull(); // still draining

    release();
    remote.mode.gate = null;
    const res = await inflight;
    expect(res.status).toBe(200);
    expect(res.body.subarray(1, 4).toString()).toBe('PNG');
    const { code, signal } = await exit;
    expect(signal).toBeNull();
    expect(code, err.slice(-1000)).toBe(0);
  }, 180_000); // a supervisor, the HTTP process and its workers start on a shared 2-core machine
});

describe('granary serve restarts its own HTTP process', () => {
  let dir: string;
  let server: ChildProcess | null = null;
  beforeAll(async () => {
    dir = await dataDir();
  });
  afterAll(async () => {
    if (server && server.exitCode === null) server.kill('SIGKILL');
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('the HTTP process killed with SIGKILL: the supervisor starts a new one, which serves; SIGTERM stops both (exit 0)', async () => {
    server = spawn(process.execPath, [BIN, 'serve'], { env: baseEnv(dir, { PORT: '0', HOST: '127.0.0.1', GRANARY_RATE_LIMIT: '0' }), stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    server.stdout!.on('data', (c: Buffer) => (out += c.toString()));
    server.stderr!.on('data', (c: Buffer) => (err += c.toString()));
    const pids = () => [...err.matchAll(/server process (\d+) started/g)].map((m) => Number(m[1]));
    await waitFor(`the server URL (stderr: ${err.slice(-500)})`, () => /Granary is running: http:\/\/127\.0\.0\.1:\d+/.test(out));
    const first = /Granary is running: (http:\/\/127\.0\.0\.1:\d+)/.exec(out)![1]!;
    for (let i = 0; i < 100 && (await http(`${first}/healthz`)).status !== 200; i++) await new Promise((r) => setTimeout(r, 100));
    expect(pids()).toHaveLength(1);
    process.kill(pids()[0]!, 'SIGKILL'); // the HTTP process, not the supervisor
    await waitFor(`a restarted server (stderr: ${err.slice(-500)})`, () => (out.match(/Granary is running/g) ?? []).length === 2);
    const second = [...out.matchAll(/Granary is running: (http:\/\/127\.0\.0\.1:\d+)/g)][1]![1]!;
    let health = 0;
    for (let i = 0; i < 100 && (health = (await http(`${second}/healthz`)).status) !== 200; i++) await new Promise((r) => setTimeout(r, 100));
    expect(health).toBe(200);
    expect((await http(`${second}/tiles/sinop/10/354/545.png`)).status).toBe(200);
    expect(pids()).toHaveLength(2);
    expect(err).toMatch(/server process exited \(SIGKILL\); restarting/);
    const exit = exited(server);
    server.kill('SIGTERM');
    const { code } = await exit;
    expect(code, err.slice(-1000)).toBe(0);
    expect(() => process.kill(pids()[1]!, 0)).toThrow(); // the HTTP process is gone too
  }, 180_000);
});

describe.skipIf(!existsSync(MODEL))('granary cropmap killed mid-run', () => {
  let dir: string;
  let outDir: string;
  beforeAll(async () => {
    dir = await dataDir();
    outDir = join(dir, 'out');
  });
  afterAll(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  const outputs = () => ['x.tif', 'x.tif.aux.xml', 'x.json', 'x.polygons.geojson'].filter((f) => existsSync(join(outDir, f)));

  /** Starts a slow cropmap and resolves once it has classified its first block. */
  async function startSlow(): Promise<{ child: ChildProcess; exit: ReturnType<typeof exited>; stderr: () => string }> {
    const child = spawn(process.execPath, ['--import', 'tsx', join(REPO, 'test/hardening/slow-cropmap.ts'), 'sinop', '--out', join(outDir, 'x.tif')], { cwd: REPO, env: baseEnv(dir, { SLOW_MS: '60000' }), stdio: ['ignore', 'pipe', 'pipe'] });
    let err = '';
    child.stderr!.on('data', (c: Buffer) => (err += c.toString()));
    const exit = exited(child);
    await waitFor(`the first block (stderr: ${err.slice(-300)})`, () => / [1-9]\d*\/\d+ blocks/.test(err) || child.exitCode !== null, 90_000);
    expect(child.exitCode, err.slice(-500)).toBeNull();
    return { child, exit, stderr: () => err };
  }

  it('SIGKILL: no partial output under the final names', async () => {
    const { child, exit } = await startSlow();
    child.kill('SIGKILL');
    expect((await exit).signal).toBe('SIGKILL');
    expect(outputs()).toEqual([]);
    const left = existsSync(outDir) ? await readdir(outDir) : [];
    expect(left.filter((f) => !f.endsWith('.tmp'))).toEqual([]);
  });

  it('SIGTERM: exits 130 saying nothing was written', async () => {
    const { child, exit, stderr } = await startSlow();
    child.kill('SIGTERM');
    expect((await exit).code).toBe(130);
    expect(stderr()).toMatch(/nothing written/);
    expect(outputs()).toEqual([]);
  });

  it('a rerun removes temporary files of a run killed while writing, completes, and GDAL opens the map', async () => {
    // what a SIGKILL between writing and renaming leaves behind
    await mkdir(outDir, { recursive: true });
    const stale = ['.x.tif.99999.deadbeef.tmp', '.x.tif.aux.xml.99999.deadbeef.tmp', '.x.json.99999.deadbeef.tmp', '.x.polygons.geojson.99999.deadbeef.tmp'];
    for (const f of stale) await writeFile(join(outDir, f), 'partial');
    await writeFile(join(outDir, '.other.tif.1.ab.tmp'), 'not ours'); // another output's temp file is left alone
    const r = spawnSync(process.execPath, [BIN, 'cropmap', 'sinop', '--out', join(outDir, 'x.tif'), '--quiet'], { env: baseEnv(dir), encoding: 'utf8', timeout: 180_000 });
    expect(r.status, r.stderr.slice(-1000)).toBe(0);
    expect(outputs().sort()).toEqual(['x.json', 'x.polygons.geojson', 'x.tif', 'x.tif.aux.xml']);
    const left = await readdir(outDir);
    expect(left.filter((f) => f.endsWith('.tmp'))).toEqual(['.other.tif.1.ab.tmp']);
    if (hasGdal) {
      const info = spawnSync('gdalinfo', [join(outDir, 'x.tif')], { encoding: 'utf8' });
      expect(info.status, info.stderr).toBe(0);
      expect(info.stdout).toMatch(/Size is 254, 144/);
      expect(info.stdout).toMatch(/Band 2/);
    }
  });
});
