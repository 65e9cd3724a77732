import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { area as turfArea } from '@turf/turf';
import type { FeatureCollection, MultiPolygon, Polygon, Position } from 'geojson';
import { describe, expect, it } from 'vitest';
import { densifyRing } from '../../../server/analytics/densify.js';
import { checkPolygonGeometry } from '../../../server/analytics/geometry-validity.js';
import { prepareGeoref, type RasterGeoref } from '../../../server/analytics/raster-georef.js';
import { InvalidGeometryError, polygonCoverage, zonalStats, type ClassAreaStats, type ValueStats } from '../../../server/analytics/zonal-stats.js';

const root = resolve(import.meta.dirname, '../../..');
const municipalities = JSON.parse(readFileSync(resolve(root, 'fixtures/boundaries/mt_municipalities.geojson'), 'utf8')) as FeatureCollection<Polygon>;
const byId = (id: string) => municipalities.features.find((f) => f.properties?.['id'] === id)!;

/** The real georeference of the Sinop MOD13Q1 COG (fixtures/imagery/sinop, gdalinfo in shared/data). */
const SINOP: RasterGeoref = {
  proj4: '+proj=sinu +lon_0=0 +x_0=0 +y_0=0 +R=6371007.181 +units=m +no_defs',
  geotransform: [-6073587.958, 231.656, 0, -1278725.64, 0, -231.656],
  width: 254,
  height: 144,
};

/** A 10 x 10 geographic raster of 0.01 deg pixels with its top-left corner at (-55.6, -11.6). */
const GEO: RasterGeoref = { proj4: '+proj=longlat +datum=WGS84 +no_defs', geotransform: [-55.6, 0.01, 0, -11.6, 0, -0.01], width: 10, height: 10 };
const box = (x0: number, y0: number, x1: number, y1: number): Position[] => [
  [x0, y0],
  [x1, y0],
  [x1, y1],
  [x0, y1],
  [x0, y0],
];

describe('geometry validity', () => {
  it('rejects a self-intersecting ring with a precise, typed error', () => {
    const bowtie: Polygon = { type: 'Polygon', coordinates: [[[0, 0], [1, 1], [1, 0], [0, 1], [0, 0]]] };
    let err: unknown;
    try {
      checkPolygonGeometry(bowtie, { featureIndex: 3 });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(InvalidGeometryError);
    const e = err as InvalidGeometryError;
    expect(e.featureIndex).toBe(3);
    expect(e.problem).toBe('self-intersection');
    expect(e.message).toBe('feature 3: polygon 0 ring 0 self-intersects at (0.5, 0.5) (1 intersection point(s))');
    expect(e.location).toEqual([0.5, 0.5]);
  });

  it('names unclosed rings, too few positions, bad coordinates, crossing rings and nested parts', () => {
    const cases: Array<[Polygon | MultiPolygon, string]> = [
      [{ type: 'Polygon', coordinates: [[[0, 0], [1, 0], [1, 1], [0, 1]]] }, 'unclosed-ring'],
      [{ type: 'Polygon', coordinates: [[[0, 0], [1, 0], [0, 0]]] }, 'too-few-positions'],
      [{ type: 'Polygon', coordinates: [[[0, 0], [181, 0], [1, 1], [0, 0]]] }, 'bad-coordinate'],
      [{ type: 'Polygon', coordinates: [box(0, 0, 2, 2), box(1, 1, 3, 3)] }, 'rings-cross'],
      [{ type: 'MultiPolygon', coordinates: [[box(0, 0, 3, 3)], [box(1, 1, 2, 2)]] }, 'part-inside-part'],
    ];
    for (const [g, problem] of cases) expect(() => checkPolygonGeometry(g, { featureIndex: 1 })).toThrowError(expect.objectContaining({ problem, featureIndex: 1 }));
  });

  it('ignores repeated consecutive positions and accepts an island inside another part\'s hole', () => {
    const g: MultiPolygon = { type: 'MultiPolygon', coordinates: [[box(0, 0, 4, 4), box(1, 1, 3, 3)], [box(1.5, 1.5, 2.5, 2.5)]] };
    expect(checkPolygonGeometry(g).polygons).toHaveLength(2);
    const dup: Polygon = { type: 'Polygon', coordinates: [[[0, 0], [1, 0], [1, 0], [1, 1], [0, 1], [0, 0]]] };
    expect(checkPolygonGeometry(dup).polygons[0]![0]).toHaveLength(5);
  });

  it('repairs Barra do Bugres (a hole outside its shell): promote, drop or reject', () => {
    const geom = byId('5101704').geometry;
    const promoted = checkPolygonGeometry(geom, { featureIndex: 15 });
    expect(promoted.polygons).toHaveLength(2);
    expect(promoted.notes).toEqual([expect.objectContaining({ featureIndex: 15, ringIndex: 1, problem: 'hole-outside-shell', action: 'promoted-to-polygon' })]);
    const dropped = checkPolygonGeometry(geom, { holeOutsideShell: 'drop' });
    expect(dropped.polygons).toHaveLength(1);
    expect(dropped.polygons[0]).toHaveLength(1);
    expect(dropped.notes[0]!.action).toBe('dropped');
    expect(() => checkPolygonGeometry(geom, { holeOutsideShell: 'reject' })).toThrowError(/polygon 0 ring 1 is a hole lying outside its shell/);
  });
});

describe('zonal statistics', () => {
  it('geographic raster: pixel-aligned box gets full pixels and spherical row areas', () => {
    // columns 2..4, rows 3..4 (box -55.58..-55.55, -11.63..-11.65)
    const geom: Polygon = { type: 'Polygon', coordinates: [box(-55.58, -11.65, -55.55, -11.63)] };
    const cov = polygonCoverage(geom, GEO);
    expect(cov.pixelCount).toBe(6);
    const R = 6371007.181;
    const rad = Math.PI / 180;
    const expected = (R * R * 0.03 * rad * Math.abs(Math.sin(-11.63 * rad) - Math.sin(-11.65 * rad))) / 1e4;
    expect(cov.coveredAreaHa).toBeCloseTo(expected, 6);
    // Turf's spherical area uses R = 6371008.8 m and a different formula: agree to 1e-5
    expect(Math.abs(cov.polygonAreaHa / cov.coveredAreaHa - 1)).toBeLessThan(1e-5);
  });

  it('class areas and coverage-weighted means', () => {
    const classes = new Uint8Array(100);
    const values = new Float32Array(100);
    for (let r = 0; r < 10; r++)
      for (let c = 0; c < 10; c++) {
        classes[r * 10 + c] = c < 5 ? 1 : 2;
        values[r * 10 + c] = c;
      }
    classes[0] = 255;
    values[5] = NaN;
    // half of pixel (4,0) and all of (5,0): x from 4.5 to 6 in pixel units, row 0
    const geom: Polygon = { type: 'Polygon', coordinates: [box(-55.555, -11.61, -55.54, -11.6)] };
    const cls = zonalStats(geom, GEO, { kind: 'class', data: classes, nodata: 255, classes: [{ value: 1, name: 'Soy' }, { value: 2, name: 'Pasture' }] });
    const s = cls.stats as ClassAreaStats;
    const px = prepareGeoref(GEO).pixelAreaHa(0);
    expect(s.areaHaByClass['Soy']).toBeCloseTo(0.5 * px, 6);
    expect(s.areaHaByClass['Pasture']).toBeCloseTo(1 * px, 6);
    expect(s.nodataAreaHa).toBe(0);
    expect(s.coveredAreaHa).toBeCloseTo(1.5 * px, 6);
    expect(cls.coveredShare).toBeCloseTo(1, 4);

    const geom2: Polygon = { type: 'Polygon', coordinates: [box(-55.6, -11.61, -55.535, -11.6)] }; // cols 0..5 and half of 6, row 0
    const v = zonalStats(geom2, GEO, { kind: 'value', data: values }).stats as ValueStats;
    // valid: cols 0-4 (weight 1) and 6 (weight 0.5); col 5 is NaN
    expect(v.count).toBe(6);
    expect(v.weightSum).toBeCloseTo(5.5, 9);
    expect(v.mean!).toBeCloseTo((0 + 1 + 2 + 3 + 4 + 0.5 * 6) / 5.5, 9);
    expect([v.min, v.max]).toEqual([0, 6]);
    expect(v.nodataAreaHa).toBeCloseTo(px, 6);
  });

  it('a polygon outside the raster has zero coverage, not an error', () => {
    const r = zonalStats({ type: 'Polygon', coordinates: [box(10, 10, 11, 11)] }, GEO, { kind: 'value', data: new Float32Array(100) });
    expect(r.coveredAreaHa).toBe(0);
    expect((r.stats as ValueStats).mean).toBeNull();
  });

  it('rejects mismatched raster data', () => {
    expect(() => zonalStats({ type: 'Polygon', coordinates: [box(-55.58, -11.65, -55.55, -11.63)] }, GEO, { kind: 'value', data: new Float32Array(99) })).toThrowError(/expected width x height = 100/);
  });

  it('Sinop municipality on the real MODIS sinusoidal grid matches 100 x 100 point supersampling', () => {
    const sinop = byId('5107909').geometry;
    const cov = polygonCoverage(sinop, SINOP);
    // Reference: the same densified, projected ring, sampled at 100 x 100 points per pixel with
    // even-odd scanlines (independent of the area kernel).
    const g = prepareGeoref(SINOP);
    const rings = sinop.coordinates.map((ring) => densifyRing(ring, 0.0005).map((p) => g.toPixel([p[0]!, p[1]!])));
    const W = SINOP.width;
    const H = SINOP.height;
    const k = 100;
    const edges: number[] = [];
    for (const ring of rings) for (let i = 0; i + 1 < ring.length; i++) edges.push(ring[i]![0], ring[i]![1], ring[i + 1]![0], ring[i + 1]![1]);
    const ref = new Float64Array(W * H);
    for (let r = 0; r < H; r++)
      for (let s = 0; s < k; s++) {
        const y = r + (s + 0.5) / k;
        const xs: number[] = [];
        for (let e = 0; e < edges.length; e += 4) {
          const y0 = edges[e + 1]!;
          const y1 = edges[e + 3]!;
          if (y0 <= y !== y1 <= y) xs.push(edges[e]! + ((y - y0) * (edges[e + 2]! - edges[e]!)) / (y1 - y0));
        }
        xs.sort((a, b) => a - b);
        for (let i = 0; i + 1 < xs.length; i += 2) {
          const xa = Math.max(0, xs[i]!);
          const xb = Math.min(W, xs[i + 1]!);
          for (let c = Math.floor(xa); c < Math.min(W, Math.ceil(xb)); c++) {
            const n = (X: number) => Math.min(k, Math.max(0, Math.ceil((X - c) * k - 0.5)));
            ref[r * W + c] = ref[r * W + c]! + (n(xb) - n(xa)) / (k * k);
          }
        }
      }
    let maxDiff = 0;
    let sumExact = 0;
    let sumRef = 0;
    for (let r = 0; r < H; r++)
      for (let c = 0; c < W; c++) {
        const gc = c - cov.grid.col0;
        const gr = r - cov.grid.row0;
        const f = gc >= 0 && gr >= 0 && gc < cov.grid.width && gr < cov.grid.height ? cov.grid.fractions[gr * cov.grid.width + gc]! : 0;
        maxDiff = Math.max(maxDiff, Math.abs(f - ref[r * W + c]!));
        sumExact += f;
        sumRef += ref[r * W + c]!;
      }
    // Tolerances: 1/100 sampling gives a per-pixel error below ~0.01 per edge crossing (measured
    // 5.5e-4); the total agrees to ~4e-8 (errors cancel). README: 82.1 % of the image is Sinop.
    expect(maxDiff).toBeLessThan(0.005);
    expect(Math.abs(sumExact / sumRef - 1)).toBeLessThan(1e-5);
    expect(sumExact / (W * H)).toBeCloseTo(0.821, 3);
    const pxHa = (231.656 * 231.656) / 1e4;
    expect(cov.coveredAreaHa).toBeCloseTo(sumExact * pxHa, 6);
    // the whole municipality: projected (equal-area) shoelace area vs Turf's spherical area
    const shoelaceHa = rings.reduce((acc, ring) => {
      let a = 0;
      for (let i = 0; i + 1 < ring.length; i++) a += ring[i]![0] * ring[i + 1]![1] - ring[i + 1]![0] * ring[i]![1];
      return acc + Math.abs(a / 2) * pxHa;
    }, 0);
    expect(Math.abs(shoelaceHa / cov.polygonAreaHa - 1)).toBeLessThan(1e-5);
  });

  it('the four municipalities share the Sinop image as the data README states (82.1 / 9.6 / 4.3 / 4.0 %)', () => {
    const imageHa = SINOP.width * SINOP.height * ((231.656 * 231.656) / 1e4);
    const share = (id: string) => (100 * polygonCoverage(byId(id).geometry, SINOP).coveredAreaHa) / imageHa;
    expect(share('5107909')).toBeCloseTo(82.1, 1);
    expect(share('5103056')).toBeCloseTo(9.6, 1);
    expect(share('5104526')).toBeCloseTo(4.3, 1);
    expect(share('5107925')).toBeCloseTo(4.0, 1);
  });

  it('densification matters: a long straight WGS84 edge is a curve in sinusoidal', () => {
    // a 1-degree-wide box whose top edge follows a parallel: in sinusoidal x = R lon cos(lat), so the
    // undensified (straight chord) polygon differs in area from the densified one
    const geom: Polygon = { type: 'Polygon', coordinates: [box(-56, -12.5, -55, -11.5)] };
    const wide: RasterGeoref = { ...SINOP, geotransform: [-6200000, 1000, 0, -1200000, 0, -1000], width: 400, height: 300 };
    const dense = polygonCoverage(geom, wide, { maxSegmentDeg: 0.001 });
    const coarse = polygonCoverage(geom, wide, { maxSegmentDeg: 10 });
    const sphere = turfArea(geom) / 1e4;
    // measured: densified -5.08e-7 (= the radius ratio (6371007.181 / 6371008.8)^2 - 1), chords -2.6e-5
    const radiusRatio = (6371007.181 / 6371008.8) ** 2;
    expect(Math.abs(dense.coveredAreaHa / (sphere * radiusRatio) - 1)).toBeLessThan(1e-8);
    expect(Math.abs(coarse.coveredAreaHa / sphere - 1)).toBeGreaterThan(1e-5);
  });
});
