/**
 * Golden GeoJSON: every test/golden/geojson/in/<name>.geojson is run through zonal statistics over a
 * synthetic raster chosen by the file-name prefix, and compared with out/<name>.geojson (numbers to a
 * relative 1e-9). `REGEN=1 npx vitest run test/unit/analytics/golden-geojson.test.ts` rewrites the
 * outputs, only after every feature of the file has been computed; without REGEN nothing is written.
 */
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { FeatureCollection, MultiPolygon, Polygon } from 'geojson';
import { describe, expect, it } from 'vitest';
import { InvalidGeometryError, zonalStats, type RasterGeoref } from '../../../server/analytics/zonal-stats.js';

const dir = resolve(import.meta.dirname, '../../golden/geojson');
const REGEN = process.env['REGEN'] === '1';

interface SyntheticRaster {
  georef: RasterGeoref;
  classes: Uint8Array;
  values: Float32Array;
}

/** Deterministic synthetic bands: class = ((c>>3) + (r>>3)) % 3, nodata 255 on the diagonal; value = 100 r + c, NaN where (7r + c) % 11 == 0. */
function synthetic(georef: RasterGeoref): SyntheticRaster {
  const { width: W, height: H } = georef;
  const classes = new Uint8Array(W * H);
  const values = new Float32Array(W * H);
  for (let r = 0; r < H; r++)
    for (let c = 0; c < W; c++) {
      classes[r * W + c] = r === c ? 255 : ((c >> 3) + (r >> 3)) % 3;
      values[r * W + c] = (7 * r + c) % 11 === 0 ? NaN : 100 * r + c;
    }
  return { georef, classes, values };
}

const RASTERS: Record<string, RasterGeoref> = {
  // 40 x 30 pixels of 30 m in UTM 21S near Sinop (origin snapped to the 30 m grid)
  'synthetic-utm21s': { proj4: '+proj=utm +zone=21 +south +datum=WGS84 +units=m +no_defs', geotransform: [663390, 30, 0, 8688480, 0, -30], width: 40, height: 30 },
  // the real Sinop MOD13Q1 grid (values synthetic)
  'sinop-grid': { proj4: '+proj=sinu +lon_0=0 +x_0=0 +y_0=0 +R=6371007.181 +units=m +no_defs', geotransform: [-6073587.958, 231.656, 0, -1278725.64, 0, -231.656], width: 254, height: 144 },
};
const CLASSES = [
  { value: 0, name: 'Soy_Corn' },
  { value: 1, name: 'Pasture' },
  { value: 2, name: 'Forest' },
];

function run(fc: FeatureCollection, raster: SyntheticRaster): FeatureCollection {
  return {
    type: 'FeatureCollection',
    features: fc.features.map((f, i) => {
      const geometry = f.geometry as Polygon | MultiPolygon;
      try {
        const cls = zonalStats(geometry, raster.georef, { kind: 'class', data: raster.classes, nodata: 255, classes: CLASSES }, { featureIndex: i });
        const val = zonalStats(geometry, raster.georef, { kind: 'value', data: raster.values }, { featureIndex: i });
        const { method: _m, ...classResult } = cls;
        return { ...f, properties: { ...f.properties, zonal: { class: classResult, value: val.stats } } };
      } catch (e) {
        if (!(e instanceof InvalidGeometryError)) throw e;
        return { ...f, properties: { ...f.properties, error: { name: e.name, problem: e.problem, featureIndex: e.featureIndex, message: e.message } } };
      }
    }),
  };
}

/** Deep comparison; numbers to a relative 1e-9 (absolute 1e-9 near zero). Returns the first difference. */
function diff(a: unknown, b: unknown, path = '$'): string | null {
  if (typeof a === 'number' && typeof b === 'number') return Math.abs(a - b) <= 1e-9 * Math.max(1, Math.abs(a), Math.abs(b)) ? null : `${path}: ${a} != ${b}`;
  if (Array.isArray(a) && Array.isArray(b)) {
    if (a.length !== b.length) return `${path}: length ${a.length} != ${b.length}`;
    for (let i = 0; i < a.length; i++) {
      const d = diff(a[i], b[i], `${path}[${i}]`);
      if (d) return d;
    }
    return null;
  }
  if (a && b && typeof a === 'object' && typeof b === 'object') {
    const ka = Object.keys(a).sort();
    const kb = Object.keys(b).sort();
    if (ka.join() !== kb.join()) return `${path}: keys ${ka.join()} != ${kb.join()}`;
    for (const k of ka) {
      const d = diff((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k], `${path}.${k}`);
      if (d) return d;
    }
    return null;
  }
  return a === b ? null : `${path}: ${JSON.stringify(a)} != ${JSON.stringify(b)}`;
}

describe('golden GeoJSON zonal statistics', () => {
  const inputs = readdirSync(resolve(dir, 'in')).filter((f) => f.endsWith('.geojson')).sort();
  it('has inputs', () => expect(inputs.length).toBeGreaterThan(0));
  for (const file of inputs) {
    it(file, () => {
      const prefix = Object.keys(RASTERS).find((p) => file.startsWith(p));
      if (!prefix) throw new Error(`no synthetic raster for ${file}; name it after one of ${Object.keys(RASTERS).join(', ')}`);
      const fc = JSON.parse(readFileSync(resolve(dir, 'in', file), 'utf8')) as FeatureCollection;
      // round-trip through JSON so NaN/undefined compare the way they are stored
      const actual = JSON.parse(JSON.stringify(run(fc, synthetic(RASTERS[prefix]!)))) as FeatureCollection;
      const outPath = resolve(dir, 'out', file);
      if (REGEN) {
        writeFileSync(outPath, JSON.stringify(actual, null, 1) + '\n');
        return;
      }
      if (!existsSync(outPath)) throw new Error(`missing golden ${outPath}; run with REGEN=1 and review the diff`);
      const expected = JSON.parse(readFileSync(outPath, 'utf8')) as unknown;
      expect(diff(actual, expected)).toBeNull();
    });
  }
});
