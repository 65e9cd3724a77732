/**
 * Start-up work moved after listen (issue #17): route schemas compiled on first use
 * (plugins/lazy-schemas.ts, as `granary serve` builds the app) answer exactly as the eagerly
 * compiled ones (same statuses, bodies and problem details for good and bad requests), and the
 * warm-up (plugins/warmup.ts) compiles every one of them after listen without a failure.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, SINOP, type TestApp } from '../helpers/test-app.js';
import { Warmup } from '../../server/plugins/warmup.js';

const REQUESTS: Array<{ method?: 'GET' | 'POST'; url: string; payload?: unknown }> = [
  { url: '/api/scenes' },
  { url: '/tiles/sinop/12/1413/2179.png?variable=ndvi&date=2014-01-17&rescale=0,1&colormap=viridis' },
  { url: '/tiles/sinop/12/1413/2179.png?variable=ndvi&rescale=1' },
  { url: '/tiles/sinop/12/1413/2179.png?bands=ndvi,evi,ndvi&date=2014-01-17' },
  { url: '/tiles/sinop/99/0/0.png?variable=ndvi' },
  { url: '/tiles/sinop/tilejson.json?variable=ndvi&rescale=0,1&colormap=viridis' },
  { url: '/collections/regions/items?limit=2&crop=soy&year=2014' },
  { url: '/collections/regions/items?population=many' },
  { url: '/collections/regions/items?bbox=1,2,3' },
  { url: '/collections/regions/items/0000000' },
  { url: '/api/yield-gap?crop=soy&year=2014&region=5107925' },
  { url: '/api/yield-gap?crop=rice&year=2014' },
  { url: '/api/yield-gap?crop=soy&year=abcd' },
  { method: 'POST', url: '/api/field-reports', payload: { nonsense: true } },
  { method: 'POST', url: '/api/scenes', payload: [] },
];

/** OGC responses carry the time of the response */
const stamp = (body: string) => body.replace(/"timeStamp":"[^"]+"/g, '"timeStamp":"T"');

let eager: TestApp;
let lazy: TestApp;
beforeAll(async () => {
  eager = await createTestApp({ scenes: [SINOP] });
  lazy = await createTestApp({ scenes: [SINOP], build: { lazySchemas: true } });
}, 120_000);
afterAll(async () => {
  await eager?.close();
  await lazy?.close();
});

describe('lazily compiled schemas', () => {
  it('answer as the eagerly compiled ones', async () => {
    for (const r of REQUESTS) {
      const [a, b] = await Promise.all([eager.app.inject({ method: r.method ?? 'GET', url: r.url, payload: r.payload as object }), lazy.app.inject({ method: r.method ?? 'GET', url: r.url, payload: r.payload as object })]);
      const what = `${r.method ?? 'GET'} ${r.url}`;
      expect(b.statusCode, what).toBe(a.statusCode);
      expect(b.headers['content-type'], what).toBe(a.headers['content-type']);
      if (/json/.test(String(a.headers['content-type']))) expect(stamp(b.body), what).toBe(stamp(a.body));
      else expect(b.rawPayload.equals(a.rawPayload), what).toBe(true);
    }
    // the list holds both kinds
    const statuses = new Set((await Promise.all(REQUESTS.map((r) => lazy.app.inject({ method: r.method ?? 'GET', url: r.url, payload: r.payload as object })))).map((x) => Math.floor(x.statusCode / 100)));
    expect([...statuses].sort()).toEqual([2, 4]);
  }, 120_000);

  it('are all compiled by the warm-up after listen, none failing', async () => {
    const w = lazy.app.warmup;
    expect(w.pending).toBeGreaterThan(0); // inject does not listen: nothing ran yet
    await lazy.app.listen({ port: 0, host: '127.0.0.1' });
    const t0 = Date.now();
    while (w.finishedMs === null && Date.now() - t0 < 60_000) await new Promise((r) => setTimeout(r, 20));
    expect(w.finishedMs).not.toBeNull();
    expect(w.failed).toBe(0);
    expect(w.done).toBeGreaterThan(100); // every route's validators and serializers, the yield-gap rows
    expect(w.pending).toBe(0);
    // the dashboard's first screen (plugins/warm-dashboard.ts) right after the model check, before the crop tile
    const dash = w.completed.filter((n) => n.startsWith('dashboard'));
    expect(dash).toEqual(['dashboard first visit', 'dashboard: catalog', 'dashboard: yield-gap soy', `dashboard: normals soy ${lazy.app.regions.defaultYear}`, 'dashboard: boundaries', 'dashboard: scene sinop', 'dashboard: imagery sinop']);
    expect(w.completed.indexOf('dashboard: imagery sinop')).toBeLessThan(w.completed.indexOf('first crop tile'));
    expect(w.completed.slice(0, 2)).toEqual(['fetch classes', 'models']);
  }, 90_000);
});

describe('Warmup', () => {
  it('runs steps in order after start, only while no request is in flight', async () => {
    const w = new Warmup();
    const ran: string[] = [];
    w.add('a', () => ran.push('a'));
    w.add('b', () => {
      throw new Error('b fails');
    });
    w.add('c', async () => void ran.push('c'));
    await new Promise((r) => setTimeout(r, 20));
    expect(ran).toEqual([]); // not started
    const req = {};
    w.requestStarted(req);
    w.start();
    await new Promise((r) => setTimeout(r, 40));
    expect(ran).toEqual([]); // a request is in flight
    w.requestEnded(req);
    w.requestEnded(req); // ended twice (abort and response) counts once
    const t0 = Date.now();
    while (w.finishedMs === null && Date.now() - t0 < 5000) await new Promise((r) => setTimeout(r, 5));
    expect(ran).toEqual(['a', 'c']);
    expect([w.done, w.failed]).toEqual([2, 1]);
  });

  it('starts its first step only once no request has begun or ended for its quiet time', async () => {
    const w = new Warmup(undefined, 300);
    let ranAt = 0;
    w.add('a', () => void (ranAt = performance.now()));
    const t0 = performance.now();
    w.start();
    // a burst of requests, 30 ms apart, for 150 ms: each one pushes the first step back
    let last = t0;
    for (let i = 0; i < 5; i++) {
      const req = {};
      w.requestStarted(req);
      await new Promise((r) => setTimeout(r, 5));
      w.requestEnded(req);
      last = performance.now();
      await new Promise((r) => setTimeout(r, 25));
      expect(ranAt).toBe(0);
    }
    while (ranAt === 0 && performance.now() - t0 < 5000) await new Promise((r) => setTimeout(r, 5));
    expect(ranAt - last).toBeGreaterThanOrEqual(299);
    // later steps do not wait for quiet (only the first does): well under the 300 ms it would be
    let second = 0;
    const req = {};
    w.requestStarted(req);
    w.requestEnded(req);
    const t1 = performance.now();
    w.add('b', () => void (second = performance.now()));
    while (second === 0 && performance.now() - t1 < 5000) await new Promise((r) => setTimeout(r, 1));
    expect(second - t1).toBeLessThan(250);
  });

  it('runs one step per turn of the event loop, also when a step adds steps', async () => {
    const w = new Warmup();
    let turn = 0;
    let probing = true;
    const probe = () => {
      turn++;
      if (probing) setImmediate(probe);
    };
    setImmediate(probe);
    const turns: number[] = [];
    w.add('adds', () => {
      for (let i = 0; i < 50; i++) w.add(`added ${i}`, () => void turns.push(turn));
    });
    w.start();
    const t0 = Date.now();
    while (w.finishedMs === null && Date.now() - t0 < 5000) await new Promise((r) => setTimeout(r, 5));
    probing = false;
    expect(turns).toHaveLength(50);
    // a request arriving meanwhile waits for one step, not for the queue: no two steps share a turn
    expect(new Set(turns).size).toBe(50);
  });
});
