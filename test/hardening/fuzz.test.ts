/**
 * Property-based fuzzing of every route (fast-check), as a crowd of careless and hostile clients:
 * random and malformed path segments, query strings (huge, unicode, repeated keys, numbers out of
 * range, NaN, negative zooms, broken percent-encoding), bodies (random JSON, deep nesting, huge
 * arrays, prototype-pollution keys, wrong content types) and headers. The routes are read from
 * the app itself (printRoutes), so a route added later is fuzzed too.
 *
 * Every answer: no 5xx except a 503 carrying Retry-After (never a 500), errors as problem+json,
 * no request hangs, and the app still answers /healthz afterwards.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { InjectOptions, LightMyRequestResponse } from 'fastify';
import { createTestApp, IPIRANGA_SCENE, LANDSAT_BAHAMAS, SINOP, type TestApp } from '../helpers/test-app.js';
import { acceptable, TOKEN } from './support.js';

/** generous bound for "doesn't hang" (a tile at a coarse zoom on a busy 2-core machine takes ~1 s) */
const HANG_MS = 45_000;
const RUNS = Number(process.env.GRANARY_FUZZ_RUNS ?? 200);

let t: TestApp;
let routes: Array<{ method: string; path: string }> = [];

/** Full paths and methods from Fastify's route tree. */
function listRoutes(tree: string): Array<{ method: string; path: string }> {
  const out: Array<{ method: string; path: string }> = [];
  const stack: string[] = [];
  for (const line of tree.split('\n')) {
    const m = /^([│├└─\s]*)(\S.*?) \(([A-Z, ]+)\)$/.exec(line);
    if (!m) continue;
    const depth = Math.round(m[1]!.length / 4);
    const full = (stack[depth - 1] ?? '') + m[2]!;
    stack[depth] = full;
    stack.length = depth + 1;
    for (const method of m[3]!.split(',').map((s) => s.trim())) if (method !== 'HEAD') out.push({ method, path: full });
  }
  return out;
}

beforeAll(async () => {
  t = await createTestApp({ scenes: [SINOP, LANDSAT_BAHAMAS, IPIRANGA_SCENE], env: { GRANARY_TOKEN: TOKEN, GRANARY_RATE_LIMIT: '0', GRANARY_TASK_TIMEOUT_MS: '20000', GRANARY_MAX_EVENT_LOOP_DELAY_MS: '0' } });
  routes = listRoutes(t.app.printRoutes({ commonPrefix: false }));
});
afterAll(async () => {
  if (process.env.GRANARY_FUZZ_STATS) {
    console.log([...seen].sort().map(([k, v]) => `${v}\t${k}`).join('\n'));
    console.log(slowest.map(([ms, what]) => `slow ${Math.round(ms)} ms\t${what}`).join('\n'));
  }
  await t?.close();
});

const failures: string[] = [];
/** status counts by route (GRANARY_FUZZ_STATS=1 prints them: are the properties reaching the handlers?) */
const seen = new Map<string, number>();
const slowest: Array<[number, string]> = [];

async function hit(opts: InjectOptions & { url: string }): Promise<LightMyRequestResponse> {
  let timer: NodeJS.Timeout | undefined;
  const t0 = performance.now();
  const res = await Promise.race([
    t.app.inject(opts),
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`hung for ${HANG_MS} ms: ${opts.method ?? 'GET'} ${opts.url.slice(0, 300)}`)), HANG_MS);
    }),
  ]).finally(() => clearTimeout(timer));
  slowest.push([performance.now() - t0, `${res.statusCode} ${opts.method ?? 'GET'} ${opts.url.slice(0, 160)} (${typeof opts.payload === 'string' ? opts.payload.length : 0} B body)`]);
  slowest.sort((a, b) => b[0] - a[0]).splice(8);
  const key = `${res.statusCode} ${opts.method ?? 'GET'} ${opts.url.split('?')[0]!.split('/').slice(0, 3).join('/')}`;
  seen.set(key, (seen.get(key) ?? 0) + 1);
  if (!acceptable(res)) failures.push(`${res.statusCode} ${opts.method ?? 'GET'} ${opts.url.slice(0, 200)} -> ${res.body.slice(0, 200)}`);
  expect(acceptable(res), `${res.statusCode} for ${opts.method ?? 'GET'} ${opts.url.slice(0, 300)}: ${res.body.slice(0, 300)}`).toBe(true);
  if (res.statusCode >= 400) expect(res.headers['content-type'], `${opts.url.slice(0, 200)}: ${res.body.slice(0, 100)}`).toMatch(/^application\/problem\+json/);
  return res;
}

// --- arbitraries ------------------------------------------------------------------------------

const nasty = fc.oneof(
  fc.constantFrom('', ' ', '..', '../..', '../../etc/passwd', '%2e%2e', '.', '~', 'null', 'undefined', 'NaN', 'Infinity', '-Infinity', '-1', '-0', '0', '1e309', '1e-400', '9007199254740993', '0x10', '1_000', 'true', '[]', '{}', '__proto__', 'constructor', 'prototype', '\u0000', '%00', '%', '%zz', '%%', '\u202e', '𝕊𝕚𝕟𝕠𝕡', 'ﾟ･✿ヾ╲(｡◕‿◕｡)╱✿･ﾟ', '<script>alert(1)</script>', "' OR 1=1 --", '${7*7}', '{{7*7}}', 'a'.repeat(5000), '9'.repeat(400), '1'.repeat(30), '-'.repeat(64), 'sinop\n', 'sinop%0d%0aX-Injected:%201'),
  fc.string({ maxLength: 40 }),
  fc.string({ unit: 'grapheme', maxLength: 20 }),
  fc.string({ unit: 'binary', maxLength: 20 }),
  fc.integer({ min: -1_000_000, max: 1_000_000 }).map(String),
  fc.double().map(String),
  fc.bigInt().map(String),
);

const zoom = fc.oneof(fc.integer({ min: -3, max: 40 }).map(String), nasty);
const coord = fc.oneof(fc.integer({ min: -5, max: 70_000 }).map(String), fc.constantFrom('354', '545', '1416', '2181', '0', '4294967296'), nasty);
const row = fc.tuple(coord, fc.constantFrom('', '', '@2x', '@3x', '@0.5x'), fc.constantFrom('.png', '.png', '.tif', '.jpg', '', '.png.tif', '.PNG')).map(([a, b, c]) => `${a}${b}${c}`);

/** Values for path parameters: plausible ones (to reach deep code) mixed with hostile ones. */
const PARAM: Record<string, fc.Arbitrary<string>> = {
  sceneId: fc.oneof(fc.constantFrom('sinop', 'landsat-bahamas', 'ipiranga'), nasty),
  z: zoom,
  x: coord,
  y: row,
  modelId: fc.oneof(fc.constantFrom('granary-mlp-ndvi-evi', 'x'), nasty),
  name: fc.oneof(fc.constantFrom('viridis', 'ndvi', 'confidence', 'crops'), nasty),
  collectionId: fc.oneof(fc.constantFrom('regions', 'yield-gap', 'crop-samples', 'crop-map'), nasty),
  featureId: fc.oneof(fc.constantFrom('5107909', '5104807', '1'), nasty),
  regionId: fc.oneof(fc.constantFrom('5107909', '5104807', 'join-report'), nasty),
  file: fc.oneof(fc.tuple(fc.constantFrom('regions', 'yield-gap', 'crop-samples', 'crop-map', 'x'), fc.constantFrom('.geojson', '.csv', '.xml', '', '.geojson.csv')).map(([a, b]) => a + b), nasty),
};
const paramValue = (name: string) => PARAM[name] ?? nasty;

/** Query parameters the routes document, so that values reach the handlers. */
const KNOWN_KEYS = ['variable', 'bands', 'expression', 'date', 'rescale', 'colormap', 'resampling', 'model', 'season', 'layer', 'lon', 'lat', 'scene', 'format', 'year', 'crop', 'region', 'bbox', 'limit', 'offset', 'datetime', 'f', 'bbox-crs', 'crs', 'name', 'label'];
const VALUE = fc.oneof(
  nasty,
  fc.constantFrom('ndvi', 'evi', 'red', 'nir', 'red,green,blue', 'ndvi,evi,ndvi', '(nir-red)/(nir+red)', 'ndvi*1e308*1e308', 'log(0)', 'sqrt(-1)', '1/0', '((((((((((ndvi))))))))))', '-'.repeat(600), 'ndvi^ndvi^ndvi^ndvi^ndvi^ndvi^ndvi^ndvi^ndvi^ndvi', '0,1', '-1e309,1e309', 'NaN,NaN', '1,0', 'soy', 'maize', 'csv', 'json', '2014-01-17', '2014-13-45', '0000-00-00', '9999-12-31/..', '../2021-01-01', '2021', '1899', '2201', '-55.5', '-11.6', '181', '-91', '-56,-12,-55,-11', '180,90,-180,-90', '1,2,3', '0,0,0,0,0,0', 'nearest', 'bilinear', 'cubic', 'viridis', 'confidence', 'class', '1000000', '-5', '1.5'),
  fc.double({ noNaN: false }).map(String),
);
const query = fc
  .array(fc.tuple(fc.oneof({ weight: 4, arbitrary: fc.constantFrom(...KNOWN_KEYS) }, { weight: 1, arbitrary: nasty }), fc.oneof({ weight: 5, arbitrary: VALUE }, { weight: 1, arbitrary: fc.array(VALUE, { minLength: 2, maxLength: 4 }) })), { maxLength: 6 })
  .map((pairs) => {
    const q = new URLSearchParams();
    for (const [k, v] of pairs) for (const one of Array.isArray(v) ? v : [v]) q.append(k, one);
    return q.toString();
  });
/** Raw query text, including broken percent-encoding and separators. */
const rawQuery = fc.string({ unit: fc.constantFrom(...'abz019=&;%+?#[]{}.,-_~!$\'()*:/@'.split('')), maxLength: 60 });

function fill(path: string, values: Record<string, string>): string {
  return path.replace(/:([A-Za-z]+)/g, (_, k: string) => encodeURIComponent(values[k] ?? '')).replace('*', encodeURIComponent(values['*'] ?? 'x'));
}

function paramsOf(path: string): string[] {
  return [...path.matchAll(/:([A-Za-z]+)/g)].map((m) => m[1]!).concat(path.includes('*') ? ['*'] : []);
}

const routeCase = (method: string) =>
  fc
    .constantFrom(...routes.filter((r) => r.method === method))
    .chain((r) =>
      fc.record({
        route: fc.constant(r),
        values: fc.record(Object.fromEntries(paramsOf(r.path).map((p) => [p, paramValue(p)])) as Record<string, fc.Arbitrary<string>>),
        q: fc.oneof({ weight: 4, arbitrary: query }, { weight: 1, arbitrary: rawQuery }),
      }),
    );

// --- bodies -----------------------------------------------------------------------------------

const position = fc.oneof(
  fc.tuple(fc.double({ min: -56, max: -55 }), fc.double({ min: -12, max: -11.4 })).map(([a, b]) => [a, b]),
  fc.array(fc.oneof(fc.double(), fc.constant(null), fc.string({ maxLength: 3 })), { maxLength: 4 }),
);
const ring = fc.oneof(
  fc.array(position, { minLength: 0, maxLength: 12 }),
  fc.tuple(fc.double({ min: -56, max: -55.3 }), fc.double({ min: -12, max: -11.5 }), fc.double({ min: 0.0001, max: 0.2 })).map(([x, y, d]) => [[x, y], [x + d, y], [x + d, y + d], [x, y + d], [x, y]]),
);
const geometry = fc.oneof(
  fc.record({ type: fc.constant('Polygon'), coordinates: fc.array(ring, { maxLength: 3 }) }),
  fc.record({ type: fc.constant('MultiPolygon'), coordinates: fc.array(fc.array(ring, { maxLength: 2 }), { maxLength: 3 }) }),
  fc.record({ type: fc.constantFrom('Point', 'LineString', 'GeometryCollection', 'Polygonx', ''), coordinates: fc.jsonValue() }),
  fc.constant(null),
  fc.jsonValue(),
);
const feature = fc.record({ type: fc.constantFrom('Feature', 'Feature', 'feature', 'FeatureCollection'), properties: fc.oneof(fc.constant(null), fc.dictionary(fc.string({ maxLength: 8 }), fc.jsonValue(), { maxKeys: 4 }), fc.jsonValue()), geometry }, { requiredKeys: [] });
const geojson = fc.oneof(feature, fc.record({ type: fc.constantFrom('FeatureCollection', 'Feature'), features: fc.oneof(fc.array(feature, { maxLength: 5 }), fc.jsonValue()) }, { requiredKeys: [] }));

const deep = (open: string, close: string, inner: string) => fc.integer({ min: 1, max: 200_000 }).map((n) => open.repeat(n) + inner + close.repeat(n));
/** Text bodies: random and structured JSON, deep nesting, big arrays, prototype keys, junk. */
const body = fc.oneof(
  { weight: 3, arbitrary: geojson.map((g) => JSON.stringify(g)) },
  { weight: 2, arbitrary: fc.jsonValue().map((v) => JSON.stringify(v)) },
  { weight: 1, arbitrary: deep('[', ']', '') },
  { weight: 1, arbitrary: deep('{"a":', '}', '1') },
  { weight: 1, arbitrary: deep('{"__proto__":', '}', '{"x":1}') },
  { weight: 1, arbitrary: deep('{"type":"Feature","geometry":{"type":"Polygon","coordinates":', '}}', '[[[0,0],[1,0],[1,1],[0,0]]]') },
  { weight: 1, arbitrary: fc.integer({ min: 0, max: 400_000 }).map((n) => `[${'0,'.repeat(n)}0]`) },
  { weight: 1, arbitrary: fc.integer({ min: 1, max: 60_000 }).map((n) => JSON.stringify({ type: 'FeatureCollection', features: Array.from({ length: Math.min(n, 1200) }, (_, i) => ({ type: 'Feature', properties: {}, geometry: { type: 'Polygon', coordinates: [[[-55.5, -11.6], [-55.5 + 0.001 * ((i % 7) + 1), -11.6], [-55.5, -11.6 + 0.001], [-55.5, -11.6]]] } })) })) },
  { weight: 1, arbitrary: fc.constantFrom('{"__proto__":{"polluted":1},"constructor":{"prototype":{"polluted":1}},"type":"Feature"}', '{"id":"x","hrefs":["../../etc/passwd"],"__proto__":{"admin":true}}', '{', '}', 'null', '""', '[]', '{"type":"Feature"', '\u0000', '\ufeff{}', 'NaN', '1e999999', '{"a":1,"a":2}', '{"id":"sinop","hrefs":{"length":1e9}}') },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 200 }) },
);
const contentType = fc.constantFrom('application/json', 'application/json', 'application/geo+json', 'application/geo+json; charset=utf-8', 'text/plain', 'application/xml', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'application/octet-stream', 'application/json; charset=latin1', '', 'application/json, text/html', '*/*', 'invalid/');
const authorization = fc.oneof(fc.constant(`Bearer ${TOKEN}`), fc.constant(undefined), fc.constantFrom('Bearer', 'Bearer ', `bearer ${TOKEN}`, `Bearer ${TOKEN} extra`, 'Basic Zm9vOmJhcg==', `Bearer ${'x'.repeat(10_000)}`), nasty.map((s) => `Bearer ${s.replace(/[^\x21-\x7e]/g, '')}`));

// --- properties -------------------------------------------------------------------------------

describe('fuzz every route (fast-check)', () => {
  it('lists the routes from the app (tiles, crops, regions, zonal, OGC, layers, scenes, docs, static)', () => {
    const paths = routes.map((r) => `${r.method} ${r.path}`);
    for (const p of ['GET /tiles/:sceneId/:z/:x/:y', 'GET /tiles/:sceneId/crops/:z/:x/:y', 'POST /api/zonal-stats', 'POST /api/scenes', 'GET /collections/:collectionId/items', 'GET /api/layers/:file', 'GET /api/yield-gap', 'GET /healthz', 'GET /metrics']) {
      expect(paths, paths.join('\n')).toContain(p);
    }
    expect(routes.length).toBeGreaterThan(30);
  });

  it('GET: random and hostile path segments and query strings never give a 5xx (except 503 + Retry-After) nor hang', async () => {
    await fc.assert(
      fc.asyncProperty(routeCase('GET'), fc.boolean(), async ({ route, values, q }, withEtag) => {
        const url = `${fill(route.path, values)}${q ? `?${q}` : ''}`;
        await hit({ method: 'GET', url, headers: withEtag ? { 'if-none-match': '"x"', accept: 'text/html;q=0.1, */*' } : {} });
      }),
      { numRuns: RUNS * 2, seed: 1 },
    );
  });

  it('GET: tiles with plausible coordinates and hostile selections (deep code paths)', async () => {
    const tile = fc.record({
      kind: fc.constantFrom('', 'crops/', 'crops/confidence/'),
      scene: fc.constantFrom('sinop', 'landsat-bahamas', 'ipiranga'),
      z: fc.integer({ min: 0, max: 23 }),
      fx: fc.double({ min: 0, max: 1, noNaN: true }),
      fy: fc.double({ min: 0, max: 1, noNaN: true }),
      suffix: fc.constantFrom('.png', '@2x.png', '.tif'),
      q: query,
    });
    const centers: Record<string, [number, number]> = { sinop: [-55.5, -11.65], 'landsat-bahamas': [-77.8, 24.4], ipiranga: [-55.9, -12.2] };
    await fc.assert(
      fc.asyncProperty(tile, async ({ kind, scene, z, fx, fy, suffix, q }) => {
        // half the time near the scene, half anywhere in the grid
        const n = 2 ** z;
        const [lon, lat] = centers[scene]!;
        const near = fx < 0.5;
        const x = near ? Math.floor(((lon + 180) / 360) * n) : Math.floor(fx * n);
        const latR = (lat * Math.PI) / 180;
        const y = near ? Math.floor(((1 - Math.log(Math.tan(latR) + 1 / Math.cos(latR)) / Math.PI) / 2) * n) : Math.floor(fy * n);
        await hit({ url: `/tiles/${scene}/${kind}${z}/${x}/${y}${suffix}${q ? `?${q}` : ''}` });
      }),
      { numRuns: RUNS, seed: 2 },
    );
  });

  it('POST: random bodies, content types and tokens never give a 5xx nor hang', async () => {
    await fc.assert(
      fc.asyncProperty(routeCase('POST'), body, contentType, authorization, async ({ route, values, q }, payload, type, auth) => {
        const url = `${fill(route.path, values)}${q ? `?${q}` : ''}`;
        const headers: Record<string, string> = {};
        if (type) headers['content-type'] = type;
        if (auth) headers.authorization = auth;
        await hit({ method: 'POST', url, payload, headers });
      }),
      { numRuns: RUNS, seed: 3 },
    );
  });

  it('POST /api/zonal-stats: random GeoJSON over the real scenes never gives a 5xx', async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom('sinop', 'ipiranga', 'landsat-bahamas'), geojson, fc.option(VALUE, { nil: undefined }), async (scene, g, date) => {
        await hit({ method: 'POST', url: `/api/zonal-stats?scene=${scene}${date !== undefined ? `&date=${encodeURIComponent(date)}` : ''}`, payload: g, headers: { 'content-type': 'application/geo+json' } });
      }),
      { numRuns: RUNS, seed: 4 },
    );
  });

  it('POST /api/scenes with the token: random bodies never give a 5xx and never register outside the data directory', async () => {
    const sceneBody = fc.record(
      {
        id: fc.oneof(fc.constantFrom('fuzz-a', 'fuzz-b', 'sinop'), nasty),
        hrefs: fc.oneof(fc.array(fc.oneof(nasty, fc.constantFrom('/etc/passwd', '../../etc/passwd', 'catalog/sinop.json', 'http://127.0.0.1:1/x.tif', 'http://169.254.169.254/', 'file:///etc/passwd', '/dev/zero', '/proc/self/mem')), { maxLength: 4 }), fc.jsonValue()),
        variables: fc.oneof(fc.array(nasty, { maxLength: 3 }), fc.jsonValue()),
        scale: fc.oneof(fc.double(), fc.jsonValue()),
        nodata: fc.oneof(fc.double(), fc.jsonValue()),
        dates: fc.oneof(fc.array(VALUE, { maxLength: 3 }), fc.jsonValue()),
        replace: fc.oneof(fc.boolean(), fc.jsonValue()),
      },
      { requiredKeys: [] },
    );
    await fc.assert(
      fc.asyncProperty(sceneBody, async (b) => {
        const res = await hit({ method: 'POST', url: '/api/scenes', payload: b, headers: { authorization: `Bearer ${TOKEN}` } });
        expect(res.statusCode, res.body.slice(0, 200)).not.toBe(201);
      }),
      { numRuns: RUNS, seed: 5 },
    );
  });

  it('the app still answers afterwards, and no 500 was ever seen', async () => {
    const h = await t.app.inject({ url: '/healthz' });
    expect(h.statusCode).toBe(200);
    expect((await t.app.inject({ url: '/tiles/sinop/12/1416/2181.png' })).statusCode).toBe(200);
    expect(failures, failures.join('\n')).toEqual([]);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});
