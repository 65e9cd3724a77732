/**
 * Smaller request hardening: a 10k-deep JSON body is a 400 before any work (it was a 500 from
 * JSON.stringify after the whole zonal computation); OGC query keys named like Object.prototype
 * members are unknown properties (400), not silently ignored; links come from GRANARY_PUBLIC_URL
 * or a valid Host header (an invalid one is a 400, never echoed into links).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, SINOP, type TestApp } from '../helpers/test-app.js';
import { expectProblem } from './support.js';

let t: TestApp;
let pub: TestApp;
beforeAll(async () => {
  t = await createTestApp({ scenes: [SINOP], env: { GRANARY_RATE_LIMIT: '0' } });
  pub = await createTestApp({ scenes: [SINOP], env: { GRANARY_RATE_LIMIT: '0', GRANARY_PUBLIC_URL: 'https://maps.example.org/granary/' } });
}, 120_000);
afterAll(async () => {
  await t?.close();
  await pub?.close();
});

describe('request hardening', () => {
  it('a zonal request whose properties nest 10,000 levels deep: 400 at once', async () => {
    const deep = '{"a":'.repeat(10_000) + '1' + '}'.repeat(10_000);
    const body = `{"type":"Feature","properties":${deep},"geometry":{"type":"Polygon","coordinates":[[[-55.6,-11.7],[-55.5,-11.7],[-55.5,-11.6],[-55.6,-11.6],[-55.6,-11.7]]]}}`;
    const t0 = performance.now();
    const res = await t.app.inject({ method: 'POST', url: '/api/zonal-stats?scene=sinop', headers: { 'content-type': 'application/json' }, payload: body });
    expectProblem(res, 400);
    expect(res.json().detail).toMatch(/nests deeper than 64 levels/);
    expect(performance.now() - t0).toBeLessThan(5000);
    // 60 levels are fine (and echoed back)
    const ok = await t.app.inject({ method: 'POST', url: '/api/zonal-stats?scene=sinop', headers: { 'content-type': 'application/json' }, payload: body.replace(deep, '{"a":'.repeat(60) + '1' + '}'.repeat(60)) });
    expect(ok.statusCode, ok.body.slice(0, 300)).toBe(200);
  });

  it.each(['toString', 'constructor', '__proto__', 'hasOwnProperty'])('OGC query key %s: 400 unknown property', async (key) => {
    const res = await t.app.inject({ url: `/collections/regions/items?${key}=1` });
    expectProblem(res, 400);
    expect(res.json().detail).toMatch(/unknown property/);
  });

  it('links from a valid Host; an invalid Host header is a 400, not echoed', async () => {
    const ok = await t.app.inject({ url: '/tiles/sinop/tilejson.json?variable=ndvi', headers: { host: 'maps.local:8080' } });
    expect(ok.statusCode).toBe(200);
    expect((ok.json() as { tiles: string[] }).tiles[0]).toMatch(/^http:\/\/maps\.local:8080\/tiles\/sinop\//);
    for (const host of ['evil.example/<script>', 'a b', 'x"onload=1']) {
      const bad = await t.app.inject({ url: '/tiles/sinop/tilejson.json?variable=ndvi', headers: { host } });
      expectProblem(bad, 400);
      expect(bad.body).not.toContain('<script>');
    }
  });

  it('links from GRANARY_PUBLIC_URL when set, whatever the Host', async () => {
    const res = await pub.app.inject({ url: '/tiles/sinop/tilejson.json?variable=ndvi', headers: { host: 'internal:9999' } });
    expect((res.json() as { tiles: string[] }).tiles[0]).toMatch(/^https:\/\/maps\.example\.org\/granary\/tiles\/sinop\//);
    const ogc = (await pub.app.inject({ url: '/ogc/collections' })).json() as { links: Array<{ href: string }> };
    expect(ogc.links.every((l) => l.href.startsWith('https://maps.example.org/granary/'))).toBe(true);
  });
});
