/**
 * The real Granary service for browser tests and the bench: builds the client when client/dist is
 * missing or older than its sources, then listens on a free port.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../server/app.js';
import { loadConfig } from '../../server/config.js';

export const REPO = resolve(import.meta.dirname, '../..');
const CLIENT = join(REPO, 'client');
export const DIST = join(CLIENT, 'dist');

function newestMtime(dir: string): number {
  let newest = 0;
  for (const name of readdirSync(dir, { withFileTypes: true })) {
    if (name.name === 'dist' || name.name === 'node_modules') continue;
    const p = join(dir, name.name);
    newest = Math.max(newest, name.isDirectory() ? newestMtime(p) : statSync(p).mtimeMs);
  }
  return newest;
}

/** Builds client/dist with Vite unless it is present and newer than every client source file. */
function ensureClientBuilt(log: (s: string) => void = () => {}): void {
  const index = join(DIST, 'index.html');
  if (existsSync(index) && statSync(index).mtimeMs >= newestMtime(CLIENT)) return;
  log('building the client (vite build --config client/vite.config.ts)');
  const r = spawnSync(process.execPath, [join(REPO, 'node_modules/vite/bin/vite.js'), 'build', '--config', join(CLIENT, 'vite.config.ts')], { cwd: REPO, stdio: 'inherit' });
  if (r.status !== 0) throw new Error(`vite build failed (exit ${r.status})`);
}

export interface RunningServer {
  url: string;
  /** the process started (the supervisor), when the service runs in its own process */
  pid?: number;
  close(): Promise<void>;
}

async function waitHealthy(url: string, isAlive: () => boolean): Promise<void> {
  const end = Date.now() + 180_000;
  for (;;) {
    const res = await fetch(`${url}/healthz`).catch(() => null);
    if (res?.ok) return;
    if (!isAlive()) throw new Error('Granary exited before it was healthy');
    if (Date.now() > end) throw new Error(`Granary at ${url} not healthy after 180 s (last: ${res?.status ?? 'no answer'})`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

/**
 * Starts Granary the way `npm start` does (`node bin/granary.js serve`, its own process, so the
 * test's own work never slows the service's event loop) on 127.0.0.1 and a free port, and waits
 * for /healthz. With `extend` (the development mock only) it runs in this process instead, so
 * routes can be added before it listens.
 */
export async function startGranary(opts: { env?: Record<string, string>; extend?: (app: FastifyInstance) => Promise<void> | void; port?: number; repo?: string } = {}): Promise<RunningServer> {
  // another checkout (the bench's baseline) serves its own build: it is built beforehand
  const repo = opts.repo ?? REPO;
  if (repo === REPO) ensureClientBuilt((s) => console.log(s));
  const env = { ...process.env, GRANARY_WORKERS: process.env.GRANARY_WORKERS ?? '2', GRANARY_LOG_LEVEL: 'warn', ...opts.env, PORT: String(opts.port ?? 0), HOST: '127.0.0.1' };
  if (opts.extend) return startInProcess(env, opts.extend, opts.port ?? 0);
  const child = spawn(process.execPath, [join(repo, 'bin/granary.js'), 'serve'], { cwd: repo, env, stdio: ['ignore', 'pipe', 'pipe'] });
  // never leave the service behind, even when the caller crashes
  const reap = () => child.exitCode === null && child.kill('SIGKILL');
  process.once('exit', reap);
  let log = '';
  const keep = (b: Buffer) => {
    log = (log + b.toString()).slice(-20_000);
  };
  child.stderr.on('data', keep);
  const url = await new Promise<string>((resolveUrl, reject) => {
    const timer = setTimeout(() => reject(new Error(`Granary did not start in 180 s:\n${log}`)), 180_000);
    child.stdout.on('data', (b: Buffer) => {
      keep(b);
      const m = /Granary is running: (http:\/\/[\d.]+:\d+)/.exec(log);
      if (m) {
        clearTimeout(timer);
        resolveUrl(m[1]!);
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`Granary exited (${code}) before listening:\n${log}`));
    });
    // a missing node or checkout directory: spawn's error event, which nothing else listens to
    child.once('error', (e) => {
      clearTimeout(timer);
      reject(new Error(`Granary could not be started from ${repo}: ${e.message}`));
    });
  });
  await waitHealthy(url, () => child.exitCode === null);
  return {
    url,
    pid: child.pid,
    close: () =>
      new Promise<void>((done) => {
        process.off('exit', reap);
        if (child.exitCode !== null) return done();
        const force = setTimeout(() => child.kill('SIGKILL'), 10_000);
        child.once('exit', () => {
          clearTimeout(force);
          done();
        });
        child.kill('SIGTERM');
      }),
  };
}

async function startInProcess(env: Record<string, string | undefined>, extend: (app: FastifyInstance) => Promise<void> | void, port: number): Promise<RunningServer> {
  const app = await buildApp(loadConfig(env));
  await extend(app);
  await app.listen({ port, host: '127.0.0.1' });
  const addr = app.server.address();
  const url = `http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : port}`;
  await waitHealthy(url, () => true);
  return { url, close: () => app.close() };
}
