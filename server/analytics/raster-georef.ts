/**
 * A raster's georeference (GDAL geotransform + proj4 CRS) and what zonal statistics need from it:
 * WGS84 -> pixel coordinates, and the ground area of a pixel in each row.
 */
import proj4 from 'proj4';

export interface RasterGeoref {
  proj4: string;
  /** GDAL order: [originX, pixelWidth, rowRotation(0), originY, colRotation(0), pixelHeight(<0)] */
  geotransform: [number, number, number, number, number, number];
  width: number;
  height: number;
}

/** Authalic (equal-area) sphere radius of WGS84, the same R as the MODIS sinusoidal grid. */
const AUTHALIC_RADIUS_M = 6371007.181;

interface PreparedGeoref {
  geographic: boolean;
  /** WGS84 [lon, lat] -> continuous pixel [col, row] */
  toPixel: (lonLat: [number, number]) => [number, number];
  /** full-pixel ground area in hectares for raster row r */
  pixelAreaHa: (row: number) => number;
  /** how pixel area was obtained, for the response's `method` */
  areaMethod: string;
}

export function prepareGeoref(g: RasterGeoref): PreparedGeoref {
  const [ox, pw, rot1, oy, rot2, ph] = g.geotransform;
  if (rot1 !== 0 || rot2 !== 0) throw new RangeError('rotated geotransforms (terms 2 and 4 non-zero) are not supported');
  if (!(pw !== 0 && ph !== 0 && Number.isFinite(pw) && Number.isFinite(ph))) throw new RangeError('geotransform pixel size must be finite and non-zero');
  if (!(Number.isInteger(g.width) && Number.isInteger(g.height) && g.width > 0 && g.height > 0)) throw new RangeError('raster width and height must be positive integers');
  let proj: { projName?: string; units?: string; to_meter?: number };
  try {
    proj = proj4.Proj(g.proj4) as unknown as typeof proj;
  } catch (e) {
    throw new RangeError(`unreadable proj4 definition ${JSON.stringify(g.proj4)}: ${(e as Error).message}`);
  }
  const geographic = proj.projName === 'longlat';
  const transform = proj4('WGS84', g.proj4);
  const toPixel = (lonLat: [number, number]): [number, number] => {
    const [x, y] = transform.forward(lonLat) as [number, number];
    return [(x - ox) / pw, (y - oy) / ph];
  };
  if (geographic) {
    // Spherical zone area between two parallels: R^2 * dLon * |sin(lat1) - sin(lat2)|.
    const rad = Math.PI / 180;
    const dLon = Math.abs(pw) * rad;
    const R2 = AUTHALIC_RADIUS_M * AUTHALIC_RADIUS_M;
    return {
      geographic,
      toPixel,
      pixelAreaHa: (r) => (R2 * dLon * Math.abs(Math.sin((oy + r * ph) * rad) - Math.sin((oy + (r + 1) * ph) * rad))) / 1e4,
      areaMethod: `geographic raster: spherical area of each pixel row on the authalic sphere R = ${AUTHALIC_RADIUS_M} m`,
    };
  }
  const units = proj.units;
  const toMeter = units === undefined || units === 'm' ? 1 : typeof proj.to_meter === 'number' ? proj.to_meter : NaN;
  if (!Number.isFinite(toMeter)) throw new RangeError(`projected CRS units ${JSON.stringify(units)} are not supported (need metres)`);
  const areaHa = (Math.abs(pw * ph) * toMeter * toMeter) / 1e4;
  return {
    geographic,
    toPixel,
    pixelAreaHa: () => areaHa,
    areaMethod: `projected raster: pixel area from the geotransform (${Math.abs(pw)} x ${Math.abs(ph)} map units = ${areaHa} ha); exact ground area only for equal-area CRSs such as MODIS sinusoidal`,
  };
}
