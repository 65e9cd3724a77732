/**
 * Corrupt, truncated and hostile TIFFs through POST /api/scenes (with the token): the committed
 * fixtures of test/fixtures/bad/, then fast-check generated ones: random truncations and byte
 * mutations of a healthy COG, and hand-built TIFFs declaring huge sizes, absurd tile counts and
 * byte counts, offsets past the end, unknown compressions and IFD loops. Each is refused with a
 * 4xx (or, if harmless, registered and its tiles answered without a 5xx); nothing hangs, the
 * process stays up and its memory does not explode.
 */
import { readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, SINOP, TEST_FIXTURES, type TestApp } from '../helpers/test-app.js';
import { acceptable, expectProblem, TOKEN } from './support.js';
import { hostileTiff } from './tiff-builder.js';

const OK = readFileSync(join(TEST_FIXTURES, 'bad', 'ok.tif'));
const auth = { authorization: `Bearer ${TOKEN}` };
/** generous: RSS may grow with caches, never by the gigabytes a declared size asks for */
const RSS_BUDGET = 400 * 1024 * 1024;

let t: TestApp;
let rss0 = 0;
let n = 0;

beforeAll(async () => {
  t = await createTestApp({ scenes: [SINOP], env: { GRANARY_TOKEN: TOKEN, GRANARY_RATE_LIMIT: '0', GRANARY_TASK_TIMEOUT_MS: '15000', GRANARY_WORKERS: '1' } });
  rss0 = process.memoryUsage().rss;
});
afterAll(async () => {
  await t?.close();
});

/** Writes the bytes into the data directory and registers them; on success also asks for tiles. */
async function register(bytes: Uint8Array, label: string): Promise<number> {
  const name = `hostile-${n++}.tif`;
  await writeFile(join(t.dataDir, name), bytes);
  const id = `h${n}`;
  const res = await t.app.inject({ method: 'POST', url: '/api/scenes', headers: auth, payload: { id, hrefs: [name], variables: ['ndvi'], replace: true } });
  expect(acceptable(res), `${label}: ${res.statusCode} ${res.body.slice(0, 300)}`).toBe(true);
  expect(res.statusCode, `${label}: ${res.body.slice(0, 300)}`).not.toBe(503); // 503 here would mean a task hung
  if (res.statusCode >= 400) {
    expectProblem(res);
  } else {
    for (const url of [`/tiles/${id}/10/354/545.png`, `/tiles/${id}/10/354/545.tif`, `/tiles/${id}/4/5/8.png`, `/tiles/${id}/tilejson.json`]) {
      const tile = await t.app.inject({ url });
      expect(acceptable(tile), `${label} ${url}: ${tile.statusCode} ${tile.body.slice(0, 300)}`).toBe(true);
    }
  }
  expect(process.memoryUsage().rss - rss0, `${label}: RSS grew too much`).toBeLessThan(RSS_BUDGET);
  return res.statusCode;
}

describe('committed hostile fixtures (test/fixtures/bad)', () => {
  for (const f of ['truncated.tif', 'huge.tif', 'past_end.tif', 'not_a_tiff.tif', 'no_crs.tif', 'local_crs.tif']) {
    it(`${f} is refused with a 4xx`, async () => {
      const status = await register(readFileSync(join(TEST_FIXTURES, 'bad', f)), f);
      expect(status).toBeGreaterThanOrEqual(400);
      expect(status).toBeLessThan(500);
    });
  }
  it('an empty file and a bare header are refused', async () => {
    expect(await register(new Uint8Array(0), 'empty')).toBe(422);
    expect(await register(Uint8Array.from([0x49, 0x49, 42, 0, 8, 0, 0, 0]), 'header only')).toBeLessThan(500);
    expect(await register(Uint8Array.from([0x4d, 0x4d, 0, 43, 0, 8, 0, 0, 0, 0, 0, 0, 0, 16]), 'BigTIFF header only')).toBeLessThan(500);
  });
});

describe('generated hostile TIFFs (fast-check)', () => {
  it('hand-built TIFFs with huge sizes, absurd tiles, offsets past the end, IFD loops: no 5xx, no hang', async () => {
    await fc.assert(
      fc.asyncProperty(hostileTiff, async ({ p, bytes }) => {
        await register(bytes, JSON.stringify(p));
      }),
      { numRuns: 120, seed: 20260601 },
    );
  });

  it('random truncations of a healthy COG: refused (or harmless), no 5xx', async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 0, max: OK.length - 1 }), async (len) => {
        await register(OK.subarray(0, len), `truncated to ${len}`);
      }),
      { numRuns: 40, seed: 7 },
    );
  });

  it('random byte mutations of a healthy COG (header, IFDs, tile data): no 5xx', async () => {
    const mutation = fc.array(fc.record({ at: fc.oneof(fc.integer({ min: 0, max: 1024 }), fc.integer({ min: 0, max: OK.length - 1 })), value: fc.integer({ min: 0, max: 255 }) }), { minLength: 1, maxLength: 24 });
    await fc.assert(
      fc.asyncProperty(mutation, async (muts) => {
        const b = Uint8Array.from(OK);
        for (const m of muts) b[m.at] = m.value;
        await register(b, `mutations ${JSON.stringify(muts)}`);
      }),
      { numRuns: 120, seed: 42 },
    );
  });

  it('the service is healthy afterwards and its memory bounded', async () => {
    const h = await t.app.inject({ url: '/healthz' });
    expect(h.statusCode).toBe(200);
    expect((await t.app.inject({ url: '/tiles/sinop/12/1416/2181.png' })).statusCode).toBe(200);
    expect(process.memoryUsage().rss - rss0).toBeLessThan(RSS_BUDGET);
  });
});
