/**
 * Zonal statistics with exact coverage fractions: a WGS84 (Multi)Polygon is validated, densified,
 * projected into the raster's CRS, converted to pixel coordinates and rasterised by the coverage
 * kernel; each pixel then weighs coverage fraction x its ground area.
 *
 * Split in two so a multi-band raster (23 NDVI dates) reuses one coverage: `polygonCoverage` then
 * `classAreaStats` / `valueStats` per band. `zonalStats` does both for one band.
 */
import { area as turfArea } from '@turf/turf';
import type { MultiPolygon, Polygon } from 'geojson';
import { coverageFractions, type CoverageGrid, type PixelPolygon } from './coverage.js';
import { densifyRing } from './densify.js';
import { checkPolygonGeometry, InvalidGeometryError, type HoleOutsideShellPolicy, type RepairNote } from './geometry-validity.js';
import { prepareGeoref, type RasterGeoref } from './raster-georef.js';

export { InvalidGeometryError } from './geometry-validity.js';
export type { RasterGeoref } from './raster-georef.js';

/** Default densification step: 0.0005 deg (~55 m), under a quarter of a 250 m MODIS pixel. */
const DEFAULT_MAX_SEGMENT_DEG = 0.0005;

interface CoverageOptions {
  /** longest allowed WGS84 segment before projection, degrees */
  maxSegmentDeg?: number;
  /** index of the feature in the request, used in error messages */
  featureIndex?: number;
  holeOutsideShell?: HoleOutsideShellPolicy;
}

export interface PolygonCoverage {
  grid: CoverageGrid;
  /** full-pixel area (ha) of each window row (index = row - grid.row0) */
  rowPixelAreaHa: Float64Array;
  /** polygon area on the sphere (Turf, R = 6371008.8 m), including any part outside the raster */
  polygonAreaHa: number;
  /** sum of coverage fraction x pixel area: the part of the polygon inside the raster */
  coveredAreaHa: number;
  /** pixels with coverage > 0 */
  pixelCount: number;
  repairs: RepairNote[];
  method: string;
}

export function polygonCoverage(geometry: Polygon | MultiPolygon, georef: RasterGeoref, options: CoverageOptions = {}): PolygonCoverage {
  const checked = checkPolygonGeometry(geometry, { featureIndex: options.featureIndex ?? 0, holeOutsideShell: options.holeOutsideShell ?? 'promote' });
  const step = options.maxSegmentDeg ?? DEFAULT_MAX_SEGMENT_DEG;
  const g = prepareGeoref(georef);
  const pixelPolys: PixelPolygon[] = checked.polygons.map((rings) =>
    rings.map((ring) =>
      densifyRing(ring, step).map((p) => {
        const px = g.toPixel([p[0]!, p[1]!]);
        if (!Number.isFinite(px[0]) || !Number.isFinite(px[1])) {
          throw new InvalidGeometryError(options.featureIndex ?? 0, 'bad-coordinate', `feature ${options.featureIndex ?? 0}: position (${p[0]}, ${p[1]}) cannot be projected to the raster CRS`, [p[0]!, p[1]!]);
        }
        return px;
      }),
    ),
  );
  const grid = coverageFractions(pixelPolys, georef.width, georef.height);
  const rowPixelAreaHa = new Float64Array(grid.height);
  let covered = 0;
  let pixelCount = 0;
  for (let r = 0; r < grid.height; r++) {
    const a = g.pixelAreaHa(grid.row0 + r);
    rowPixelAreaHa[r] = a;
    let s = 0;
    for (let c = 0; c < grid.width; c++) {
      const f = grid.fractions[r * grid.width + c]!;
      if (f > 0) {
        s += f;
        pixelCount++;
      }
    }
    covered += s * a;
  }
  const polygonAreaHa = turfArea({ type: 'MultiPolygon', coordinates: checked.polygons }) / 1e4;
  return {
    grid,
    rowPixelAreaHa,
    polygonAreaHa,
    coveredAreaHa: covered,
    pixelCount,
    repairs: checked.notes,
    method: `exact coverage fractions (signed-area accumulation, exactextract's weighting); WGS84 edges densified to <= ${step} deg, projected with proj4 to the raster CRS; ${g.areaMethod}`,
  };
}

interface ClassRaster {
  /** row-major, georef.width x georef.height */
  data: ArrayLike<number>;
  nodata: number | null;
  classes: ReadonlyArray<{ value: number; name: string }>;
}

export interface ClassAreaStats {
  /** hectares per class name, in the order of `classes` */
  areaHaByClass: Record<string, number>;
  /** hectares of valid values not in `classes` */
  otherAreaHa: number;
  nodataAreaHa: number;
  /** polygon area inside the raster = sum of the above */
  coveredAreaHa: number;
}

export function classAreaStats(cov: PolygonCoverage, raster: ClassRaster, rasterWidth: number): ClassAreaStats {
  const byValue = new Map<number, number>();
  for (const c of raster.classes) byValue.set(c.value, 0);
  let other = 0;
  let nodata = 0;
  let covered = 0;
  forEachCovered(cov, rasterWidth, raster.data.length, (idx, w) => {
    const v = raster.data[idx]!;
    covered += w;
    if (raster.nodata !== null && v === raster.nodata) nodata += w;
    else if (byValue.has(v)) byValue.set(v, byValue.get(v)! + w);
    else other += w;
  });
  const areaHaByClass: Record<string, number> = {};
  for (const c of raster.classes) areaHaByClass[c.name] = (areaHaByClass[c.name] ?? 0) + byValue.get(c.value)!;
  return { areaHaByClass, otherAreaHa: other, nodataAreaHa: nodata, coveredAreaHa: covered };
}

export interface ValueStats {
  /** coverage-and-area-weighted mean of valid values; null when no valid pixel is covered */
  mean: number | null;
  min: number | null;
  max: number | null;
  /** pixels with coverage > 0 and a valid (non-NaN) value */
  count: number;
  /** sum of coverage fractions over valid pixels (effective pixel count) */
  weightSum: number;
  nodataAreaHa: number;
  coveredAreaHa: number;
}

/** NaN is nodata; pass `nodata` too when the band has an integer fill value (e.g. -3000). */
export function valueStats(cov: PolygonCoverage, data: ArrayLike<number>, rasterWidth: number, nodata: number | null = null): ValueStats {
  let wSum = 0;
  let fSum = 0;
  let vSum = 0;
  let min = Infinity;
  let max = -Infinity;
  let count = 0;
  let nodataHa = 0;
  let covered = 0;
  forEachCovered(cov, rasterWidth, data.length, (idx, w, f) => {
    const v = data[idx]!;
    covered += w;
    if (Number.isNaN(v) || (nodata !== null && v === nodata)) {
      nodataHa += w;
      return;
    }
    wSum += w;
    fSum += f;
    vSum += w * v;
    count++;
    if (v < min) min = v;
    if (v > max) max = v;
  });
  return {
    mean: count > 0 ? vSum / wSum : null,
    min: count > 0 ? min : null,
    max: count > 0 ? max : null,
    count,
    weightSum: fSum,
    nodataAreaHa: nodataHa,
    coveredAreaHa: covered,
  };
}

function forEachCovered(cov: PolygonCoverage, rasterWidth: number, dataLength: number, fn: (index: number, weightHa: number, fraction: number) => void): void {
  const { grid } = cov;
  if (grid.height > 0 && (grid.row0 + grid.height - 1) * rasterWidth + grid.col0 + grid.width > dataLength) {
    throw new RangeError(`raster data has ${dataLength} values, too few for the window at row ${grid.row0 + grid.height - 1} with width ${rasterWidth}`);
  }
  for (let r = 0; r < grid.height; r++) {
    const a = cov.rowPixelAreaHa[r]!;
    const rowBase = (grid.row0 + r) * rasterWidth + grid.col0;
    for (let c = 0; c < grid.width; c++) {
      const f = grid.fractions[r * grid.width + c]!;
      if (f > 0) fn(rowBase + c, f * a, f);
    }
  }
}

type BandInput = ({ kind: 'class' } & ClassRaster) | { kind: 'value'; data: ArrayLike<number>; nodata?: number | null };

interface ZonalStatsResult {
  polygonAreaHa: number;
  coveredAreaHa: number;
  /** share of the polygon's area that falls inside the raster */
  coveredShare: number;
  pixelCount: number;
  stats: ClassAreaStats | ValueStats;
  notes: string[];
  method: string;
}

/** One polygon, one band. */
export function zonalStats(geometry: Polygon | MultiPolygon, georef: RasterGeoref, band: BandInput, options: CoverageOptions = {}): ZonalStatsResult {
  const expected = georef.width * georef.height;
  if (band.data.length !== expected) throw new RangeError(`band has ${band.data.length} values, expected width x height = ${expected}`);
  const cov = polygonCoverage(geometry, georef, options);
  const stats = band.kind === 'class' ? classAreaStats(cov, band, georef.width) : valueStats(cov, band.data, georef.width, band.nodata ?? null);
  return {
    polygonAreaHa: cov.polygonAreaHa,
    coveredAreaHa: cov.coveredAreaHa,
    coveredShare: cov.polygonAreaHa > 0 ? cov.coveredAreaHa / cov.polygonAreaHa : 0,
    pixelCount: cov.pixelCount,
    stats,
    notes: cov.repairs.map((n) => n.message),
    method: cov.method + (band.kind === 'value' ? '; mean weighted by coverage fraction x pixel area' : '; class areas = sum of coverage fraction x pixel area'),
  };
}
