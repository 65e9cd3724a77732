/**
 * `granary serve` end to end: the worker child that bin/granary.js forks before the service loads
 * primes from the file catalog (the 'prime-catalog' task, sent with its init: fork-child.ts) and is
 * adopted by the pool, which hears that task finish (its CPU time is in /metrics); the crop tile of
 * the default model is classified once and kept on disk in the data directory's cache, where a
 * second process finds it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import { copyFile, mkdir, mkdtemp, readdir, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const REPO = resolve(import.meta.dirname, '../../..');
const BIN = join(REPO, 'bin/granary.js');
const FIXTURES = join(REPO, 'fixtures');
let dir: string;
const servers: ChildProcess[] = [];

async function start(): Promise<string> {
  const p = spawn(process.execPath, [BIN, 'serve', '--no-supervisor'], {
    env: { ...process.env, GRANARY_DATA_DIR: dir, GRANARY_READ_DIRS: FIXTURES, GRANARY_LOG_LEVEL: 'warn', GRANARY_WORKERS: '2', GRANARY_CONFIG: '', PORT: '0', HOST: '127.0.0.1', GRANARY_RATE_LIMIT: '0', GRANARY_PRIME_MS: '150', GRANARY_PRIME_CROP_MS: '300', GRANARY_CLASSIFIED_CACHE_MB: '64' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  servers.push(p);
  let out = '';
  let err = '';
  p.stdout!.on('data', (c: Buffer) => (out += c.toString()));
  p.stderr!.on('data', (c: Buffer) => (err += c.toString()));
  const until = Date.now() + 90_000;
  while (!/Granary is running: (http:\/\/127\.0\.0\.1:\d+)/.test(out)) {
    if (Date.now() > until || p.exitCode !== null) throw new Error(`no server (stderr: ${err.slice(-800)})`);
    await new Promise((r) => setTimeout(r, 50));
  }
  return /Granary is running: (http:\/\/127\.0\.0\.1:\d+)/.exec(out)![1]!;
}

async function stop(p: ChildProcess): Promise<void> {
  if (p.exitCode !== null) return;
  const done = new Promise((r) => p.once('exit', r));
  p.kill('SIGTERM');
  await done;
}

describe('granary serve: the early worker', () => {
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'granary-serve-'));
    await mkdir(join(dir, 'catalog'));
    await copyFile(join(FIXTURES, 'catalog/sinop.json'), join(dir, 'catalog/sinop.json'));
    await symlink(join(FIXTURES, 'imagery'), join(dir, 'imagery'));
  });
  afterAll(async () => {
    for (const s of servers) await stop(s);
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('primes from the file catalog before the pool exists, is adopted, and keeps the classified blocks on disk', async () => {
    const base = await start();
    const metrics = await (await fetch(`${base}/metrics`)).text();
    expect(metrics).toMatch(/granary_worker_cpu_seconds\{kind="prime-catalog"\} [0-9.e-]+/);
    const tj = (await (await fetch(`${base}/tiles/sinop/crops/tilejson.json`)).json()) as { center: [number, number, number] };
    const z = tj.center[2];
    const n = 2 ** z;
    const x = Math.floor(((tj.center[0] + 180) / 360) * n);
    const lat = (tj.center[1] * Math.PI) / 180;
    const y = Math.floor(((1 - Math.log(Math.tan(lat) + 1 / Math.cos(lat)) / Math.PI) / 2) * n);
    const crop = await fetch(`${base}/tiles/sinop/crops/${z}/${x}/${y}.png`);
    expect(crop.status).toBe(200);
    expect(crop.headers.get('content-type')).toBe('image/png');
    const stored = async () => (await readdir(join(dir, 'cache', 'classified')).catch(() => [] as string[])).filter((f) => f.endsWith('.cls'));
    for (let i = 0; i < 100 && (await stored()).length === 0; i++) await new Promise((r) => setTimeout(r, 50));
    expect((await stored()).length).toBeGreaterThan(0);
    await stop(servers[0]!);

    // a second process on the same data directory serves the same tile, byte for byte
    const base2 = await start();
    const again = await fetch(`${base2}/tiles/sinop/crops/${z}/${x}/${y}.png`);
    expect(again.status).toBe(200);
    expect(Buffer.from(await again.arrayBuffer())).toEqual(Buffer.from(await crop.arrayBuffer()));
  }, 180_000);
});
