/**
 * WebP and JPEG imagery tiles against the PNG of the same tile (the lossless reference): decoded
 * pixels within a stated tolerance of it, transparency kept in WebP, sizes smaller, and the
 * parameters (extension, format=, quality=) with their errors. Crop tiles stay PNG.
 *
 * Tolerance per tile at the default quality 85 (what the README states): mean absolute channel
 * error <= 6 (of 255) and its 99th percentile <= 32 (JPEG 40: no alpha, so coloured pixels
 * ring against the black of no-data) over the pixels with data; WebP alpha exact.
 * (Over the 100 bench tiles the figures are mean 2.2-2.7, p99 13-23: sharp edges of upsampled
 * 231 m pixels are where lossy codecs ring.)
 */
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, LANDSAT_BAHAMAS, SINOP, type TestApp } from '../helpers/test-app.js';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp({ scenes: [SINOP, LANDSAT_BAHAMAS] });
});
afterAll(async () => {
  await t?.close();
});

const get = (url: string) => t.app.inject({ url });

async function decode(body: Buffer) {
  const { data, info } = await sharp(body).ensureAlpha().raw().toBuffer({ resolveWithObject: true });
  return { data, width: info.width, height: info.height, format: (await sharp(body).metadata()).format };
}

/** Channel errors (RGB) of `lossy` against `png` over the pixels the PNG has data for; alpha mismatches. */
async function compare(png: Buffer, lossy: Buffer) {
  const a = await decode(png);
  const b = await decode(lossy);
  expect([b.width, b.height]).toEqual([a.width, a.height]);
  const errors: number[] = [];
  let alphaMismatch = 0;
  for (let i = 0; i < a.data.length; i += 4) {
    if (a.data[i + 3] !== b.data[i + 3]) alphaMismatch++;
    if (a.data[i + 3] === 0) continue;
    for (let k = 0; k < 3; k++) errors.push(Math.abs(a.data[i + k]! - b.data[i + k]!));
  }
  errors.sort((x, y) => x - y);
  const mean = errors.reduce((s, e) => s + e, 0) / errors.length;
  return { mean, p99: errors[Math.floor(errors.length * 0.99)]!, alphaMismatch, opaque: errors.length / 3 };
}

const CASES = [
  ['sinop NDVI with a colormap, partly covered', '/tiles/sinop/12/1413/2179', 'variable=ndvi&date=2014-01-17'],
  ['sinop NDVI, interior', '/tiles/sinop/12/1416/2181', 'variable=ndvi&date=2014-01-17'],
  ['landsat RGB', '/tiles/landsat-bahamas/9/144/221', ''],
] as const;

describe('WebP and JPEG imagery tiles', () => {
  for (const [name, path, qs] of CASES) {
    it(`${name}: webp and jpg decode within tolerance of the PNG, and are smaller`, async () => {
      const png = await get(`${path}.png?${qs}`);
      expect(png.statusCode).toBe(200);
      const webp = await get(`${path}.webp?${qs}`);
      expect(webp.statusCode, webp.body.slice(0, 200)).toBe(200);
      expect(webp.headers['content-type']).toBe('image/webp');
      const jpg = await get(`${path}.jpg?${qs}`);
      expect(jpg.statusCode).toBe(200);
      expect(jpg.headers['content-type']).toBe('image/jpeg');
      expect((await decode(webp.rawPayload)).format).toBe('webp');
      expect((await decode(jpg.rawPayload)).format).toBe('jpeg');

      const w = await compare(png.rawPayload, webp.rawPayload);
      expect(w.opaque).toBeGreaterThan(1000);
      expect(w.alphaMismatch).toBe(0); // transparency kept exactly
      expect(w.mean).toBeLessThanOrEqual(6);
      expect(w.p99).toBeLessThanOrEqual(32);
      expect(webp.rawPayload.length).toBeLessThan(png.rawPayload.length);

      const j = await compare(png.rawPayload, jpg.rawPayload);
      expect(j.mean).toBeLessThanOrEqual(6);
      expect(j.p99).toBeLessThanOrEqual(40); // JPEG: next to the black of no-data
    });
  }

  it('JPEG has no transparency: pixels without data are black', async () => {
    const png = await decode((await get('/tiles/sinop/12/1413/2179.png?variable=ndvi&date=2014-01-17')).rawPayload);
    const jpg = await decode((await get('/tiles/sinop/12/1413/2179.jpg?variable=ndvi&date=2014-01-17')).rawPayload);
    let transparent = 0;
    let dark = 0;
    for (let i = 0; i < png.data.length; i += 4) {
      if (png.data[i + 3] !== 0) continue;
      transparent++;
      if (jpg.data[i]! + jpg.data[i + 1]! + jpg.data[i + 2]! < 24) dark++;
    }
    expect(transparent).toBeGreaterThan(1000);
    expect(dark / transparent).toBeGreaterThan(0.98);
  });

  it('format= overrides the extension; quality changes size; @2x works; the cache keeps them apart', async () => {
    const path = '/tiles/landsat-bahamas/9/144/221';
    const viaParam = await get(`${path}.png?format=webp`);
    expect(viaParam.headers['content-type']).toBe('image/webp');
    const viaExt = await get(`${path}.webp`);
    expect(Buffer.compare(viaParam.rawPayload, viaExt.rawPayload)).toBe(0);
    expect(viaParam.headers.etag).toBe(viaExt.headers.etag);
    const low = await get(`${path}.jpg?quality=30`);
    const high = await get(`${path}.jpg?quality=95`);
    expect(low.rawPayload.length).toBeLessThan(high.rawPayload.length);
    expect(low.headers.etag).not.toBe(high.headers.etag);
    const big = await decode((await get(`${path}@2x.webp`)).rawPayload);
    expect([big.width, big.height]).toEqual([512, 512]);
    const tj = (await get('/tiles/landsat-bahamas/tilejson.json?format=webp&quality=70')).json();
    expect(tj.tiles[0]).toMatch(/\{y\}\.webp\?.*quality=70/);
    const empty = await get('/tiles/sinop/3/0/0.webp?variable=ndvi');
    expect(empty.statusCode).toBe(200);
    expect(empty.headers['x-granary-empty']).toBe('true');
    expect(empty.headers['content-type']).toBe('image/webp');
  });

  it('refuses bad formats and qualities with a precise 400, and keeps crop tiles PNG', async () => {
    for (const [url, detail] of [
      ['/tiles/landsat-bahamas/9/144/221.png?quality=0', /quality/],
      ['/tiles/landsat-bahamas/9/144/221.png?quality=101', /quality/],
      ['/tiles/landsat-bahamas/9/144/221.png?format=gif', /format/],
      ['/tiles/landsat-bahamas/9/144/221.tif?format=webp', /format applies to image tiles/],
      ['/tiles/landsat-bahamas/9/144/221.gif', /webp\|jpg/],
      ['/tiles/sinop/crops/12/1416/2181.webp', /\.png/],
    ] as const) {
      const res = await get(url);
      expect(res.statusCode, url).toBe(400);
      expect(res.headers['content-type']).toMatch(/application\/problem\+json/);
      expect(res.json().detail, url).toMatch(detail);
    }
  });
});
