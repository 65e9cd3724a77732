/** GeoTIFF geokeys -> the CRS as proj4 describes it (geo/crs.ts has the transformers). */
import proj4 from 'proj4';
import geokeysToProj4 from 'geotiff-geokeys-to-proj4';
import { WGS84, type CrsInfo } from './crs.js';

/** Geokey conflicts that do not change the CRS (GDAL writes both GCS and PCS keys for projected CRSs). */
const HARMLESS = new Set(['bothGCSAndPCSAreSet']);

export class UnknownCrsError extends Error {}

/** Derives the CRS of a GeoTIFF from its geokeys (as geotiff.js returns them). */
export function crsFromGeoKeys(geoKeys: Record<string, unknown> | null): CrsInfo {
  if (!geoKeys || Object.keys(geoKeys).length === 0) throw new UnknownCrsError('the file has no GeoKeys: it is not georeferenced');
  if (geoKeys.GTModelTypeGeoKey !== 1 && geoKeys.GTModelTypeGeoKey !== 2 && geoKeys.ProjectedCSTypeGeoKey === undefined && geoKeys.GeographicTypeGeoKey === undefined) throw new UnknownCrsError('the file declares neither a projected nor a geographic CRS (e.g. a local/engineering CRS): its coordinates cannot be placed on the map');
  const epsg = (geoKeys.ProjectedCSTypeGeoKey ?? geoKeys.GeographicTypeGeoKey) as number | undefined;
  const result = geokeysToProj4.toProj4(geoKeys as unknown as Parameters<typeof geokeysToProj4.toProj4>[0]);
  const problems = Object.keys(result.errors ?? {}).filter((k) => !HARMLESS.has(k));
  if (problems.length > 0 || !result.proj4 || /\+proj=undefined/.test(result.proj4)) {
    throw new UnknownCrsError(`the file's CRS cannot be described for proj4 (${problems.join(', ') || 'no projection'})`);
  }
  if (result.shouldConvertCoordinates && result.coordinatesUnits !== 'metre' && result.coordinatesUnits !== 'degree') {
    throw new UnknownCrsError(`the file's CRS uses ${result.coordinatesUnits} units, which are not supported`);
  }
  // Validate the definition once: proj4 throws on definitions it cannot use.
  try {
    proj4(result.proj4, WGS84, [0, 0]);
  } catch (e) {
    throw new UnknownCrsError(`proj4 rejects the file's CRS "${result.proj4}": ${(e as Error).message}`);
  }
  const userDefined = epsg === 32767 || epsg === undefined;
  return { proj4: result.proj4, epsg: userDefined ? null : epsg, geographic: result.isGCS };
}

