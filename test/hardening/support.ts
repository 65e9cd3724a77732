/**
 * Shared pieces of the hardening suites: a local HTTP range server standing in for a remote COG
 * host (on 127.0.0.1 only), a server that accepts connections and never answers, and checks on
 * problem+json answers.
 */
import { createServer, type Server } from 'node:http';
import type { Socket } from 'node:net';
import { readFile } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import type { LightMyRequestResponse as InjectResponse } from 'fastify';
import { expect } from 'vitest';

export const TOKEN = 'hardening-token-0123456789abcdef';

export interface LocalServer {
  port: number;
  /** requests seen, by path */
  hits: string[];
  close(): Promise<void>;
}

function track(server: Server): Set<Socket> {
  const sockets = new Set<Socket>();
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  return sockets;
}

async function listen(server: Server): Promise<number> {
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const a = server.address();
  if (!a || typeof a !== 'object') throw new Error('no address');
  return a.port;
}

function closer(server: Server, sockets: Set<Socket>) {
  return async () => {
    for (const s of sockets) s.destroy();
    await new Promise<void>((r) => server.close(() => r()));
  };
}

/**
 * Serves files by path with HTTP range support. `routes` maps a URL path to a file; `mode.hang`
 * makes every later request hang (accepted, never answered), `mode.gate` holds answers until it
 * resolves; `redirects` paths answer 302.
 */
export interface RangeServerMode {
  /** accept requests and never answer them */
  hang: boolean;
  /** when set, answers wait for this promise */
  gate: Promise<void> | null;
}

export async function rangeServer(routes: Record<string, string>, redirects: Record<string, string> = {}): Promise<LocalServer & { mode: RangeServerMode }> {
  const files = new Map<string, Buffer>();
  for (const [p, f] of Object.entries(routes)) files.set(p, await readFile(f));
  const mode: RangeServerMode = { hang: false, gate: null };
  const hits: string[] = [];
  const server = createServer(async (req, res) => {
    const path = (req.url ?? '/').split('?')[0]!;
    hits.push(path);
    if (mode.hang) return; // never answer
    if (mode.gate) await mode.gate;
    const to = redirects[path];
    if (to) {
      res.writeHead(302, { Location: to }).end();
      return;
    }
    const body = files.get(path);
    if (!body) {
      res.writeHead(404).end('not found');
      return;
    }
    const m = /^bytes=(\d+)-(\d+)$/.exec(req.headers.range ?? '');
    if (!m) {
      res.writeHead(200, { 'Content-Length': body.length, ETag: '"v1"' }).end(body);
      return;
    }
    const start = Number(m[1]);
    const end = Math.min(Number(m[2]), body.length - 1);
    if (start >= body.length) {
      res.writeHead(416, { 'Content-Range': `bytes */${body.length}` }).end();
      return;
    }
    res.writeHead(206, { 'Content-Range': `bytes ${start}-${end}/${body.length}`, 'Content-Length': end - start + 1, ETag: '"v1"' }).end(body.subarray(start, end + 1));
  });
  const sockets = track(server);
  const port = await listen(server);
  return { port, hits, mode, close: closer(server, sockets) };
}

/** Accepts TCP connections and HTTP requests and never answers any. */
export async function silentServer(): Promise<LocalServer> {
  const hits: string[] = [];
  const server = createServer((req) => {
    hits.push(req.url ?? '/');
  });
  const sockets = track(server);
  const port = await listen(server);
  return { port, hits, close: closer(server, sockets) };
}

/** A refusal: 4xx, problem+json with the four members. */
export function expectProblem(res: InjectResponse, status?: number | ((s: number) => boolean)): void {
  if (typeof status === 'number') expect(res.statusCode, res.body.slice(0, 300)).toBe(status);
  else if (typeof status === 'function') expect(status(res.statusCode), `${res.statusCode}: ${res.body.slice(0, 300)}`).toBe(true);
  expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
  const p = res.json() as Record<string, unknown>;
  expect(typeof p.type).toBe('string');
  expect(typeof p.title).toBe('string');
  expect(p.status).toBe(res.statusCode);
  expect(typeof p.detail).toBe('string');
}

/** No 5xx except a 503 that says when to come back. */
export function acceptable(res: { statusCode: number; headers: Record<string, unknown> }): boolean {
  if (res.statusCode < 500) return true;
  return res.statusCode === 503 && res.headers['retry-after'] !== undefined;
}

/** Resident memory of the service: this process plus every worker process of its pool (bytes). */
export function serviceRss(pool: { pids(lane?: 'interactive' | 'bulk'): number[] }): number {
  let total = process.memoryUsage().rss;
  for (const pid of [...pool.pids('interactive'), ...pool.pids('bulk')]) {
    try {
      const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
      if (m) total += Number(m[1]) * 1024;
    } catch {
      /* exited meanwhile */
    }
  }
  return total;
}
