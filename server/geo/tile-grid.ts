/** Web Mercator (EPSG:3857) XYZ tile grid: pure arithmetic, no I/O. */
const EARTH_RADIUS = 6378137;
export const ORIGIN_SHIFT = Math.PI * EARTH_RADIUS; // 20037508.342789244
const MAX_LAT = 85.0511287798066;

type Bounds = readonly [minX: number, minY: number, maxX: number, maxY: number];

/** Bounds of tile z/x/y in EPSG:3857 metres. */
export function tileBounds3857(z: number, x: number, y: number): Bounds {
  const size = (2 * ORIGIN_SHIFT) / 2 ** z;
  const minX = -ORIGIN_SHIFT + x * size;
  const maxY = ORIGIN_SHIFT - y * size;
  return [minX, maxY - size, minX + size, maxY];
}

/** Ground resolution (metres per pixel at the equator, in projected units) of zoom z for a tile of `tileSize` pixels. */
function resolution3857(z: number, tileSize = 256): number {
  return (2 * ORIGIN_SHIFT) / (tileSize * 2 ** z);
}

export function isValidTile(z: number, x: number, y: number): boolean {
  return Number.isInteger(z) && Number.isInteger(x) && Number.isInteger(y) && z >= 0 && x >= 0 && y >= 0 && x < 2 ** z && y < 2 ** z;
}

export function lonLatTo3857(lon: number, lat: number): [number, number] {
  const clamped = Math.max(-MAX_LAT, Math.min(MAX_LAT, lat));
  const x = (lon * Math.PI * EARTH_RADIUS) / 180;
  const y = EARTH_RADIUS * Math.log(Math.tan(Math.PI / 4 + (clamped * Math.PI) / 360));
  return [x, y];
}

export function mercatorToLonLat(x: number, y: number): [number, number] {
  const lon = (x / EARTH_RADIUS) * (180 / Math.PI);
  const lat = (2 * Math.atan(Math.exp(y / EARTH_RADIUS)) - Math.PI / 2) * (180 / Math.PI);
  return [lon, lat];
}

/** Smallest zoom whose pixel is at least as fine as `metresPerPixel` (at the given latitude). */
export function zoomForResolution(metresPerPixel: number, latDeg: number, tileSize = 256): number {
  const scale = Math.cos((latDeg * Math.PI) / 180);
  for (let z = 0; z <= 30; z++) {
    if (resolution3857(z, tileSize) * scale <= metresPerPixel) return z;
  }
  return 30;
}

/**
 * The zoom range of a raster (its WGS84 bbox, pixel size in CRS units, whether the CRS is
 * geographic): maxzoom is the first zoom whose pixels are at least as fine as the raster's, minzoom
 * six below it.
 */
export function rasterZoomRange(bbox: readonly [number, number, number, number], pixelSize: number, geographic: boolean): { minzoom: number; maxzoom: number } {
  const lat = (bbox[1] + bbox[3]) / 2;
  const metres = Math.abs(pixelSize) * (geographic ? 111_320 * Math.cos((lat * Math.PI) / 180) : 1);
  const maxzoom = Math.min(24, zoomForResolution(metres, lat));
  return { minzoom: Math.max(0, maxzoom - 6), maxzoom };
}

/** Tile x/y range covering a WGS84 bbox at zoom z. */
export function tileRangeForBBox(bbox: readonly [number, number, number, number], z: number): { minX: number; minY: number; maxX: number; maxY: number } {
  const [w, s, e, n] = bbox;
  const [x0, y1] = lonLatTo3857(w, s);
  const [x1, y0] = lonLatTo3857(e, n);
  const size = (2 * ORIGIN_SHIFT) / 2 ** z;
  const clampT = (v: number) => Math.max(0, Math.min(2 ** z - 1, v));
  return {
    minX: clampT(Math.floor((x0 + ORIGIN_SHIFT) / size)),
    maxX: clampT(Math.floor((x1 + ORIGIN_SHIFT) / size)),
    minY: clampT(Math.floor((ORIGIN_SHIFT - y0) / size)),
    maxY: clampT(Math.floor((ORIGIN_SHIFT - y1) / size)),
  };
}
