/**
 * Hostile COGs (built by hostile-cogs.ts): decompression bombs in every accepted compression at full
 * resolution behind valid overviews, a JPEG frame and a LERC blob declaring 16384 x 16384 in a 256
 * tile, huge declared sizes, 4096 bands. Each is registered through POST /api/scenes, then tiled
 * at z6 to z18 over its centre. Every request is answered (2xx, or a 4xx problem for that scene;
 * never a 5xx other than a 503 with Retry-After), registration of the ones that need it is refused
 * in bounded time, the service stays up, and its memory (this process + its worker processes)
 * grows by less than RSS_BUDGET.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, SINOP, type TestApp } from '../helpers/test-app.js';
import { acceptable, expectProblem, serviceRss, TOKEN } from './support.js';
import { hostileCases, type HostileCase } from './hostile-cogs.js';
import { lonLatTo3857, ORIGIN_SHIFT } from '../../server/geo/tile-grid.js';

const auth = { authorization: `Bearer ${TOKEN}` };
/** Growth of the service's resident memory over the whole suite (the bombs ask for 8-64 MB per block, 16384^2 frames for 256 MB each). */
const RSS_BUDGET = 600 * 1024 * 1024;
/** Registration of any case, refused or not. */
const REGISTER_MS = 20_000;

let t: TestApp;
let cases: HostileCase[];
let rss0 = 0;
/** what each case got (printed at the end: the figures docs/hardening.md quotes) */
const details: string[] = [];

beforeAll(async () => {
  cases = await hostileCases();
  t = await createTestApp({ scenes: [SINOP], env: { GRANARY_TOKEN: TOKEN, GRANARY_RATE_LIMIT: '0', GRANARY_TASK_TIMEOUT_MS: '20000', GRANARY_WORKERS: '1' } });
  await t.app.pool.ready();
  rss0 = serviceRss(t.app.pool);
}, 120_000);
afterAll(async () => {
  console.log(details.join('\n'));
  await t?.close();
});

function tileAt(lon: number, lat: number, z: number): [number, number] {
  const [x, y] = lonLatTo3857(lon, lat);
  const n = 2 ** z;
  return [Math.floor(((x + ORIGIN_SHIFT) / (2 * ORIGIN_SHIFT)) * n), Math.floor(((ORIGIN_SHIFT - y) / (2 * ORIGIN_SHIFT)) * n)];
}

describe('hostile COGs: registered, then tiled z6-z18', () => {
  it('builds every case small (the bombs are in the decoding, not the file)', () => {
    for (const c of cases) expect(c.bytes.length, c.name).toBeLessThan(8 * 1024 * 1024);
  });

  it.each([0, 1, 2, 3, 4, 5, 6, 7, 8])('case %i', async (i) => {
    const c = cases[i]!;
    const file = `${c.name}.tif`;
    await writeFile(join(t.dataDir, file), c.bytes);
    const t0 = performance.now();
    const res = await t.app.inject({ method: 'POST', url: '/api/scenes', headers: auth, payload: { id: c.name, hrefs: [file], variables: ['ndvi'], replace: true } });
    const ms = performance.now() - t0;
    expect(ms, `${c.name}: registration took ${ms} ms`).toBeLessThan(REGISTER_MS);
    if (c.expect === 'refused-at-registration') {
      expectProblem(res, (s) => s >= 400 && s < 500);
      details.push(`${c.name}: registration ${res.statusCode} in ${Math.round(ms)} ms: ${String(res.json().detail)}`);
      return;
    }
    expect(res.statusCode, `${c.name}: ${res.body.slice(0, 400)}`).toBe(201);
    const scene = (await t.app.inject({ url: `/api/scenes/${c.name}` })).json() as { bbox: [number, number, number, number] };
    const lon = (scene.bbox[0] + scene.bbox[2]) / 2;
    const lat = (scene.bbox[1] + scene.bbox[3]) / 2;
    const statuses: number[] = [];
    for (let z = 6; z <= 18; z++) {
      const [x, y] = tileAt(lon, lat, z);
      const tile = await t.app.inject({ url: `/tiles/${c.name}/${z}/${x}/${y}.png?rescale=0,255` });
      expect(acceptable(tile), `${c.name} z${z}: ${tile.statusCode} ${tile.body.slice(0, 300)}`).toBe(true);
      if (tile.statusCode >= 400) expectProblem(tile);
      statuses.push(tile.statusCode);
      if (z === 18) details.push(`${c.name}: ${tile.statusCode} ${tile.statusCode >= 400 ? String(tile.json().detail) : ''}`);
    }
    // low zooms read the valid overviews; full-resolution zooms meet the hostile blocks: 422, no crash
    expect(statuses[0], `${c.name}: ${statuses.join(',')}`).toBe(200);
    expect(statuses.slice(-4).every((s) => s === 422), `${c.name}: ${statuses.join(',')}`).toBe(true);
    expect(t.app.pool.stats.restarts, `${c.name}: a worker died`).toBe(0);
    expect(serviceRss(t.app.pool) - rss0, `${c.name}: RSS grew too much`).toBeLessThan(RSS_BUDGET);
  }, 120_000);

  it('the service is alive and its tiles fine afterwards', async () => {
    expect((await t.app.inject({ url: '/healthz' })).statusCode).toBe(200);
    expect((await t.app.inject({ url: '/tiles/sinop/12/1416/2181.png' })).statusCode).toBe(200);
    const grown = serviceRss(t.app.pool) - rss0;
    details.push(`service RSS growth over the suite: ${Math.round(grown / 1048576)} MB (bound ${RSS_BUDGET / 1048576} MB)`);
    expect(grown).toBeLessThan(RSS_BUDGET);
  });
});
