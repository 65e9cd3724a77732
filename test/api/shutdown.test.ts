/**
 * Shutdown during the warm-up (plugins/warmup.ts): `app.close()` while a warm-up step has a tile
 * request in flight through the app. The step is aborted and awaited before any resource closes
 * (a preClose hook), so its request completes against an open footprint recorder and pool; it
 * used to end 500 with EBADF, the footprint's thread-CPU clock having been closed under it
 * (onClose hooks run last-registered first, the warm-up's last of all). A step that waits for
 * something that never comes gives up on the abort instead of holding the close.
 */
import { describe, expect, it } from 'vitest';
import type { LightMyRequestResponse as Response } from 'fastify';
import { createTestApp, SINOP } from '../helpers/test-app.js';
import { unlessAborted } from '../../server/plugins/warmup.js';

describe('close during the warm-up', () => {
  it('lets the running step finish its request, aborts its wait, then closes', async () => {
    const t = await createTestApp({ scenes: [SINOP] });
    const { app } = t;
    let tile: Promise<Response> | null = null;
    let aborted: unknown = null;
    let started!: () => void;
    const running = new Promise<void>((r) => (started = r));
    app.warmup.add('probe', async (signal) => {
      tile = app.inject({ url: '/tiles/sinop/12/1413/2179.png?variable=ndvi&date=2014-01-17&rescale=0,1&colormap=viridis' });
      started();
      await tile;
      // e.g. the pool's "every worker up" wait: must not hold the close back
      await unlessAborted(new Promise(() => undefined), signal).catch((e: unknown) => {
        aborted = e;
        throw e;
      });
    }, { first: true });
    app.warmup.start();
    await running;
    const t0 = performance.now();
    await t.close();
    const closeMs = performance.now() - t0;
    const res = await tile!;
    expect(res.statusCode, res.body.slice(0, 300)).toBe(200);
    expect(res.headers['content-type']).toBe('image/png');
    expect(String(res.headers['server-timing'])).toMatch(/cpu;dur=/);
    expect(String(aborted)).toMatch(/server is closing/);
    // a step cut short by the shutdown is not a failure, and nothing ran after it
    expect(app.warmup.failed).toBe(0);
    expect(app.warmup.completed).toEqual([]);
    expect(closeMs).toBeLessThan(10_000);
    // the recorder is closed now: its clock refuses to be read
    expect(() => app.footprint.clock.ms()).toThrow(/read after close/);
  }, 60_000);
});
