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
});
