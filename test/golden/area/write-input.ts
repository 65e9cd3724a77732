/** Writes the synthetic WGS84 crop map's polygons (in/wgs84-cropmap.geojson) for GDAL to measure. */
import { writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { cropMapPolygons } from '../../../server/cropmap/polygon-layer.js';
import { CLASSES, wgs84Classes, wgs84Scene } from './wgs84-scene.js';

const { classIds, confidence } = wgs84Classes();
const fc = cropMapPolygons(wgs84Scene(), classIds, confidence, CLASSES);
const dir = join(import.meta.dirname, 'in');
mkdirSync(dir, { recursive: true });
writeFileSync(join(dir, 'wgs84-cropmap.geojson'), JSON.stringify(fc) + '\n');
console.log(`${fc.features.length} polygons`);
