/**
 * Tile routes through app.inject(): PNG (256 and @2x), .tif, TileJSON, composites, expressions,
 * rescale, colormaps, caching headers, and every error with its status and a detail naming the problem.
 */
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, IPIRANGA_SCENE, LANDSAT_BAHAMAS, SINOP, type TestApp } from '../helpers/test-app.js';
import { readRaster } from '../helpers/tiff.js';
import { tileBounds, tileFor } from '../helpers/tile-math.js';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp({ scenes: [SINOP, LANDSAT_BAHAMAS, IPIRANGA_SCENE] });
});
afterAll(async () => {
  await t?.close();
});

const INTERIOR = '12/1416/2181'; // inside the Sinop scene
const EDGE = '12/1413/2179'; // the scene's north-west corner: partly covered
const NDVI = 'variable=ndvi&date=2014-01-17';

async function get(url: string, headers: Record<string, string> = {}) {
  return t.app.inject({ url, headers });
}

async function rgba(body: Buffer): Promise<{ data: Buffer; width: number; height: number }> {
  const { data, info } = await sharp(body).ensureAlpha().raw().toBuffer({ resolveWithObject: true });
  return { data, width: info.width, height: info.height };
}

async function tif(url: string): Promise<Float32Array[]> {
  const res = await get(url);
  expect(res.statusCode, res.body.slice(0, 300)).toBe(200);
  return (await readRaster(res.rawPayload)).bands;
}

/** Expects a problem+json error with `status` and a detail matching `detail`. */
async function expectProblem(url: string, status: number, detail: RegExp) {
  const res = await get(url);
  expect(res.statusCode, `${url}: ${res.body.slice(0, 300)}`).toBe(status);
  expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
  const p = res.json() as { type: string; title: string; status: number; detail: string };
  expect(p.status).toBe(status);
  expect(typeof p.type).toBe('string');
  expect(typeof p.title).toBe('string');
  expect(p.detail).toMatch(detail);
  return p;
}

describe('PNG tiles', () => {
  it('256 px inside the scene: every pixel opaque', async () => {
    const res = await get(`/tiles/sinop/${INTERIOR}.png?${NDVI}`);
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('image/png');
    const img = await rgba(res.rawPayload);
    expect([img.width, img.height]).toEqual([256, 256]);
    for (let i = 3; i < img.data.length; i += 4) if (img.data[i] !== 255) expect.fail(`pixel ${(i - 3) / 4} is not opaque`);
  });

  it('256 px on the scene edge: opaque exactly where the .tif has values, transparent outside', async () => {
    const img = await rgba((await get(`/tiles/sinop/${EDGE}.png?${NDVI}`)).rawPayload);
    const [values] = await tif(`/tiles/sinop/${EDGE}.tif?${NDVI}`);
    let opaque = 0;
    for (let k = 0; k < 256 * 256; k++) {
      const a = img.data[k * 4 + 3]!;
      expect(a === 255, `pixel ${k}`).toBe(!Number.isNaN(values![k]!));
      if (a === 255) opaque++;
    }
    expect(opaque).toBeGreaterThan(1000);
    expect(opaque).toBeLessThan(65536 - 1000);
    expect(img.data[3]).toBe(0); // top-left corner is north-west of the scene
    expect(img.data[(256 * 256 - 1) * 4 + 3]).toBe(255); // bottom-right is inside
  });

  it('@2x is 512 px with the same coverage', async () => {
    const res = await get(`/tiles/sinop/${EDGE}@2x.png?${NDVI}`);
    expect(res.statusCode).toBe(200);
    const img = await rgba(res.rawPayload);
    expect([img.width, img.height]).toEqual([512, 512]);
    expect(img.data[3]).toBe(0);
    expect(img.data[(512 * 512 - 1) * 4 + 3]).toBe(255);
    const inner = await rgba((await get(`/tiles/sinop/${INTERIOR}@2x.png?${NDVI}`)).rawPayload);
    for (let i = 3; i < inner.data.length; i += 4) if (inner.data[i] !== 255) expect.fail('interior @2x pixel not opaque');
  });

  it('a tile far from the scene is a 200 transparent PNG', async () => {
    const res = await get('/tiles/sinop/12/100/100.png');
    expect(res.statusCode).toBe(200);
    const img = await rgba(res.rawPayload);
    expect([img.width, img.height]).toEqual([256, 256]);
    for (let i = 3; i < img.data.length; i += 4) if (img.data[i] !== 0) expect.fail('pixel not transparent');
  });

  it('RGB scene by default: landsat composite, nodata (0) transparent', async () => {
    const { x, y } = tileFor(-77.7, 24.5, 9);
    const res = await get(`/tiles/landsat-bahamas/9/${x}/${y}.png`);
    expect(res.statusCode).toBe(200);
    const img = await rgba(res.rawPayload);
    const opaque = [...Array(256 * 256).keys()].filter((k) => img.data[k * 4 + 3] === 255).length;
    expect(opaque).toBeGreaterThan(0);
  });
});

describe('.tif tiles', () => {
  it('Float32 GeoTIFF in EPSG:3857 with the tile bounds and physical NDVI values', async () => {
    const res = await get(`/tiles/sinop/${INTERIOR}.tif?${NDVI}`);
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^image\/tiff/);
    const r = await readRaster(res.rawPayload);
    expect([r.width, r.height, r.bands.length, r.epsg]).toEqual([256, 256, 1, 3857]);
    const [z, x, y] = INTERIOR.split('/').map(Number) as [number, number, number];
    tileBounds(z, x, y).forEach((v, i) => expect(r.bbox[i]).toBeCloseTo(v, 3));
    const v = r.bands[0]!;
    expect(v.every((a) => a >= -1 && a <= 1)).toBe(true);
    expect(v.some((a) => a !== v[0])).toBe(true);
  });

  it('outside the scene is NaN', async () => {
    const [v] = await tif(`/tiles/sinop/${EDGE}.tif?${NDVI}`);
    expect(Number.isNaN(v![0]!)).toBe(true);
    expect(Number.isNaN(v![256 * 256 - 1]!)).toBe(false);
  });

  it('date picks the nearest scene date', async () => {
    const [a] = await tif(`/tiles/sinop/${INTERIOR}.tif?variable=ndvi&date=2014-01-17`);
    const [b] = await tif(`/tiles/sinop/${INTERIOR}.tif?variable=ndvi&date=2014-01-19`);
    const [c] = await tif(`/tiles/sinop/${INTERIOR}.tif?variable=ndvi&date=2013-09-14`);
    expect(Buffer.from(a!.buffer).equals(Buffer.from(b!.buffer))).toBe(true);
    expect(Buffer.from(a!.buffer).equals(Buffer.from(c!.buffer))).toBe(false);
  });
});

describe('TileJSON', () => {
  it('3.0.0 with the query in the tiles template, bounds and zoom range from the data', async () => {
    const res = await get(`/tiles/sinop/tilejson.json?${NDVI}&rescale=0,1&colormap=viridis`);
    expect(res.statusCode).toBe(200);
    const tj = res.json() as { tilejson: string; tiles: string[]; bounds: number[]; minzoom: number; maxzoom: number; center: number[]; scheme: string };
    expect(tj.tilejson).toBe('3.0.0');
    expect(tj.tiles).toHaveLength(1);
    const url = new URL(tj.tiles[0]!.replace('{z}/{x}/{y}', '0/0/0'));
    expect(tj.tiles[0]).toContain('/tiles/sinop/{z}/{x}/{y}.png?');
    expect(url.searchParams.get('variable')).toBe('ndvi');
    expect(url.searchParams.get('date')).toBe('2014-01-17');
    expect(url.searchParams.get('rescale')).toBe('0,1');
    expect(url.searchParams.get('colormap')).toBe('viridis');
    const [w, s, e, n] = tj.bounds as [number, number, number, number];
    expect(w).toBeCloseTo(-55.8, 2);
    expect(s).toBeCloseTo(-11.8, 2);
    expect(e).toBeCloseTo(-55.2, 2);
    expect(n).toBeCloseTo(-11.5, 2);
    expect(tj.minzoom).toBeLessThanOrEqual(tj.maxzoom);
    expect(tj.maxzoom).toBeGreaterThanOrEqual(9);
    expect(tj.scheme).toBe('xyz');
    // the template, filled in, is a working tile URL
    const tile = await get(new URL(tj.tiles[0]!.replace('{z}/{x}/{y}', INTERIOR)).pathname + '?' + url.searchParams.toString());
    expect(tile.statusCode).toBe(200);
  });
});

describe('band composites, expressions, rescale, colormaps', () => {
  it('bands=ndvi,evi,ndvi: .tif has the three bands, PNG red equals blue', async () => {
    const bands = await tif(`/tiles/sinop/${INTERIOR}.tif?bands=ndvi,evi,ndvi&date=2014-01-17`);
    expect(bands).toHaveLength(3);
    const [ndvi] = await tif(`/tiles/sinop/${INTERIOR}.tif?${NDVI}`);
    const [evi] = await tif(`/tiles/sinop/${INTERIOR}.tif?variable=evi&date=2014-01-17`);
    expect(Array.from(bands[0]!)).toEqual(Array.from(ndvi!));
    expect(Array.from(bands[1]!)).toEqual(Array.from(evi!));
    expect(Array.from(bands[2]!)).toEqual(Array.from(ndvi!));
    const img = await rgba((await get(`/tiles/sinop/${INTERIOR}.png?bands=ndvi,evi,ndvi&date=2014-01-17`)).rawPayload);
    let differentGreen = 0;
    let redNotBlue = 0;
    for (let k = 0; k < 256 * 256; k++) {
      if (img.data[k * 4] !== img.data[k * 4 + 2]) redNotBlue++;
      if (img.data[k * 4 + 1] !== img.data[k * 4]) differentGreen++;
    }
    expect(redNotBlue).toBe(0);
    expect(differentGreen).toBeGreaterThan(0);
  });

  it('expression (nir-red)/(nir+red) on ipiranga equals its ndvi variable within 1e-3', async () => {
    const [w, s, e, n] = [-55.9971616, -12.0437503, -55.9066601, -11.9875003];
    const { z, x, y } = tileFor((w + e) / 2, (s + n) / 2, 12);
    const date = '2012-01-17';
    const [expr] = await tif(`/tiles/ipiranga/${z}/${x}/${y}.tif?expression=${encodeURIComponent('(nir-red)/(nir+red)')}&date=${date}`);
    const [ndvi] = await tif(`/tiles/ipiranga/${z}/${x}/${y}.tif?variable=ndvi&date=${date}`);
    let both = 0;
    let maxAbs = 0;
    for (let k = 0; k < expr!.length; k++) {
      const a = expr![k]!;
      const b = ndvi![k]!;
      if (Number.isNaN(a) || Number.isNaN(b)) continue;
      both++;
      maxAbs = Math.max(maxAbs, Math.abs(a - b));
    }
    if (process.env['GOLDEN_REPORT'] === '1') console.log(`ipiranga expression vs ndvi: ${both} pixels, max |diff| ${maxAbs}`);
    expect(both).toBeGreaterThan(1000);
    expect(maxAbs).toBeLessThanOrEqual(1e-3);
  });

  it('rescale with one range maps values linearly onto the greys ramp', async () => {
    const [v] = await tif(`/tiles/sinop/${INTERIOR}.tif?${NDVI}`);
    const img = await rgba((await get(`/tiles/sinop/${INTERIOR}.png?${NDVI}&rescale=0.5,0.9&colormap=greys`)).rawPayload);
    for (let k = 0; k < 256 * 256; k++) {
      const expected = Math.round(Math.max(0, Math.min(1, (v![k]! - 0.5) / 0.4)) * 255);
      if (Math.abs(img.data[k * 4]! - expected) > 0) expect.fail(`pixel ${k}: value ${v![k]} -> grey ${img.data[k * 4]}, expected ${expected}`);
    }
  });

  it('rescale with three ranges applies one per RGB band', async () => {
    const bands = await tif(`/tiles/sinop/${INTERIOR}.tif?bands=ndvi,evi,ndvi&date=2014-01-17`);
    const ranges: Array<[number, number]> = [[0, 1], [0.2, 0.6], [0.6, 0.9]];
    const q = ranges.map((r) => `rescale=${r[0]},${r[1]}`).join('&');
    const img = await rgba((await get(`/tiles/sinop/${INTERIOR}.png?bands=ndvi,evi,ndvi&date=2014-01-17&${q}`)).rawPayload);
    for (let k = 0; k < 256 * 256; k++) {
      for (let b = 0; b < 3; b++) {
        const [lo, hi] = ranges[b]!;
        const expected = Math.round(Math.max(0, Math.min(1, (bands[b]![k]! - lo) / (hi - lo))) * 255);
        if (img.data[k * 4 + b] !== expected) expect.fail(`pixel ${k} band ${b}: ${img.data[k * 4 + b]} != ${expected}`);
      }
    }
  });

  it('colormap: values above the range take the last stop, below it the first', async () => {
    const cm = (await get('/api/colormaps/viridis')).json() as { stops: Array<{ value: number; color: string }> };
    const hex = (c: string) => [1, 3, 5].map((i) => parseInt(c.slice(i, i + 2), 16));
    const last = hex(cm.stops[cm.stops.length - 1]!.color);
    const first = hex(cm.stops[0]!.color);
    const high = await rgba((await get(`/tiles/sinop/${INTERIOR}.png?${NDVI}&colormap=viridis&rescale=-1,-0.9`)).rawPayload);
    const low = await rgba((await get(`/tiles/sinop/${INTERIOR}.png?${NDVI}&colormap=viridis&rescale=2,3`)).rawPayload);
    for (const k of [0, 1000, 30000, 65535]) {
      expect([...high.data.subarray(k * 4, k * 4 + 3)]).toEqual(last);
      expect([...low.data.subarray(k * 4, k * 4 + 3)]).toEqual(first);
    }
  });

  it('resampling=bilinear differs from nearest on a zoomed-in tile', async () => {
    const [near] = await tif(`/tiles/sinop/13/2832/4362.tif?${NDVI}&resampling=nearest`);
    const [bil] = await tif(`/tiles/sinop/13/2832/4362.tif?${NDVI}&resampling=bilinear`);
    expect(Buffer.from(near!.buffer).equals(Buffer.from(bil!.buffer))).toBe(false);
  });
});

describe('caching headers', () => {
  it('ETag, Cache-Control, and 304 on If-None-Match', async () => {
    const url = `/tiles/sinop/${INTERIOR}.png?${NDVI}`;
    const first = await get(url);
    expect(first.statusCode).toBe(200);
    const etag = first.headers['etag'];
    expect(typeof etag).toBe('string');
    expect(first.headers['cache-control']).toMatch(/max-age=\d+/);
    const again = await get(url, { 'if-none-match': etag as string });
    expect(again.statusCode).toBe(304);
    expect(again.rawPayload.length).toBe(0);
    const other = await get(`/tiles/sinop/${INTERIOR}.png?variable=evi&date=2014-01-17`);
    expect(other.headers['etag']).not.toBe(etag);
    const stale = await get(url, { 'if-none-match': '"something-else"' });
    expect(stale.statusCode).toBe(200);
  });
});

describe('errors: status and a detail that names the problem', () => {
  it('unknown scene: 404 listing the valid ids', async () => {
    await expectProblem(`/tiles/nope/${INTERIOR}.png`, 404, /unknown scene "nope".*ipiranga.*landsat-bahamas.*sinop/);
    await expectProblem('/tiles/nope/tilejson.json', 404, /unknown scene "nope".*sinop/);
  });

  it('unknown variable: 400 listing the valid ones', async () => {
    await expectProblem(`/tiles/sinop/${INTERIOR}.png?variable=nir`, 400, /unknown variable "nir".*valid: ndvi, evi/);
    await expectProblem(`/tiles/sinop/${INTERIOR}.png?bands=ndvi,evi,foo`, 400, /unknown variable "foo".*valid: ndvi, evi/);
  });

  it('z/x/y out of range: 400', async () => {
    await expectProblem('/tiles/sinop/23/0/0.png', 400, /zoom 23 is outside 0\.\.22/);
    await expectProblem('/tiles/sinop/12/4096/0.png', 400, /outside the grid.*below 4096/);
    await expectProblem('/tiles/sinop/12/0/4096.png', 400, /outside the grid.*below 4096/);
    await expectProblem('/tiles/sinop/2/1/9.tif', 400, /outside the grid/);
    await expectProblem('/tiles/sinop/12/0/0.gif', 400, /y|png|tif/);
    await expectProblem('/tiles/sinop/12/0/0@2x.tif', 400, /@2x applies to image tiles/);
  });

  it('malformed expression: 400 naming the offending token', async () => {
    const e = (s: string) => `/tiles/ipiranga/12/1411/2185.png?expression=${encodeURIComponent(s)}`;
    await expectProblem(e('(nir-red)/(nir+red'), 400, /malformed expression: expected "\)" at position 18, found "end of expression"/);
    await expectProblem(e('nir**red'), 400, /malformed expression: unexpected "\*" at position 4/);
    await expectProblem(e('nir$red'), 400, /malformed expression: unexpected character "\$" at position 3/);
    await expectProblem(e('nir-swir/2'), 400, /unknown variable "swir" at position 4.*nir/);
    await expectProblem(e('foo(nir)'), 400, /unknown function "foo" at position 0 \(allowed: abs, sqrt/);
    await expectProblem(e('max(nir)'), 400, /function "max" takes 2 argument/);
  });

  it('rescale must be two numbers', async () => {
    await expectProblem(`/tiles/sinop/${INTERIOR}.png?${NDVI}&rescale=0`, 400, /rescale "0" must be two numbers "min,max"/);
    await expectProblem(`/tiles/sinop/${INTERIOR}.png?${NDVI}&rescale=a,b`, 400, /rescale "a,b" must be two numbers/);
    await expectProblem(`/tiles/sinop/${INTERIOR}.png?${NDVI}&rescale=0,1,2`, 400, /must be two numbers/);
    await expectProblem(`/tiles/sinop/${INTERIOR}.png?${NDVI}&rescale=1,1`, 400, /min equal to max/);
    await expectProblem(`/tiles/sinop/${INTERIOR}.png?bands=ndvi,evi,ndvi&rescale=0,1&rescale=0,1`, 400, /2 rescale ranges for 3 output band/);
  });

  it('colormap on an RGB composite, unknown colormap', async () => {
    await expectProblem(`/tiles/sinop/${INTERIOR}.png?bands=ndvi,evi,ndvi&colormap=viridis`, 400, /colormap applies to one band/);
    await expectProblem(`/tiles/landsat-bahamas/9/143/219.png?colormap=viridis`, 400, /colormap applies to one band/);
    await expectProblem(`/tiles/sinop/${INTERIOR}.png?${NDVI}&colormap=rainbow`, 400, /unknown colormap "rainbow".*viridis/);
  });

  it('bad date: 400', async () => {
    await expectProblem(`/tiles/sinop/${INTERIOR}.png?variable=ndvi&date=yesterday`, 400, /date "yesterday" is not an ISO 8601 date/);
  });

  it('bad resampling and conflicting selections: 400', async () => {
    await expectProblem(`/tiles/sinop/${INTERIOR}.png?${NDVI}&resampling=cubic`, 400, /resampling/);
    await expectProblem(`/tiles/sinop/${INTERIOR}.png?variable=ndvi&bands=ndvi,evi,ndvi`, 400, /only one of variable, bands or expression/);
    await expectProblem(`/tiles/sinop/${INTERIOR}.png?bands=ndvi,evi`, 400, /three variables/);
  });

  it('path-traversal-looking scene ids: 400/404, never 500', async () => {
    for (const id of ['..%2F..%2Fetc', '..%2F..%2Fetc%2Fpasswd', '%2E%2E', '..', '.%00', 'sinop%00', 'a%5C..%5Cb']) {
      for (const url of [`/tiles/${id}/12/1416/2181.png`, `/tiles/${id}/tilejson.json`]) {
        const res = await get(url);
        if (process.env['GOLDEN_REPORT'] === '1') console.log(url, res.statusCode, res.json().detail);
        expect([400, 404], `${url}: ${res.statusCode} ${res.body.slice(0, 200)}`).toContain(res.statusCode);
        expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
        expect(res.body).not.toMatch(/root:|\/etc\/passwd/);
      }
    }
  });
});
