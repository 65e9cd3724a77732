/**
 * GRANARY_CONNECTION_TIMEOUT_MS closes idle sockets only (server/plugins/idle-sockets.ts): a request
 * computing longer than the timeout is answered (Node alone destroyed its socket: "other side closed"
 * on the 4096 scale-scene bench), a socket that sends nothing is still closed.
 */
import { connect } from 'node:net';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../server/app.js';
import { loadConfig } from '../../server/config.js';
import { FIXTURES } from '../helpers/test-app.js';

const TIMEOUT_MS = 300;
let app: FastifyInstance;
let dir: string;
let base: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'granary-idle-'));
  app = await buildApp(loadConfig({ GRANARY_DATA_DIR: dir, GRANARY_READ_DIRS: FIXTURES, GRANARY_WORKERS: '1', GRANARY_LOG_LEVEL: 'silent', GRANARY_RATE_LIMIT: '0', GRANARY_MAX_EVENT_LOOP_DELAY_MS: '0', GRANARY_CONNECTION_TIMEOUT_MS: String(TIMEOUT_MS) }));
  // a handler that computes (says nothing on the socket) for several timeouts
  app.get('/test-slow', async () => {
    await new Promise((r) => setTimeout(r, TIMEOUT_MS * 4));
    return { ok: true };
  });
  base = await app.listen({ port: 0, host: '127.0.0.1' });
}, 60_000);
afterAll(async () => {
  await app?.close();
  await rm(dir, { recursive: true, force: true });
});

describe('connection timeout', () => {
  it('a request answered after 4 x the idle timeout gets its answer', async () => {
    const res = await fetch(`${base}/test-slow`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ ok: true });
  });

  it('a socket that sends nothing is closed after about the timeout', async () => {
    const url = new URL(base);
    const t0 = performance.now();
    await new Promise<void>((resolve, reject) => {
      const s = connect(Number(url.port), url.hostname);
      s.on('error', reject);
      s.on('close', () => resolve());
    });
    const ms = performance.now() - t0;
    expect(ms).toBeGreaterThanOrEqual(TIMEOUT_MS - 50);
    expect(ms).toBeLessThan(TIMEOUT_MS * 10);
  });
});
