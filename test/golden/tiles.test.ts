/**
 * Golden .tif tiles: every case of tiles/cases.json is fetched through
 * `/tiles/{scene}/{z}/{x}/{y}.tif?<query>` and compared value by value with a reference warped by
 * GDAL (make-references.sh). Tolerances are in cases.json and explained in README.md.
 *
 * On failure, test/artifacts/golden/<case>/ receives actual.tif, diff.json and diff.png; the
 * references are never written here. `UPDATE=1` does not regenerate anything: references come only
 * from `bash test/golden/make-references.sh` (GDAL). `GOLDEN_REPORT=1` prints the agreement per case.
 */
import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import proj4 from 'proj4';
import { fromArrayBuffer } from 'geotiff';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, LANDSAT_BAHAMAS, REPO, SINOP, type TestApp } from '../helpers/test-app.js';
import { readRaster, readRasterFile } from '../helpers/tiff.js';
import { describeStats, diffStats, writeFailureArtifacts } from '../helpers/compare.js';

interface NearestTolerance {
  kind: 'nearest';
  /** share of the valid pixels that may differ (each explained by a pixel edge, see below) */
  maxDifferentFraction: number;
  /** a differing pixel's exact source coordinate must lie within this many source pixels of an edge */
  edgePx: number;
  maskMismatchMax: number;
}
interface BilinearTolerance {
  kind: 'bilinear';
  /** max absolute difference, physical units */
  maxAbs: number;
  maskMismatchMax: number;
}
interface GoldenCase {
  name: string;
  scene: string;
  z: number;
  x: number;
  y: number;
  query: string;
  reference: string;
  /** multiplies the (raw) reference values */
  scale: number;
  source: { file: string; bands: number[]; ovr: string };
  gdal: string;
  tolerance: NearestTolerance | BilinearTolerance;
}

const DIR = resolve(import.meta.dirname, 'tiles');
const CASES = JSON.parse(readFileSync(join(DIR, 'cases.json'), 'utf8')) as GoldenCase[];
const REPORT = process.env['GOLDEN_REPORT'] === '1';
const ORIGIN_SHIFT = 20037508.342789244;

/** The source level the reference was warped from: physical values per band, NaN nodata. */
interface SourceLevel {
  width: number;
  height: number;
  /** level pixels per full-resolution pixel */
  scaleX: number;
  scaleY: number;
  bands: Float32Array[];
}

const sources = new Map<string, Promise<SourceLevel>>();
function loadSource(c: GoldenCase): Promise<SourceLevel> {
  const key = `${c.source.file}|${c.source.ovr}|${c.source.bands.join(',')}|${c.scale}`;
  let p = sources.get(key);
  if (!p) {
    p = (async () => {
      const buf = await readFile(join(REPO, c.source.file));
      const tiff = await fromArrayBuffer(buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength) as ArrayBuffer);
      const count = await tiff.getImageCount();
      const full = await tiff.getImage(0);
      const overviews = [];
      for (let i = 1; i < count; i++) {
        const img = await tiff.getImage(i);
        if (img.getWidth() < full.getWidth() && img.getSamplesPerPixel() === full.getSamplesPerPixel()) overviews.push(img);
      }
      overviews.sort((a, b) => b.getWidth() - a.getWidth());
      const image = c.source.ovr === 'NONE' ? full : overviews[Number(c.source.ovr)];
      if (!image) throw new Error(`${c.source.file} has no overview ${c.source.ovr}`);
      const nodata = full.getGDALNoData();
      const rasters = (await image.readRasters({ samples: c.source.bands.map((b) => b - 1), interleave: false })) as unknown as ArrayLike<number>[];
      const bands = Array.from({ length: c.source.bands.length }, (_, i) => {
        const raw = rasters[i]!;
        const out = new Float32Array(raw.length);
        for (let k = 0; k < raw.length; k++) out[k] = raw[k] === nodata || Number.isNaN(raw[k]!) ? NaN : raw[k]! * c.scale;
        return out;
      });
      return { width: image.getWidth(), height: image.getHeight(), scaleX: image.getWidth() / full.getWidth(), scaleY: image.getHeight() / full.getHeight(), bands };
    })();
    sources.set(key, p);
  }
  return p;
}

/**
 * For a nearest tile pixel that disagrees with GDAL: is the disagreement explained by the sample
 * point lying within `edgePx` of a source pixel edge, with the service's value (or NaN) being that
 * of a source pixel (or outside the image) within that distance? Returns a reason when it is not.
 */
function explainNearest(actual: number, exactCol: number, exactRow: number, src: SourceLevel, band: number, edgePx: number): string | null {
  const cols = new Set([Math.floor(exactCol - edgePx), Math.floor(exactCol), Math.floor(exactCol + edgePx)]);
  const rows = new Set([Math.floor(exactRow - edgePx), Math.floor(exactRow), Math.floor(exactRow + edgePx)]);
  if (cols.size === 1 && rows.size === 1) return `sample (${exactCol.toFixed(6)}, ${exactRow.toFixed(6)}) is not within ${edgePx} px of a pixel edge`;
  for (const r of rows) {
    for (const c of cols) {
      const inside = c >= 0 && r >= 0 && c < src.width && r < src.height;
      if (!inside) {
        if (Number.isNaN(actual)) return null;
        continue;
      }
      const v = src.bands[band]![r * src.width + c]!;
      if (Object.is(v, actual) || v === actual) return null;
    }
  }
  return `value ${actual} at (${exactCol.toFixed(6)}, ${exactRow.toFixed(6)}) is not the value of any source pixel within ${edgePx} px`;
}

let t: TestApp;
const report: string[] = [];

beforeAll(async () => {
  if (process.env['UPDATE'] === '1') console.warn('UPDATE=1 does not regenerate golden tiles: run `bash test/golden/make-references.sh` (needs GDAL)');
  t = await createTestApp({ scenes: [SINOP, LANDSAT_BAHAMAS] });
});

afterAll(async () => {
  await t?.close();
  if (REPORT) console.log(`golden tiles vs GDAL:\n${report.join('\n')}`);
});

describe('golden .tif tiles against gdalwarp', () => {
  it('has cases', () => {
    expect(CASES.length).toBeGreaterThanOrEqual(10);
  });

  it.each(CASES.map((c) => [c.name, c] as const))('%s', async (_name, c) => {
    const res = await t.app.inject({ url: `/tiles/${c.scene}/${c.z}/${c.x}/${c.y}.tif?${c.query}` });
    expect(res.statusCode, res.body.slice(0, 300)).toBe(200);
    expect(res.headers['content-type']).toMatch(/^image\/tiff/);
    const actual = await readRaster(res.rawPayload);
    const reference = await readRasterFile(join(DIR, c.reference));
    expect([actual.width, actual.height]).toEqual([256, 256]);
    expect(actual.epsg).toBe(3857);
    expect(actual.bands.length).toBe(reference.bands.length);
    // same georeference: the exact tile bounds
    const size = (2 * ORIGIN_SHIFT) / 2 ** c.z;
    const bounds = [-ORIGIN_SHIFT + c.x * size, ORIGIN_SHIFT - (c.y + 1) * size, -ORIGIN_SHIFT + (c.x + 1) * size, ORIGIN_SHIFT - c.y * size];
    actual.bbox.forEach((v, i) => expect(Math.abs(v - bounds[i]!)).toBeLessThan(1e-6 * size));

    const tol = c.tolerance;
    const problems: string[] = [];
    const perBand: unknown[] = [];
    for (let b = 0; b < actual.bands.length; b++) {
      const a = actual.bands[b]!;
      const r = reference.bands[b]!;
      const s = diffStats(a, r, c.scale);
      const entry: Record<string, unknown> = { band: b, ...s, summary: describeStats(s) };
      perBand.push(entry);
      report.push(`${c.name} band ${b + 1}: ${describeStats(s)}`);
      if (s.maskMismatch > tol.maskMismatchMax) problems.push(`band ${b + 1}: ${s.maskMismatch} mask mismatches > ${tol.maskMismatchMax}`);
      if (tol.kind === 'bilinear') {
        if (!(s.maxAbs <= tol.maxAbs)) problems.push(`band ${b + 1}: max |diff| ${s.maxAbs} > ${tol.maxAbs}`);
        continue;
      }
      if (s.different > tol.maxDifferentFraction * Math.max(1, s.bothValid)) problems.push(`band ${b + 1}: ${s.different} of ${s.bothValid} valid pixels differ (> ${tol.maxDifferentFraction * 100}%)`);
      if (s.different + s.maskMismatch === 0) continue;
      // Every differing pixel must be explained by a pixel edge.
      const item = JSON.parse((await t.app.inject({ url: `/api/scenes/${c.scene}` })).body) as { properties: { 'granary:proj4': string; 'proj:transform': number[] } };
      const [pw, , ox, , ph, oy] = item.properties['proj:transform'] as [number, number, number, number, number, number];
      const toSrc = proj4('EPSG:3857', item.properties['granary:proj4']);
      const src = await loadSource(c);
      const res3857 = size / 256;
      const unexplained: string[] = [];
      let maxEdgeDistance = 0;
      for (let k = 0; k < a.length; k++) {
        const av = a[k]!;
        const rv = Math.fround(r[k]! * c.scale);
        if (Object.is(av, rv) || av === rv || (Number.isNaN(av) && Number.isNaN(rv))) continue;
        const i = k % 256;
        const j = Math.floor(k / 256);
        const [sx, sy] = toSrc.forward([bounds[0]! + (i + 0.5) * res3857, bounds[3]! - (j + 0.5) * res3857]) as [number, number];
        const col = ((sx - ox) / pw) * src.scaleX;
        const row = ((sy - oy) / ph) * src.scaleY;
        maxEdgeDistance = Math.max(maxEdgeDistance, Math.min(Math.abs(col - Math.round(col)), Math.abs(row - Math.round(row))));
        const why = explainNearest(av, col, row, src, b, tol.edgePx);
        if (why) unexplained.push(`pixel (${i}, ${j}): service ${av}, GDAL ${rv}: ${why}`);
      }
      entry['unexplained'] = unexplained.slice(0, 50);
      entry['maxEdgeDistancePx'] = maxEdgeDistance;
      report.push(`${c.name} band ${b + 1}: differing pixels lie within ${maxEdgeDistance.toPrecision(3)} px of a source pixel edge`);
      if (unexplained.length > 0) problems.push(`band ${b + 1}: ${unexplained.length} differing pixels not explained by a pixel edge, e.g. ${unexplained[0]}`);
    }
    if (problems.length > 0) {
      const where = await writeFailureArtifacts(join('golden', c.name), res.rawPayload, { case: c, problems, bands: perBand }, actual.bands[0], reference.bands[0], 256, c.scale);
      expect.fail(`${c.name}: ${problems.join('; ')} (artifacts in ${where})`);
    }
  });
});
