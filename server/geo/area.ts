/**
 * Areas of raster-space polygons, right for projected and geographic CRSs (pure).
 *
 * Projected CRS: the shoelace formula in CRS units (metres); the scale error of conformal
 * projections near their standard lines (UTM: < 0.1 %) is left in, equal-area grids (MODIS
 * sinusoidal) are exact.
 * Geographic CRS (degrees): vertices are mapped to the Lambert cylindrical equal-area projection of
 * the WGS84 ellipsoid, x = a·λ, y = a·q(φ)/2, with q the authalic latitude function (Snyder 1987,
 * eq. 3-12 and 10-15), so the shoelace gives ellipsoidal areas; a pixel is then the exact area
 * of its lon/lat cell, which shrinks with the cosine of the latitude. Hand-written: the formula is
 * a few lines and the polygons are already in memory (no GEOS/PROJ round trip per polygon).
 */
const A = 6378137;
const F = 1 / 298.257223563;
const E2 = F * (2 - F);
const E = Math.sqrt(E2);
const DEG = Math.PI / 180;

/** Snyder's q(φ) for the WGS84 ellipsoid. */
function q(phi: number): number {
  const s = Math.sin(phi);
  return (1 - E2) * (s / (1 - E2 * s * s) - (1 / (2 * E)) * Math.log((1 - E * s) / (1 + E * s)));
}

/** Equal-area plane coordinates (metres) of a lon/lat position in degrees. */
function equalAreaXY(lon: number, lat: number): [number, number] {
  return [A * lon * DEG, (A * q(lat * DEG)) / 2];
}

/** Signed shoelace area of a ring of [x, y] positions (closed or not). */
function shoelace(ring: ReadonlyArray<readonly [number, number]>): number {
  let s = 0;
  for (let i = 0, n = ring.length; i < n; i++) {
    const [x1, y1] = ring[i]!;
    const [x2, y2] = ring[(i + 1) % n]!;
    s += x1 * y2 - x2 * y1;
  }
  return s / 2;
}

/** Area in m² of a polygon (outer ring first, then holes) whose vertices are in the CRS's units. */
export function polygonAreaM2(rings: ReadonlyArray<ReadonlyArray<readonly [number, number]>>, geographic: boolean): number {
  let total = 0;
  rings.forEach((ring, k) => {
    const plane = geographic ? ring.map(([lon, lat]) => equalAreaXY(lon, lat)) : ring;
    const a = Math.abs(shoelace(plane));
    total += k === 0 ? a : -a;
  });
  return total;
}

/** Area in m² of pixel (col, row) of a north-up grid with geotransform [ox, pw, 0, oy, 0, ph]. */
export function pixelAreaM2(geotransform: readonly number[], geographic: boolean, row = 0): number {
  const [ox, pw, , oy, , ph] = geotransform as [number, number, number, number, number, number];
  if (!geographic) return Math.abs(pw * ph);
  const y0 = oy + row * ph;
  return polygonAreaM2([[[ox, y0], [ox + pw, y0], [ox + pw, y0 + ph], [ox, y0 + ph]]], true);
}

/**
 * Area in m² of the pixels of a north-up grid (row-major, `width` columns) whose value is not
 * `nodata`: per row, the count times that row's pixel area (geographic pixels shrink with latitude).
 */
export function maskedAreaM2(values: Uint8Array, width: number, geotransform: readonly number[], geographic: boolean, nodata = 255): number {
  const rows = Math.floor(values.length / width);
  let total = 0;
  for (let r = 0; r < rows; r++) {
    let n = 0;
    for (let k = r * width, end = k + width; k < end; k++) if (values[k] !== nodata) n++;
    if (n > 0) total += n * pixelAreaM2(geotransform, geographic, r);
  }
  return total;
}
