/**
 * Starts the whole cluster topology on one machine, against a PostgreSQL (with PostGIS) and a Redis:
 * N `granary serve` replicas, M `granary worker` processes and nginx in front (deploy/nginx.conf.template,
 * run as our own process on a free port). The tests and `npm run bench -- cluster` use it; by hand:
 *
 *   GRANARY_DATABASE_URL=postgres://postgres@127.0.0.1:5432/granary GRANARY_REDIS_URL=redis://127.0.0.1:6379 \
 *   GRANARY_TOKEN=... npm run cluster -- --replicas 2 --workers 2 [--port 8160] [--data-dir dir]
 *
 * Ctrl-C stops everything (SIGTERM first: replicas drain requests, workers finish their blocks).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdir, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { PACKAGE_ROOT } from '../server/config.js';

export interface ClusterOptions {
  replicas: number;
  workers: number;
  databaseUrl: string;
  redisUrl: string;
  dataDir: string;
  /** nginx port (0 = free port) */
  port?: number;
  /** extra environment for every process (GRANARY_TOKEN, GRANARY_READ_DIRS, ...) */
  env?: Record<string, string>;
  /** nginx tile cache (default on; benchmarks of rendering turn it off) */
  cache?: boolean;
  /** where process logs go (default: <runDir>/<name>.log) */
  log?: 'inherit' | 'files';
}

export interface ClusterProcess {
  name: string;
  port: number;
  proc: ChildProcess;
  logFile: string;
}

export interface Cluster {
  url: string;
  port: number;
  runDir: string;
  replicas: ClusterProcess[];
  workers: ClusterProcess[];
  nginx: ChildProcess;
  startReplica(i?: number): Promise<ClusterProcess>;
  startWorker(i?: number): Promise<ClusterProcess>;
  /** SIGKILL, no goodbye */
  kill(p: ClusterProcess): Promise<void>;
  stop(): Promise<void>;
}

const BIN = resolve(PACKAGE_ROOT, 'bin/granary.js');

export async function freePort(): Promise<number> {
  return new Promise((res, rej) => {
    const s = createServer();
    s.on('error', rej);
    s.listen(0, '127.0.0.1', () => {
      const a = s.address();
      s.close(() => res(typeof a === 'object' && a ? a.port : 0));
    });
  });
}

async function waitHttp(url: string, timeoutMs: number, proc: ChildProcess, name: string): Promise<void> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    if (proc.exitCode !== null) throw new Error(`${name} exited with code ${proc.exitCode} while starting`);
    try {
      const r = await fetch(url, { signal: AbortSignal.timeout(2000) });
      if (r.ok) return;
    } catch {
      /* not yet */
    }
    if (Date.now() > end) throw new Error(`${name} did not answer ${url} within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 150));
  }
}

export function nginxConfig(template: string, v: { port: number; runDir: string; upstreams: number[]; cache?: boolean }): string {
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  return template
    .replace('{{USER}}', isRoot ? 'user root root;' : '')
    .replaceAll('{{RUN_DIR}}', v.runDir)
    .replace('{{PORT}}', String(v.port))
    .replace('proxy_cache granary_tiles;', v.cache === false ? 'proxy_cache off;' : 'proxy_cache granary_tiles;')
    .replace('{{UPSTREAMS}}', v.upstreams.map((p) => `    server 127.0.0.1:${p} max_fails=1 fail_timeout=2s;`).join('\n'));
}

export async function startCluster(o: ClusterOptions): Promise<Cluster> {
  const runDir = await mkdtemp(join(tmpdir(), 'granary-cluster-'));
  const port = o.port || (await freePort());
  const children: ChildProcess[] = [];
  const env = (name: string, p: number) => ({
    ...process.env,
    GRANARY_DATA_DIR: o.dataDir,
    GRANARY_DATABASE_URL: o.databaseUrl,
    GRANARY_REDIS_URL: o.redisUrl,
    GRANARY_INSTANCE: name,
    PORT: String(p),
    HOST: '127.0.0.1',
    // nginx on loopback is the only proxy: its X-Forwarded-For names the client (rate limits, logs)
    GRANARY_TRUST_PROXY: 'loopback',
    ...o.env,
  });
  const spawnGranary = async (name: string, args: string[], health: string): Promise<ClusterProcess> => {
    const p = await freePort();
    const logFile = join(runDir, `${name}.log`);
    const { openSync } = await import('node:fs');
    const fd = o.log === 'inherit' ? 'inherit' : openSync(logFile, 'a');
    const proc = spawn(process.execPath, [BIN, ...args], { env: env(name, p), stdio: ['ignore', fd, fd] });
    children.push(proc);
    await waitHttp(`http://127.0.0.1:${p}${health}`, 90_000, proc, name);
    return { name, port: p, proc, logFile };
  };
  const replicas: ClusterProcess[] = [];
  const workers: ClusterProcess[] = [];
  const startReplica = async (i = replicas.length) => {
    // no supervisor: the process manager (systemd, Kubernetes, this script) restarts a replica, and kill -9
    // must hit the serving process itself (a supervisor's SIGKILL would leave its child serving)
    const r = await spawnGranary(`replica-${i + 1}`, ['serve', '--no-supervisor'], '/readyz');
    replicas[i] = r;
    return r;
  };
  const startWorker = async (i = workers.length) => {
    const w = await spawnGranary(`worker-${i + 1}`, ['worker'], '/healthz');
    workers[i] = w;
    return w;
  };
  const stopAll = async () => {
    await Promise.all(
      children.map(async (c) => {
        if (c.exitCode !== null || c.signalCode !== null) return;
        const done = new Promise((r) => c.once('exit', r));
        c.kill(c.spawnargs[0] === 'nginx' ? 'SIGQUIT' : 'SIGTERM');
        const t = setTimeout(() => c.kill('SIGKILL'), 15_000);
        await done;
        clearTimeout(t);
      }),
    );
  };
  try {
    // the first replica migrates the database; the others start after it
    await startReplica(0);
    await Promise.all([...Array.from({ length: o.replicas - 1 }, (_, i) => startReplica(i + 1)), ...Array.from({ length: o.workers }, (_, i) => startWorker(i))]);
  } catch (e) {
    await stopAll();
    throw e;
  }

  const template = await readFile(resolve(PACKAGE_ROOT, 'deploy/nginx.conf.template'), 'utf8');
  const conf = join(runDir, 'nginx.conf');
  await mkdir(join(runDir, 'tile_cache'), { recursive: true });
  await writeFile(conf, nginxConfig(template, { port, runDir, upstreams: replicas.map((r) => r.port), cache: o.cache ?? true }));
  const nginx = spawn('nginx', ['-c', conf, '-p', runDir, '-g', 'daemon off;'], { stdio: ['ignore', 'ignore', 'pipe'] });
  let nginxErr = '';
  nginx.stderr!.on('data', (d: Buffer) => (nginxErr += d.toString()));
  children.push(nginx);
  try {
    await waitHttp(`http://127.0.0.1:${port}/healthz`, 15_000, nginx, 'nginx');
  } catch (e) {
    await stopAll();
    throw new Error(`${(e as Error).message}: ${nginxErr}`);
  }

  const kill = async (p: ClusterProcess) => {
    if (p.proc.exitCode !== null || p.proc.signalCode !== null) return;
    const done = new Promise((r) => p.proc.once('exit', r));
    p.proc.kill('SIGKILL');
    await done;
  };
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    runDir,
    replicas,
    workers,
    nginx,
    startReplica,
    startWorker,
    kill,
    stop: stopAll,
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { values } = parseArgs({ options: { replicas: { type: 'string', default: '2' }, workers: { type: 'string', default: '2' }, port: { type: 'string', default: '8160' }, 'data-dir': { type: 'string' } } });
  const databaseUrl = process.env['GRANARY_DATABASE_URL'];
  const redisUrl = process.env['GRANARY_REDIS_URL'];
  if (!databaseUrl || !redisUrl) {
    console.error('set GRANARY_DATABASE_URL (PostgreSQL with PostGIS available) and GRANARY_REDIS_URL');
    process.exit(2);
  }
  const c = await startCluster({ replicas: Number(values.replicas), workers: Number(values.workers), port: Number(values.port), databaseUrl, redisUrl, dataDir: resolve(values['data-dir'] ?? process.env['GRANARY_DATA_DIR'] ?? resolve(PACKAGE_ROOT, 'fixtures')) });
  console.log(`Granary cluster: ${c.url}/  (replicas ${c.replicas.map((r) => `:${r.port}`).join(' ')}, workers' metrics ${c.workers.map((w) => `:${w.port}`).join(' ')}; logs in ${c.runDir})`);
  const stop = () => void c.stop().then(() => process.exit(0));
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}
