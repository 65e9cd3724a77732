/**
 * Zonal statistics benchmark: exact coverage fractions for the municipalities that intersect the
 * Sinop scene (all 141 are tried; those outside cost only their bbox test), beside a naive baseline
 * that tests every pixel centre with Turf's point-in-polygon, in the same process.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { booleanPointInPolygon, point } from '@turf/turf';
import type { Feature, FeatureCollection, MultiPolygon, Polygon } from 'geojson';
import { PACKAGE_ROOT } from '../../server/config.js';
import { Catalog } from '../../server/catalog/catalog.js';
import { polygonCoverage } from '../../server/analytics/zonal-stats.js';
import { transformer, WGS84 } from '../../server/geo/crs.js';
import { fmt } from './stats.js';

export async function zonalBench(log: (s: string) => void): Promise<Record<string, number>> {
  const fc = JSON.parse(readFileSync(resolve(PACKAGE_ROOT, 'fixtures/boundaries/mt_municipalities.geojson'), 'utf8')) as FeatureCollection<Polygon | MultiPolygon>;
  const scene = await new Catalog(resolve(PACKAGE_ROOT, 'fixtures/catalog')).get('sinop');
  const georef = { proj4: scene.crs.proj4, geotransform: [...scene.grid.geotransform] as [number, number, number, number, number, number], width: scene.grid.width, height: scene.grid.height };
  const [w, s, e, n] = scene.bbox;
  const hits = fc.features.filter((f) => {
    const cs = JSON.stringify(f.geometry.coordinates).match(/-?\d+\.\d+/g)!.map(Number);
    const xs = cs.filter((_, i) => i % 2 === 0);
    const ys = cs.filter((_, i) => i % 2 === 1);
    return Math.max(...xs) >= w && Math.min(...xs) <= e && Math.max(...ys) >= s && Math.min(...ys) <= n;
  });
  let t = performance.now();
  let exactPixels = 0;
  for (const f of hits) {
    const cov = polygonCoverage(f.geometry, georef, { holeOutsideShell: 'promote' });
    exactPixels += cov.pixelCount;
  }
  const exactMs = performance.now() - t;
  // Naive: every pixel centre, projected to WGS84, tested against every intersecting polygon.
  const toWgs = transformer(scene.crs.proj4, WGS84);
  const [ox, pw, , oy, , ph] = scene.grid.geotransform;
  t = performance.now();
  let naivePixels = 0;
  for (let r = 0; r < scene.grid.height; r++) {
    for (let c = 0; c < scene.grid.width; c++) {
      const [lon, lat] = toWgs.forward([ox + (c + 0.5) * pw, oy + (r + 0.5) * ph]) as [number, number];
      const p = point([lon, lat]);
      for (const f of hits) if (booleanPointInPolygon(p, f as Feature<Polygon | MultiPolygon>)) naivePixels++;
    }
  }
  const naiveMs = performance.now() - t;
  log(`  ${hits.length} municipalities over sinop (${scene.grid.width}x${scene.grid.height} px): exact coverage ${fmt(exactMs)} ms (${exactPixels} covered pixels, fractional) | naive Turf point-in-polygon per pixel centre ${fmt(naiveMs)} ms (${naivePixels} centres) | exact is ${fmt(naiveMs / exactMs, 1)}x faster`);
  return { exactMs, naiveMs, ratio: naiveMs / exactMs };
}
