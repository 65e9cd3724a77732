/**
 * A synthetic crop map on a WGS84 (EPSG:4326) grid near Sinop, Mato Grosso: 60 x 48 pixels of
 * 0.0025 degrees (about 270 m), three classes in blocks, a ring with a hole and a diagonal edge.
 * Shared by the reference script (make-reference.sh) and the test, so both see the same polygons.
 */
import type { Scene } from '../../../server/catalog/scene.js';

export const WIDTH = 60;
export const HEIGHT = 48;
const PIXEL_DEG = 0.0025;
const ORIGIN: [number, number] = [-55.6, -11.8];

export const CLASSES = [
  { id: 0, name: 'Soy', color: '#e6ab02' },
  { id: 1, name: 'Pasture', color: '#66a61e' },
  { id: 2, name: 'Forest', color: '#1b5e20' },
];

export function wgs84Scene(): Scene {
  const [ox, oy] = ORIGIN;
  return {
    id: 'wgs84-synthetic',
    title: 'synthetic WGS84 crop map',
    crs: { proj4: '+proj=longlat +datum=WGS84 +no_defs', epsg: 4326, geographic: true },
    grid: { width: WIDTH, height: HEIGHT, geotransform: [ox, PIXEL_DEG, 0, oy, 0, -PIXEL_DEG] },
    bbox: [ox, oy - HEIGHT * PIXEL_DEG, ox + WIDTH * PIXEL_DEG, oy],
    variables: [],
    dates: [],
    assets: [],
    display: {},
    attribution: 'synthetic',
    etag: 'synthetic',
    purpose: 'test',
  } as Scene;
}

/** Class per pixel (255 = no data) and a constant confidence. */
export function wgs84Classes(): { classIds: Uint8Array; confidence: Uint8Array } {
  const classIds = new Uint8Array(WIDTH * HEIGHT);
  for (let r = 0; r < HEIGHT; r++) {
    for (let c = 0; c < WIDTH; c++) {
      let v = c + r < 50 ? 0 : 1; // a diagonal (staircase) boundary between soy and pasture
      const dr = r - 30;
      const dc = c - 40;
      if (dr * dr + dc * dc < 100) v = 2; // a forest disc ...
      if (dr * dr + dc * dc < 16) v = 1; // ... with a pasture hole
      if (r < 3 && c > 50) v = 255; // a corner without data
      classIds[r * WIDTH + c] = v;
    }
  }
  return { classIds, confidence: new Uint8Array(WIDTH * HEIGHT).fill(90) };
}
