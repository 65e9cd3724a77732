/**
 * CRS handling: cached proj4 transformers. GeoTIFF geokeys -> proj4 strings are in geo/geokeys.ts
 * (its EPSG tables are 1.5 MB of code that only reading a file's header needs).
 */
import proj4 from 'proj4';

export const WEB_MERCATOR = 'EPSG:3857';
export const WGS84 = 'EPSG:4326';

export interface CrsInfo {
  /** proj4 definition string */
  proj4: string;
  /** EPSG code when the file names one */
  epsg: number | null;
  /** true for geographic (lon/lat degrees) CRSs */
  geographic: boolean;
}

const converters = new Map<string, proj4.Converter>();

/** A cached proj4 converter from `from` to `to` (definitions or EPSG names). */
export function transformer(from: string, to: string): proj4.Converter {
  const key = `${from}\u0000${to}`;
  let c = converters.get(key);
  if (!c) {
    c = proj4(from, to);
    converters.set(key, c);
  }
  return c;
}
