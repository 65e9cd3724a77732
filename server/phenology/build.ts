/**
 * Builds a scene's start-of-season product (the `granary phenology` command):
 *   <dataDir>/phenology/<scene>-sos-<variable>.tif  day of season per pixel, one Int16 band per season
 *                                                   (band description = the season's 1 September),
 *                                                   registered as scene `<scene>-sos` (variable `sos`)
 *                                                   so /tiles/<scene>-sos/... draws it with a colormap;
 *   <dataDir>/phenology/<scene>.json                the method, per-season pixel counts, the
 *                                                   distribution per municipality (pixel centres) and the
 *                                                   usual window of each labelled class per municipality.
 * Files are written to a temporary name and renamed (a crash leaves no half product).
 */
import { readFile, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { transformer, WGS84 } from '../geo/crs.js';
import { writeGeoTiff } from '../render/geotiff-writer.js';
import { writeFileAtomic } from '../util/atomic-write.js';
import { percentileLinear } from '../analytics/percentile.js';
import { parseCsv } from '../regions/csv-parse.js';
import { pixelAt } from '../pipeline/point.js';
import { GranaryError } from '../errors.js';
import type { RasterContext } from '../pipeline/read-tile.js';
import type { Scene } from '../catalog/scene.js';
import type { RegionRef } from '../regions/point-lookup.js';
import { readVariableStack } from './read-series.js';
import { sosGrids, SOS_NODATA } from './grid.js';
import { seasonsOf, startOfSeason, SOS_METHOD, SOS_DEFAULTS, seasonYearOf } from './sos.js';
import { summariseWindows, type SampleSos, type SosWindow } from './windows.js';

export interface PhenologyProduct {
  scene: string;
  sosScene: string;
  variable: string;
  method: string;
  fraction: number;
  minAmplitude: number;
  cog: string;
  seasons: Array<{ season: number; dates: number; counts: { ok: number; baseAtWindowStart: number; noSeason: number; noData: number } }>;
  regions: Array<{ regionId: string; name: string; season: number; pixels: number; pixelsWithSeason: number; p10: number | null; p50: number | null; p90: number | null }>;
  samples: { file: string; n: number; outsideScene: number; withoutSeason: number } | null;
  windows: SosWindow[];
  /** mean of the variable over the municipality's pixels, per season and composite (crop condition against other seasons) */
  regionSeries: Array<{ regionId: string; season: number; dates: string[]; mean: Array<number | null> }>;
  createdAt: string;
}

interface BuildOptions {
  variable: string;
  fraction?: number;
  minAmplitude?: number;
  samplesCsv?: string;
  outDir: string;
  regionAt: (lon: number, lat: number) => RegionRef | null;
}

/** Reads a labelled-sample CSV (sits or dtwSat columns: longitude, latitude, start date, label). */
function parseSamples(text: string, file: string): Array<{ lon: number; lat: number; start: string; label: string }> {
  const t = parseCsv(text);
  const col = (names: string[]) => names.find((n) => t.header.includes(n));
  const lon = col(['longitude', 'lon']);
  const lat = col(['latitude', 'lat']);
  const start = col(['start_date', 'from', 'start']);
  const label = col(['label', 'class']);
  if (!lon || !lat || !start || !label) throw new GranaryError('bad-request', `${file}: needs columns longitude, latitude, start_date|from, label (has ${t.header.join(', ')})`);
  return t.rows.map((r, i) => {
    const s = { lon: Number(r[lon]), lat: Number(r[lat]), start: r[start]!, label: r[label]! };
    if (!Number.isFinite(s.lon) || !Number.isFinite(s.lat) || !/^\d{4}-\d{2}-\d{2}/.test(s.start) || !s.label) throw new GranaryError('bad-request', `${file}: row ${i + 2} is not a valid sample`);
    return s;
  });
}

export async function buildPhenology(ctx: RasterContext, scene: Scene, opts: BuildOptions): Promise<{ product: PhenologyProduct; cogPath: string; jsonPath: string }> {
  const fraction = opts.fraction ?? SOS_DEFAULTS.fraction;
  const minAmplitude = opts.minAmplitude ?? SOS_DEFAULTS.minAmplitude;
  const stack = await readVariableStack(ctx, scene, opts.variable);
  const grids = sosGrids(stack, { fraction, minAmplitude });
  if (grids.length === 0) throw new GranaryError('unprocessable', `scene ${scene.id} has no season with at least 20 composites of ${opts.variable}`);

  // per municipality (pixel centre inside), per season
  const inv = transformer(WGS84, scene.crs.proj4);
  const [ox, pw, , oy, , ph] = scene.grid.geotransform;
  const regionOfPixel: Array<RegionRef | null> = [];
  for (let row = 0; row < stack.height; row++) {
    for (let col = 0; col < stack.width; col++) {
      const [lon, lat] = inv.inverse([ox + (col + 0.5) * pw, oy + (row + 0.5) * ph]) as [number, number];
      regionOfPixel.push(opts.regionAt(lon, lat));
    }
  }
  const regions: PhenologyProduct['regions'] = [];
  const regionIds = [...new Map(regionOfPixel.filter((r): r is RegionRef => r !== null).map((r) => [r.id, r])).values()];
  for (const g of grids) {
    for (const r of regionIds) {
      const days: number[] = [];
      let pixels = 0;
      regionOfPixel.forEach((rr, p) => {
        if (rr?.id !== r.id) return;
        pixels++;
        if (g.dayOfSeason[p] !== SOS_NODATA) days.push(g.dayOfSeason[p]!);
      });
      const pct = (q: number) => (days.length ? Math.round(percentileLinear(days, q) * 10) / 10 : null);
      regions.push({ regionId: r.id, name: r.name, season: g.season, pixels, pixelsWithSeason: days.length, p10: pct(10), p50: pct(50), p90: pct(90) });
    }
  }

  const regionSeries: PhenologyProduct['regionSeries'] = [];
  for (const [season, idx] of [...seasonsOf(stack.dates)].sort((a, b) => a[0] - b[0])) {
    for (const r of regionIds) {
      const mean = idx.map((i) => {
        let sum = 0;
        let n = 0;
        regionOfPixel.forEach((rr, p) => {
          const v = stack.values[i]![p]!;
          if (rr?.id === r.id && Number.isFinite(v)) {
            sum += v;
            n++;
          }
        });
        return n > 0 ? Math.round((sum / n) * 1e4) / 1e4 : null;
      });
      regionSeries.push({ regionId: r.id, season, dates: idx.map((i) => stack.dates[i]!), mean });
    }
  }

  // labelled samples: their own pixel's start of season in the season they are labelled for
  let samples: PhenologyProduct['samples'] = null;
  let windows: SosWindow[] = [];
  if (opts.samplesCsv) {
    const rows = parseSamples(await readFile(opts.samplesCsv, 'utf8'), opts.samplesCsv);
    const bySeason = seasonsOf(stack.dates);
    const sos: SampleSos[] = [];
    let outside = 0;
    for (const s of rows) {
      const px = pixelAt(scene, s.lon, s.lat);
      const season = seasonYearOf(s.start.slice(0, 10));
      const idx = bySeason.get(season);
      if (!px || !idx) {
        outside++;
        continue;
      }
      const r = startOfSeason(idx.map((i) => stack.dates[i]!), idx.map((i) => stack.values[i]![px.row * stack.width + px.col]!), { fraction, minAmplitude });
      sos.push({ regionId: opts.regionAt(s.lon, s.lat)?.id ?? null, label: s.label, season, dayOfSeason: r.dayOfSeason });
    }
    windows = summariseWindows(sos);
    samples = { file: opts.samplesCsv.split('/').pop()!, n: sos.length, outsideScene: outside, withoutSeason: sos.filter((s) => s.dayOfSeason === null).length };
  }

  await mkdir(opts.outDir, { recursive: true });
  const cogName = `${scene.id}-sos-${opts.variable}.tif`;
  const cogPath = join(opts.outDir, cogName);
  const handle = await ctx.open(scene.assets[0]!.href);
  const geoKeys = handle.levels[0]!.image.getGeoKeys() as Record<string, unknown>;
  const tif = writeGeoTiff({
    width: stack.width,
    height: stack.height,
    bands: grids.map((g) => g.dayOfSeason),
    tileSize: 256,
    compression: 'deflate',
    predictor: true,
    geotransform: scene.grid.geotransform,
    geoKeys: geoKeys as never,
    nodata: SOS_NODATA,
    overviews: { levels: 'auto', resampling: 'nearest' },
    gdalMetadata: {
      items: { GRANARY_PRODUCT: 'start of season', SCENE: scene.id, VARIABLE: 'sos', SOURCE_VARIABLE: opts.variable, METHOD: SOS_METHOD, UNITS: 'days since 1 September of the season' },
      bands: grids.map((g) => ({ description: `${g.season}-09-01`, unitType: 'day' })),
    },
  });
  await writeFileAtomic(cogPath, tif);
  const product: PhenologyProduct = {
    scene: scene.id,
    sosScene: `${scene.id}-sos`,
    variable: opts.variable,
    method: SOS_METHOD,
    fraction,
    minAmplitude,
    cog: cogName,
    seasons: grids.map((g) => ({ season: g.season, dates: g.dates.length, counts: g.counts })),
    regions,
    samples,
    windows,
    regionSeries,
    createdAt: new Date().toISOString(),
  };
  const jsonPath = join(opts.outDir, `${scene.id}.json`);
  await writeFileAtomic(jsonPath, JSON.stringify(product, null, 1) + '\n');
  return { product, cogPath, jsonPath };
}
