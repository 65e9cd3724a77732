/**
 * Hectares of a crop map on a WGS84 grid against GDAL: the polygons' areaHa summed per class are
 * within 0.5 % of the areas GDAL/PROJ measures in an equal-area projection (reference made by
 * make-reference.sh, never by the code under test). The pixel-count areas (exact pixel edges) are
 * checked against the per-row pixel area.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cropMapPolygons } from '../../../server/cropmap/polygon-layer.js';
import { pixelAreaM2 } from '../../../server/geo/area.js';
import { mappedAreaKm2 } from '../../../server/jobs/publish.js';
import { blockGrid } from '../../../server/jobs/cropmap-blocks.js';
import { CLASSES, HEIGHT, WIDTH, wgs84Classes, wgs84Scene } from './wgs84-scene.js';

const reference = JSON.parse(readFileSync(join(import.meta.dirname, 'wgs84-cropmap.reference.json'), 'utf8')) as { classes: Array<{ classId: number; ha: number; polygons: number }> };

describe('pixel and polygon areas on a geographic (WGS84) grid', () => {
  const scene = wgs84Scene();
  const { classIds, confidence } = wgs84Classes();
  const fc = cropMapPolygons(scene, classIds, confidence, CLASSES);
  const sum = (id: number, key: 'areaHa' | 'pixelAreaHa') => fc.features.filter((f) => f.properties!.classId === id).reduce((s, f) => s + (f.properties![key] as number), 0);

  it('gives each class the hectares GDAL measures in an equal-area projection, within 0.5 %', () => {
    expect(reference.classes.length).toBe(3);
    for (const ref of reference.classes) {
      expect(fc.features.filter((f) => f.properties!.classId === ref.classId)).toHaveLength(ref.polygons);
      expect(Math.abs(sum(ref.classId, 'areaHa') / ref.ha - 1), `class ${ref.classId}: ${sum(ref.classId, 'areaHa')} ha vs GDAL ${ref.ha} ha`).toBeLessThan(0.005);
    }
  });

  it('counts pixels at their own latitude: exact-edge polygon areas equal the sum of per-row pixel areas', () => {
    const gt = scene.grid.geotransform;
    for (const ref of reference.classes) {
      let m2 = 0;
      for (let r = 0; r < HEIGHT; r++) for (let c = 0; c < WIDTH; c++) if (classIds[r * WIDTH + c] === ref.classId) m2 += pixelAreaM2(gt, true, r);
      expect(Math.abs(sum(ref.classId, 'pixelAreaHa') / (m2 / 1e4) - 1)).toBeLessThan(1e-6);
    }
    // a 0.0025 degree pixel near 12 degrees south is about 272 m x 276 m, and shrinks towards the pole
    expect(pixelAreaM2(gt, true, 0) / 1e4).toBeGreaterThan(7.4);
    expect(pixelAreaM2(gt, true, 0) / 1e4).toBeLessThan(7.6);
    expect(pixelAreaM2([0, 0.0025, 0, 60, 0, -0.0025], true)).toBeLessThan(pixelAreaM2(gt, true) * 0.52);
    expect(pixelAreaM2([500000, 30, 0, 0, 0, -30], false)).toBe(900);
  });

  it('gives a published crop map the mapped km2 GDAL measures (all classes), within 0.5 %', () => {
    const gdalKm2 = reference.classes.reduce((s, c) => s + c.ha, 0) / 100;
    const km2 = mappedAreaKm2({ classIds, grid: blockGrid(WIDTH, HEIGHT) }, scene);
    expect(Math.abs(km2 / gdalKm2 - 1), `${km2} km2 vs GDAL ${gdalKm2} km2`).toBeLessThan(0.005);
    // the same map on a projected grid of 270 m pixels: count x 72,900 m2
    const mapped = classIds.filter((v) => v !== 255).length;
    const utm = { ...scene, crs: { proj4: '+proj=utm +zone=21 +south +datum=WGS84', epsg: 32721, geographic: false }, grid: { ...scene.grid, geotransform: [600000, 270, 0, 8700000, 0, -270] as [number, number, number, number, number, number] } };
    expect(mappedAreaKm2({ classIds, grid: blockGrid(WIDTH, HEIGHT) }, utm)).toBeCloseTo((mapped * 72_900) / 1e6, 9);
  });
});
