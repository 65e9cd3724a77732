/** Web Mercator tile arithmetic for tests (independent of server/geo). */
const ORIGIN_SHIFT = 20037508.342789244;

/** The tile containing lon/lat at zoom z. */
export function tileFor(lon: number, lat: number, z: number): { z: number; x: number; y: number } {
  const n = 2 ** z;
  const x = Math.floor(((lon + 180) / 360) * n);
  const r = (lat * Math.PI) / 180;
  const y = Math.floor(((1 - Math.log(Math.tan(r) + 1 / Math.cos(r)) / Math.PI) / 2) * n);
  return { z, x, y };
}

/** [minX, minY, maxX, maxY] of tile z/x/y in EPSG:3857 metres. */
export function tileBounds(z: number, x: number, y: number): [number, number, number, number] {
  const size = (2 * ORIGIN_SHIFT) / 2 ** z;
  return [-ORIGIN_SHIFT + x * size, ORIGIN_SHIFT - (y + 1) * size, -ORIGIN_SHIFT + (x + 1) * size, ORIGIN_SHIFT - y * size];
}
