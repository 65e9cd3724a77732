/**
 * Protection at the door (server/plugins/protection.ts) and the explicit limits: security headers
 * and the dashboard's CSP, CORS from configuration, the per-client rate limit (429 problem+json
 * with Retry-After; /healthz and /metrics exempt; allowlist), the event-loop pressure gate (503
 * with Retry-After), request ids, router errors as problem+json, and each documented limit
 * (zoom, tile size, expression length, body size, features, vertices, page size).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, SINOP, type TestApp } from '../helpers/test-app.js';
import { MAX_EXPRESSION_LENGTH } from '../../server/contract/tiles.js';
import { ZONAL_LIMITS } from '../../server/routes/regions/zonal.js';
import { MAX_LIMIT } from '../../server/contract/ogc.js';
import { expectProblem, TOKEN } from './support.js';
import { ConfigError, loadConfig } from '../../server/config.js';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp({ scenes: [SINOP], env: { GRANARY_TOKEN: TOKEN, GRANARY_RATE_LIMIT: '0', GRANARY_CORS_ORIGIN: 'https://maps.example.org,https://county.example.gov' } });
});
afterAll(async () => {
  await t?.close();
});

const square = (x: number, y: number, d: number) => [[[x, y], [x + d, y], [x + d, y + d], [x, y + d], [x, y]]];
const feature = (coordinates: number[][][]) => ({ type: 'Feature', properties: {}, geometry: { type: 'Polygon', coordinates } });

describe('security headers', () => {
  it('every answer carries helmet headers and a CSP that lets the dashboard run', async () => {
    for (const url of ['/', '/api/scenes', '/tiles/sinop/12/1416/2181.png', '/no/such/route']) {
      const res = await t.app.inject({ url });
      expect(res.headers['x-content-type-options']).toBe('nosniff');
      expect(res.headers['x-frame-options']).toBe('SAMEORIGIN');
      expect(res.headers['referrer-policy']).toBe('no-referrer');
      const csp = String(res.headers['content-security-policy']);
      expect(csp).toContain("default-src 'self'");
      expect(csp).toContain("script-src 'self'");
      expect(csp).toMatch(/worker-src 'self' blob:/);
      expect(csp).toMatch(/img-src 'self' data: blob:/);
      expect(csp).toContain("object-src 'none'");
      expect(csp).not.toContain('upgrade-insecure-requests');
      // tiles are public data: other sites' maps may embed them
      expect(res.headers['cross-origin-resource-policy']).toBe('cross-origin');
      expect(res.headers['x-request-id']).toMatch(/^\S+$/);
    }
  });

  it('a caller-supplied X-Request-Id is kept (logs and answer carry the same id)', async () => {
    const res = await t.app.inject({ url: '/healthz', headers: { 'x-request-id': 'county-gis-42' } });
    expect(res.headers['x-request-id']).toBe('county-gis-42');
  });
});

describe('CORS (GRANARY_CORS_ORIGIN)', () => {
  it('a configured origin is allowed, with the headers a map client needs exposed', async () => {
    const res = await t.app.inject({ url: '/api/scenes', headers: { origin: 'https://maps.example.org' } });
    expect(res.headers['access-control-allow-origin']).toBe('https://maps.example.org');
    expect(String(res.headers['access-control-expose-headers'])).toMatch(/ETag.*Retry-After/);
  });
  it('another origin gets no CORS headers', async () => {
    const res = await t.app.inject({ url: '/api/scenes', headers: { origin: 'https://evil.example' } });
    expect(res.headers['access-control-allow-origin']).toBeUndefined();
  });
  it('preflight for a writing route allows Authorization', async () => {
    const res = await t.app.inject({ method: 'OPTIONS', url: '/api/scenes', headers: { origin: 'https://county.example.gov', 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization,content-type' } });
    expect(res.statusCode).toBe(204);
    expect(String(res.headers['access-control-allow-headers'])).toMatch(/Authorization/);
  });
  it('unset: no CORS headers at all (same-origin only)', async () => {
    const plain = await createTestApp({ env: { GRANARY_RATE_LIMIT: '0' } });
    try {
      const res = await plain.app.inject({ url: '/api/scenes', headers: { origin: 'https://maps.example.org' } });
      expect(res.headers['access-control-allow-origin']).toBeUndefined();
    } finally {
      await plain.close();
    }
  });
});

describe('rate limit (GRANARY_RATE_LIMIT per minute per client)', () => {
  it('beyond the limit: 429 problem+json with Retry-After; /healthz and /metrics stay reachable; other clients unaffected', async () => {
    const limited = await createTestApp({ env: { GRANARY_RATE_LIMIT: '5' } });
    try {
      const statuses: number[] = [];
      for (let i = 0; i < 8; i++) statuses.push((await limited.app.inject({ url: '/api/colormaps' })).statusCode);
      expect(statuses.slice(0, 5)).toEqual([200, 200, 200, 200, 200]);
      expect(statuses.slice(5)).toEqual([429, 429, 429]);
      const res = await limited.app.inject({ url: '/api/scenes' });
      expectProblem(res, 429);
      expect(Number(res.headers['retry-after'])).toBeGreaterThan(0);
      expect(res.json().detail).toMatch(/requests per minute/);
      expect((await limited.app.inject({ url: '/healthz' })).statusCode).toBe(200);
      expect((await limited.app.inject({ url: '/metrics' })).statusCode).toBe(200);
      const other = await limited.app.inject({ url: '/api/colormaps', remoteAddress: '203.0.113.7' });
      expect(other.statusCode).toBe(200);
    } finally {
      await limited.close();
    }
  });
  it('GRANARY_RATE_LIMIT_ALLOWLIST exempts a client', async () => {
    const limited = await createTestApp({ env: { GRANARY_RATE_LIMIT: '2', GRANARY_RATE_LIMIT_ALLOWLIST: '127.0.0.1,10.0.0.8' } });
    try {
      for (let i = 0; i < 6; i++) expect((await limited.app.inject({ url: '/api/colormaps' })).statusCode).toBe(200);
      const statuses = [];
      for (let i = 0; i < 4; i++) statuses.push((await limited.app.inject({ url: '/api/colormaps', remoteAddress: '198.51.100.1' })).statusCode);
      expect(statuses).toEqual([200, 200, 429, 429]);
    } finally {
      await limited.close();
    }
  });
});

describe('behind a load balancer (GRANARY_TRUST_PROXY)', () => {
  const via = (forwardedFor: string, remoteAddress = '127.0.0.1') => ({ url: '/api/colormaps', remoteAddress, headers: { 'x-forwarded-for': forwardedFor } });
  const statuses = async (app: TestApp['app'], reqs: Array<ReturnType<typeof via>>) => {
    const out: number[] = [];
    for (const r of reqs) out.push((await app.inject(r)).statusCode);
    return out;
  };

  it('off by default: every client behind one proxy shares the proxy\'s budget, and X-Forwarded-For cannot buy a new one', async () => {
    const a = await createTestApp({ env: { GRANARY_RATE_LIMIT: '2' } });
    try {
      expect(await statuses(a.app, [via('198.51.100.1'), via('198.51.100.2'), via('198.51.100.3'), via('198.51.100.4', '203.0.113.9')])).toEqual([200, 200, 429, 200]);
    } finally {
      await a.close();
    }
  });

  it('trusting the proxy (loopback): each forwarded client has its own budget; a peer that is not trusted is counted by its own address', async () => {
    const a = await createTestApp({ env: { GRANARY_RATE_LIMIT: '2', GRANARY_TRUST_PROXY: 'loopback' } });
    try {
      const one = via('198.51.100.1');
      expect(await statuses(a.app, [one, one, via('198.51.100.2'), one, via('10.9.9.9, 198.51.100.2')])).toEqual([200, 200, 200, 429, 200]);
      // 198.51.100.2 has used 2 (the nearest untrusted hop counts, not what the client wrote before it)
      expect(await statuses(a.app, [via('198.51.100.2')])).toEqual([429]);
      // an outside peer (not loopback) sending X-Forwarded-For is counted as itself
      const outside = await statuses(a.app, [via('198.51.100.50', '203.0.113.9'), via('198.51.100.51', '203.0.113.9'), via('198.51.100.52', '203.0.113.9')]);
      expect(outside).toEqual([200, 200, 429]);
    } finally {
      await a.close();
    }
  });

  it('a hop count and a CIDR list work; a typo is a configuration error', async () => {
    const hop = await createTestApp({ env: { GRANARY_RATE_LIMIT: '1', GRANARY_TRUST_PROXY: '1' } });
    try {
      expect(await statuses(hop.app, [via('198.51.100.1'), via('198.51.100.2'), via('198.51.100.1')])).toEqual([200, 200, 429]);
    } finally {
      await hop.close();
    }
    const cidr = await createTestApp({ env: { GRANARY_RATE_LIMIT: '1', GRANARY_TRUST_PROXY: '10.0.0.0/8,127.0.0.1' } });
    try {
      expect(await statuses(cidr.app, [via('198.51.100.1', '10.1.2.3'), via('198.51.100.2', '10.1.2.3')])).toEqual([200, 200]);
    } finally {
      await cidr.close();
    }
    expect(() => loadConfig({ GRANARY_TRUST_PROXY: '10.0.0.0/33' })).toThrow(ConfigError);
    expect(() => loadConfig({ GRANARY_TRUST_PROXY: 'lookback' })).toThrow(/lookback/);
    expect(loadConfig({}).trustProxy).toBe(false);
  });

  it('request ids: a plain caller (or nginx) id is kept; anything else is replaced', async () => {
    const a = await createTestApp({ env: { GRANARY_RATE_LIMIT: '0', GRANARY_TRUST_PROXY: 'loopback' } });
    try {
      const kept = await a.app.inject({ url: '/healthz', headers: { 'x-request-id': '5f0c1e2a9b7d4c3e8f6a1b2c3d4e5f60' } });
      expect(kept.headers['x-request-id']).toBe('5f0c1e2a9b7d4c3e8f6a1b2c3d4e5f60');
      for (const bad of ['a b', 'x'.repeat(129), 'id"}{"admin":true', '']) {
        const res = await a.app.inject({ url: '/healthz', headers: { 'x-request-id': bad } });
        expect(res.headers['x-request-id']).not.toBe(bad);
        expect(String(res.headers['x-request-id'])).toMatch(/^[0-9a-f]{16}$/);
      }
    } finally {
      await a.close();
    }
  });
});

describe('event-loop pressure gate (GRANARY_MAX_EVENT_LOOP_DELAY_MS)', () => {
  it('while the event loop lags (sustained), new requests get 503 + Retry-After at once; /healthz still answers; then it recovers; one long pause does not close it', async () => {
    const gated = await createTestApp({ scenes: [SINOP], env: { GRANARY_RATE_LIMIT: '0', GRANARY_MAX_EVENT_LOOP_DELAY_MS: '100' } });
    try {
      await new Promise((r) => setTimeout(r, 1500)); // past the start-up grace
      let refused: Awaited<ReturnType<typeof gated.app.inject>> | null = null;
      for (let attempt = 0; attempt < 5 && !refused; attempt++) {
        // block the loop in slices (each one a long event-loop delay sample)
        for (let k = 0; k < 6; k++) {
          const until = Date.now() + 300;
          while (Date.now() < until) {
            /* busy */
          }
          await new Promise((r) => setImmediate(r));
        }
        const res = await gated.app.inject({ url: '/api/scenes' });
        if (res.statusCode === 503) refused = res;
      }
      expect(refused, 'the gate never closed').not.toBeNull();
      expectProblem(refused!, 503);
      expect(refused!.headers['retry-after']).toBeDefined();
      expect((await gated.app.inject({ url: '/healthz' })).statusCode).toBe(200);
      let ok = false;
      for (let i = 0; i < 40 && !ok; i++) {
        await new Promise((r) => setTimeout(r, 250));
        ok = (await gated.app.inject({ url: '/api/scenes' })).statusCode === 200;
      }
      expect(ok, 'the gate never opened again').toBe(true);
      // a single long pause (one big synchronous job) is not sustained lag: the gate stays open
      await new Promise((r) => setTimeout(r, 1000));
      const until = Date.now() + 1500;
      while (Date.now() < until) {
        /* busy */
      }
      expect((await gated.app.inject({ url: '/api/scenes' })).statusCode).toBe(200);
    } finally {
      await gated.close();
    }
  });
});

describe('explicit limits', () => {
  it('zoom above GRANARY_MAX_ZOOM, negative or not a number: 400', async () => {
    for (const z of ['23', '99', '-1', 'NaN', '1e3', '0x10']) {
      expectProblem(await t.app.inject({ url: `/tiles/sinop/${z}/0/0.png` }), 400);
      expectProblem(await t.app.inject({ url: `/tiles/sinop/crops/${z}/0/0.png` }), 400);
    }
  });
  it('tile coordinates outside the grid and tile sizes other than 256/512: 400', async () => {
    for (const path of ['12/4096/0.png', '12/0/4096.png', '3/0/0@3x.png', '3/0/0@2x.tif', '3/0/0.gif', '3/0/99999999999.png']) {
      expectProblem(await t.app.inject({ url: `/tiles/sinop/${path}` }), 400);
    }
  });
  it(`expression longer than ${MAX_EXPRESSION_LENGTH} characters: 400`, async () => {
    const expr = Array.from({ length: 200 }, () => 'ndvi').join('+');
    expect(expr.length).toBeGreaterThan(MAX_EXPRESSION_LENGTH);
    expectProblem(await t.app.inject({ url: `/tiles/sinop/12/1416/2181.png?expression=${encodeURIComponent(expr)}` }), 400);
  });
  it(`zonal: more than ${ZONAL_LIMITS.maxFeatures} features, ${ZONAL_LIMITS.maxVerticesPerFeature} vertices in one feature, or a body over 2 MB: 413`, async () => {
    const many = { type: 'FeatureCollection', features: Array.from({ length: ZONAL_LIMITS.maxFeatures + 1 }, () => feature(square(-55.5, -11.6, 0.001))) };
    expectProblem(await t.app.inject({ method: 'POST', url: '/api/zonal-stats?scene=sinop', payload: many }), 413);
    const ring = Array.from({ length: ZONAL_LIMITS.maxVerticesPerFeature + 10 }, (_, i) => {
      const a = (2 * Math.PI * i) / (ZONAL_LIMITS.maxVerticesPerFeature + 10);
      return [-55.5 + 0.01 * Math.cos(a), -11.6 + 0.01 * Math.sin(a)];
    });
    ring.push(ring[0]!);
    expectProblem(await t.app.inject({ method: 'POST', url: '/api/zonal-stats?scene=sinop', payload: feature([ring]) }), 413);
    const big = JSON.stringify({ type: 'Feature', properties: { pad: 'x'.repeat(ZONAL_LIMITS.maxBodyBytes) }, geometry: { type: 'Polygon', coordinates: square(-55.5, -11.6, 0.01) } });
    expectProblem(await t.app.inject({ method: 'POST', url: '/api/zonal-stats?scene=sinop', payload: big, headers: { 'content-type': 'application/json' } }), 413);
  });
  it('any other body over 2 MB: 413 problem+json', async () => {
    const res = await t.app.inject({ method: 'POST', url: '/api/scenes', payload: JSON.stringify({ id: 'x', hrefs: ['a'], title: 'x'.repeat(3 * 1024 * 1024) }), headers: { 'content-type': 'application/json', authorization: `Bearer ${TOKEN}` } });
    expectProblem(res, 413);
  });
  it(`page size: limit above ${MAX_LIMIT} is clamped and announced; negative or junk: 400`, async () => {
    const res = await t.app.inject({ url: `/collections/regions/items?limit=${MAX_LIMIT * 50}` });
    expect(res.statusCode).toBe(200);
    expect(res.headers['granary-limit-clamped']).toBe(String(MAX_LIMIT * 50));
    expect((res.json() as { numberReturned: number }).numberReturned).toBeLessThanOrEqual(MAX_LIMIT);
    for (const limit of ['-1', 'NaN', 'abc', '1e400']) expectProblem(await t.app.inject({ url: `/collections/regions/items?limit=${limit}` }), 400);
  });
  it('over-long identifiers and parameters: 4xx problem+json (never a stack trace)', async () => {
    const long = 'a'.repeat(5000);
    for (const url of [`/api/scenes/${long}`, `/collections/${long}`, `/api/layers/${long}.geojson`, `/api/regions?year=${long}`, `/api/yield-gap?crop=${long}`, `/collections/regions/items?bbox=${long}`, `/api/models/${long}`]) {
      const res = await t.app.inject({ url });
      expectProblem(res, (s) => s >= 400 && s < 500);
      expect(res.body).not.toMatch(/at .*\.ts:\d+/);
    }
  });
  it('a path with broken percent-encoding: 400 problem+json', async () => {
    expectProblem(await t.app.inject({ url: '/api/scenes/%E0%A4%A' }), (s) => s === 400 || s === 404);
  });
});

describe('/metrics has the figures that matter for operation', () => {
  it('requests and latency by route, tile cache, worker pool (queue, rejected, restarts), memory, event loop', async () => {
    await t.app.inject({ url: '/tiles/sinop/12/1416/2181.png' });
    const text = (await t.app.inject({ url: '/metrics' })).body;
    for (const name of ['granary_http_requests_total', 'granary_http_request_duration_seconds_bucket', 'granary_tile_cache_total', 'granary_worker_pool{state="queued"}', 'granary_worker_pool{state="rejected"}', 'granary_worker_pool{state="restarts"}', 'granary_worker_pool{state="tile_cache_bytes"}', 'granary_process_resident_memory_bytes', 'granary_nodejs_eventloop_lag_seconds']) {
      expect(text, name).toContain(name);
    }
  });
});
