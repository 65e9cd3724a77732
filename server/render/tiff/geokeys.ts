/**
 * GeoKey directory encoding (GeoTIFF 1.0 keys plus CoordinateEpochGeoKey from 1.1) for the GeoTIFF writer.
 * Key names are the ones geotiff.js uses in `image.getGeoKeys()`, so its output can be copied verbatim.
 */

/** A GeoKey value: SHORT keys take an integer, DOUBLE keys a number or numbers, ASCII keys a string. */
export type GeoKeyValue = number | string | ArrayLike<number>;

/** GeoKeys by name (as `GeoTIFFImage.getGeoKeys()` returns them); null/undefined values are skipped. */
export type GeoKeys = Readonly<Record<string, GeoKeyValue | null | undefined>>;

type GeoKeyKind = 'short' | 'double' | 'ascii';

const KEYS: Readonly<Record<string, readonly [number, GeoKeyKind]>> = {
  GTModelTypeGeoKey: [1024, 'short'],
  GTRasterTypeGeoKey: [1025, 'short'],
  GTCitationGeoKey: [1026, 'ascii'],
  GeographicTypeGeoKey: [2048, 'short'],
  GeogCitationGeoKey: [2049, 'ascii'],
  GeogGeodeticDatumGeoKey: [2050, 'short'],
  GeogPrimeMeridianGeoKey: [2051, 'short'],
  GeogLinearUnitsGeoKey: [2052, 'short'],
  GeogLinearUnitSizeGeoKey: [2053, 'double'],
  GeogAngularUnitsGeoKey: [2054, 'short'],
  GeogAngularUnitSizeGeoKey: [2055, 'double'],
  GeogEllipsoidGeoKey: [2056, 'short'],
  GeogSemiMajorAxisGeoKey: [2057, 'double'],
  GeogSemiMinorAxisGeoKey: [2058, 'double'],
  GeogInvFlatteningGeoKey: [2059, 'double'],
  GeogAzimuthUnitsGeoKey: [2060, 'short'],
  GeogPrimeMeridianLongGeoKey: [2061, 'double'],
  GeogTOWGS84GeoKey: [2062, 'double'],
  ProjectedCSTypeGeoKey: [3072, 'short'],
  PCSCitationGeoKey: [3073, 'ascii'],
  ProjectionGeoKey: [3074, 'short'],
  ProjCoordTransGeoKey: [3075, 'short'],
  ProjLinearUnitsGeoKey: [3076, 'short'],
  ProjLinearUnitSizeGeoKey: [3077, 'double'],
  ProjStdParallel1GeoKey: [3078, 'double'],
  ProjStdParallel2GeoKey: [3079, 'double'],
  ProjNatOriginLongGeoKey: [3080, 'double'],
  ProjNatOriginLatGeoKey: [3081, 'double'],
  ProjFalseEastingGeoKey: [3082, 'double'],
  ProjFalseNorthingGeoKey: [3083, 'double'],
  ProjFalseOriginLongGeoKey: [3084, 'double'],
  ProjFalseOriginLatGeoKey: [3085, 'double'],
  ProjFalseOriginEastingGeoKey: [3086, 'double'],
  ProjFalseOriginNorthingGeoKey: [3087, 'double'],
  ProjCenterLongGeoKey: [3088, 'double'],
  ProjCenterLatGeoKey: [3089, 'double'],
  ProjCenterEastingGeoKey: [3090, 'double'],
  ProjCenterNorthingGeoKey: [3091, 'double'],
  ProjScaleAtNatOriginGeoKey: [3092, 'double'],
  ProjScaleAtCenterGeoKey: [3093, 'double'],
  ProjAzimuthAngleGeoKey: [3094, 'double'],
  ProjStraightVertPoleLongGeoKey: [3095, 'double'],
  ProjRectifiedGridAngleGeoKey: [3096, 'double'],
  VerticalCSTypeGeoKey: [4096, 'short'],
  VerticalCitationGeoKey: [4097, 'ascii'],
  VerticalDatumGeoKey: [4098, 'short'],
  VerticalUnitsGeoKey: [4099, 'short'],
  CoordinateEpochGeoKey: [5120, 'double'],
};

const GT_RASTER_TYPE_PIXEL_IS_AREA = 1;
export const GT_RASTER_TYPE_PIXEL_IS_POINT = 2;

/** TIFF tags 34735 (SHORT), 34736 (DOUBLE) and 34737 (ASCII). */
interface EncodedGeoKeys {
  directory: number[];
  doubles: number[];
  /** without the trailing NUL, which the TIFF ASCII writer adds */
  ascii: string;
}

/**
 * GeoKeys for an EPSG code. `kind` defaults to a guess from the code: 4000-4999 (EPSG's geodetic CRS range,
 * e.g. 4326, 4674) is geographic, anything else projected. Pass `kind` for geographic CRSs outside that range.
 */
export function geoKeysForEpsg(epsg: number, kind?: 'projected' | 'geographic'): Record<string, number> {
  if (!Number.isInteger(epsg) || epsg <= 0 || epsg >= 32767) throw new RangeError(`invalid EPSG code ${epsg}`);
  const geographic = kind ? kind === 'geographic' : epsg >= 4000 && epsg < 5000;
  return geographic
    ? { GTModelTypeGeoKey: 2, GTRasterTypeGeoKey: GT_RASTER_TYPE_PIXEL_IS_AREA, GeographicTypeGeoKey: epsg }
    : { GTModelTypeGeoKey: 1, GTRasterTypeGeoKey: GT_RASTER_TYPE_PIXEL_IS_AREA, ProjectedCSTypeGeoKey: epsg };
}

function kindOf(name: string, value: GeoKeyValue): [number, GeoKeyKind] | null {
  const known = KEYS[name];
  if (known) return [known[0], known[1]];
  // geotiff.js names keys it does not know "undefined" (losing the id): they cannot be copied.
  if (name === 'undefined') return null;
  if (/^\d+$/.test(name)) {
    const id = Number(name);
    if (id < 1024 || id > 65535) throw new TypeError(`GeoKey id ${id} is out of range`);
    if (typeof value === 'string') return [id, 'ascii'];
    if (typeof value === 'number' && Number.isInteger(value) && value >= 0 && value <= 65535) return [id, 'short'];
    return [id, 'double'];
  }
  throw new TypeError(`unknown GeoKey "${name}" (use a GeoTIFF key name or a numeric key id)`);
}

/** Encodes GeoKeys into the GeoKeyDirectory (sorted by key id), GeoDoubleParams and GeoAsciiParams. */
export function encodeGeoKeys(keys: GeoKeys): EncodedGeoKeys {
  const entries: Array<{ id: number; kind: GeoKeyKind; value: GeoKeyValue }> = [];
  for (const [name, value] of Object.entries(keys)) {
    if (value === null || value === undefined) continue;
    const k = kindOf(name, value);
    if (k) entries.push({ id: k[0], kind: k[1], value });
  }
  entries.sort((a, b) => a.id - b.id);
  const directory = [1, 1, 0, entries.length];
  const doubles: number[] = [];
  let ascii = '';
  for (const { id, kind, value } of entries) {
    if (kind === 'ascii') {
      if (typeof value !== 'string') throw new TypeError(`GeoKey ${id} takes a string`);
      if (value.includes('\0') || /[^\x01-\x7f]/.test(value)) throw new TypeError(`GeoKey ${id} must be 7-bit ASCII`);
      directory.push(id, 34737, value.length + 1, ascii.length);
      ascii += `${value}|`;
    } else if (kind === 'double') {
      if (typeof value === 'string') throw new TypeError(`GeoKey ${id} takes a number`);
      const values = typeof value === 'number' ? [value] : Array.from(value);
      if (values.length === 0 || values.some((v) => typeof v !== 'number')) throw new TypeError(`GeoKey ${id} takes numbers`);
      directory.push(id, 34736, values.length, doubles.length);
      doubles.push(...values);
    } else {
      if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > 65535) {
        throw new TypeError(`GeoKey ${id} takes an integer in 0..65535, got ${String(value)}`);
      }
      directory.push(id, 0, 1, value);
    }
  }
  return { directory, doubles, ascii };
}
