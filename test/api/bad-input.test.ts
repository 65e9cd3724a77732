/**
 * Hostile and broken inputs (test/fixtures/bad/, made by test/fixtures/make-bad.sh): registering
 * them is refused with a message that names the problem; a scene whose file breaks after
 * registration answers problem+json for its own tiles while other scenes keep serving; a scene
 * with no valid pixel gives 200 transparent tiles.
 */
import { join, relative } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sourcePolicy } from '../../server/app.js';
import { inspectScene } from '../../server/catalog/inspect.js';
import { GranaryError } from '../../server/errors.js';
import { createTestApp, SINOP, TEST_FIXTURES, type TestApp } from '../helpers/test-app.js';
import { readRaster } from '../helpers/tiff.js';

const bad = (f: string) => join(TEST_FIXTURES, 'bad', f);
const TOKEN = 'test-token-0123456789abcdef';
/** An interior tile of the Sinop grid (all four 128 px blocks of the bad fixtures are read). */
const TILE = '12/1416/2181';

/** file -> what the refusal must say (checked on inspectScene's message and on POST /api/scenes' detail) */
const REFUSED: Array<{ file: string; status: number; message: RegExp }> = [
  { file: 'no_crs.tif', status: 422, message: /unknown CRS: the file has no GeoKeys: it is not georeferenced/ },
  { file: 'local_crs.tif', status: 422, message: /unknown CRS: .*neither a projected nor a geographic CRS/ },
  { file: 'huge.tif', status: 422, message: /implausible size 2147483648x2147483648/ },
  { file: 'past_end.tif', status: 422, message: /past the end of the file/ },
  { file: 'not_a_tiff.tif', status: 422, message: /not_a_tiff\.tif: not a readable TIFF/ },
];

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp({ scenes: [SINOP], env: { GRANARY_TOKEN: TOKEN } });
});
afterAll(async () => {
  await t?.close();
});

const policy = () => sourcePolicy(t.config);

describe('registering a broken file is refused with a clear message', () => {
  for (const r of REFUSED) {
    it(`inspectScene refuses ${r.file}`, async () => {
      const err = await inspectScene([bad(r.file)], { id: 'bad', variables: ['ndvi'] }, policy(), t.catalog.dir).then(
        () => null,
        (e: unknown) => e,
      );
      expect(err, `${r.file} was accepted`).toBeInstanceOf(GranaryError);
      expect((err as GranaryError).status).toBe(r.status);
      expect((err as GranaryError).message).toMatch(r.message);
    });

    it(`POST /api/scenes refuses ${r.file} with problem+json`, async () => {
      const res = await t.app.inject({
        method: 'POST',
        url: '/api/scenes',
        headers: { authorization: `Bearer ${TOKEN}` },
        payload: { id: 'bad-post', hrefs: [bad(r.file)], variables: ['ndvi'] },
      });
      expect(res.statusCode).toBe(r.status);
      expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(res.json().detail).toMatch(r.message);
    });
  }

  it('an all-nodata file is accepted (it is valid, just empty)', async () => {
    const item = await inspectScene([bad('all_nodata.tif')], { id: 'nodata', variables: ['ndvi'], dates: ['2014-01-17'] }, policy(), t.catalog.dir);
    expect(item.assets['ndvi']?.['raster:bands'][0]?.nodata).toBe(-32768);
  });

  // The truncated COG keeps its header, IFDs and overview intact: registration checks that every
  // block (TileOffsets + TileByteCounts) lies inside the file.
  it('inspectScene refuses truncated.tif', async () => {
    const err = await inspectScene([bad('truncated.tif')], { id: 'bad', variables: ['ndvi'] }, policy(), t.catalog.dir).then(
      () => null,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(GranaryError);
    expect((err as GranaryError).message).toMatch(/truncated|past the end/);
  });
});

describe('a scene whose file is broken fails alone', () => {
  beforeAll(async () => {
    // Items built from the healthy file, then pointed at the broken copies (as if the file had
    // been damaged after registration).
    for (const [id, file] of [
      ['broken-truncated', 'truncated.tif'],
      ['broken-past-end', 'past_end.tif'],
    ] as const) {
      const item = await inspectScene([bad('ok.tif')], { id, variables: ['ndvi'], scale: 0.0001 }, policy(), t.catalog.dir);
      item.assets['ndvi']!.href = relative(t.catalog.dir, bad(file));
      await t.catalog.save(item, { replace: true });
    }
    await t.addScene({ id: 'all-nodata', hrefs: [bad('all_nodata.tif')], options: { variables: ['ndvi'], dates: ['2014-01-17'], scale: 0.0001 } });
  });

  for (const id of ['broken-truncated', 'broken-past-end']) {
    for (const ext of ['png', 'tif']) {
      it(`${id} ${ext}: problem+json naming the problem, then sinop still serves`, async () => {
        const res = await t.app.inject({ url: `/tiles/${id}/${TILE}.${ext}` });
        expect(res.statusCode).toBeGreaterThanOrEqual(400);
        expect(res.statusCode).toBeLessThan(600);
        expect(res.statusCode).not.toBe(500);
        expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
        const p = res.json() as { status: number; detail: string; title: string };
        expect(p.status).toBe(res.statusCode);
        expect(p.detail).toMatch(/past the end|truncated|cannot be decoded/);
        const ok = await t.app.inject({ url: `/tiles/sinop/${TILE}.${ext}` });
        expect(ok.statusCode).toBe(200);
        const health = await t.app.inject({ url: '/healthz' });
        expect(health.statusCode).toBe(200);
      });
    }
  }

  it('the broken scenes are still listed and their metadata served', async () => {
    const res = await t.app.inject({ url: '/api/scenes' });
    const ids = (res.json() as { scenes: Array<{ id: string }> }).scenes.map((s) => s.id);
    expect(ids).toEqual(expect.arrayContaining(['sinop', 'broken-truncated', 'broken-past-end', 'all-nodata']));
  });

  it('all-nodata: 200 transparent PNG (256 and @2x) and an all-NaN .tif', async () => {
    for (const [suffix, size] of [['.png', 256], ['@2x.png', 512]] as const) {
      const res = await t.app.inject({ url: `/tiles/all-nodata/${TILE}${suffix}` });
      expect(res.statusCode).toBe(200);
      expect(res.headers['content-type']).toBe('image/png');
      const { data, info } = await sharp(res.rawPayload).ensureAlpha().raw().toBuffer({ resolveWithObject: true });
      expect([info.width, info.height]).toEqual([size, size]);
      let opaque = 0;
      for (let i = 3; i < data.length; i += 4) if (data[i] !== 0) opaque++;
      expect(opaque).toBe(0);
    }
    const tif = await t.app.inject({ url: `/tiles/all-nodata/${TILE}.tif` });
    expect(tif.statusCode).toBe(200);
    const r = await readRaster(tif.rawPayload);
    expect(r.bands[0]!.every((v) => Number.isNaN(v))).toBe(true);
  });
});
