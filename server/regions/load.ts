/**
 * Startup loader: reads fixtures/regions.config.json and the files it names (sync fs: runs once),
 * validates/repairs the region geometries and indexes the tables for the pure analytics.
 */
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { Feature, FeatureCollection, MultiPolygon, Polygon } from 'geojson';
import { checkPolygonGeometry, InvalidGeometryError } from '../analytics/geometry-validity.js';
import type { IndexedTables, PopulationIndex, PriceIndex, RegionRef } from '../analytics/tables.js';
import type { YieldGapSettings } from '../analytics/yield-gap.js';
import { parseRegionsConfig, RegionsConfigError, type RegionsConfig } from './config.js';
import { parseCsvRecords, tableFromRecords } from './csv-parse.js';
import type { DerivedCache } from '../util/derived-cache.js';
import { siblingModule } from '../sibling-module.js';
import { indexCropStatistics, indexPopulation, indexPrices, type TableJoinReport, type ZeroCounts } from './index-tables.js';

export type RegionFeature = Feature<Polygon | MultiPolygon, { id: string; name: string }> & { id: string };

export interface GeometryIssue {
  id: string;
  name: string;
  problem: string;
  action: 'promoted-to-polygon' | 'dropped' | 'kept-invalid';
  message: string;
}

export interface JoinReport {
  regions: number;
  tables: TableJoinReport[];
  /** crop code -> year -> rows whose zeros were read as unknown */
  zerosAsUnknown: ZeroCounts;
  invalidGeometries: GeometryIssue[];
}

export interface LoadedRegions {
  configPath: string;
  config: RegionsConfig;
  regions: RegionFeature[];
  /** id -> feature */
  byId: Map<string, RegionFeature>;
  tables: IndexedTables;
  yieldGap: YieldGapSettings;
  joinReport: JoinReport;
}

/** A feature's geometry check, when it found something (features without one are valid as given). */
type GeometryOutcome =
  | { i: number; notes: Array<Pick<GeometryIssue, 'problem' | 'action' | 'message'>>; polygons: Polygon['coordinates'][] }
  | { i: number; invalid: { problem: string; message: string } };

interface LoadOptions {
  /**
   * Where the geometry check's outcome and the parsed tables are kept between starts, keyed by the
   * files' bytes and the checking code (util/derived-cache.ts): the check is O(n^2) in vertices
   * (Turf `kinks`, ~1 s for the 141 municipalities) and its answer only changes with the file.
   */
  cache?: DerivedCache;
}

export function loadRegions(configPath: string, opts: LoadOptions = {}): LoadedRegions {
  const abs = resolve(configPath);
  const base = dirname(abs);
  const config = parseRegionsConfig(readJson(abs), abs);
  const at = (f: string) => resolve(base, f);

  // Regions
  const fc = readJson(at(config.regions.file)) as FeatureCollection;
  if (fc?.type !== 'FeatureCollection' || !Array.isArray(fc.features)) throw new RegionsConfigError(`${config.regions.file} is not a GeoJSON FeatureCollection`);
  const holeOutsideShell = config.regions.holeOutsideShell ?? 'promote';
  const checkAll = (): GeometryOutcome[] =>
    fc.features.flatMap((f, i): GeometryOutcome[] => {
      try {
        const checked = checkPolygonGeometry(f.geometry as Polygon | MultiPolygon, { featureIndex: i, holeOutsideShell });
        if (checked.notes.length === 0) return [];
        return [{ i, notes: checked.notes.map((n) => ({ problem: n.problem, action: n.action, message: n.message })), polygons: checked.polygons }];
      } catch (e) {
        if (!(e instanceof InvalidGeometryError)) throw e;
        return [{ i, invalid: { problem: e.problem, message: e.message } }];
      }
    });
  const outcomes = new Map(
    (opts.cache
      ? opts.cache.get('region-geometry', { files: [at(config.regions.file)], code: [siblingModule('../analytics/geometry-validity.ts', import.meta.url), siblingModule('./load.ts', import.meta.url)], options: { holeOutsideShell } }, checkAll)
      : checkAll()
    ).map((o) => [o.i, o]),
  );
  const issues: GeometryIssue[] = [];
  const regions: RegionFeature[] = fc.features.map((f, i) => {
    const props = (f.properties ?? {}) as Record<string, unknown>;
    const id = String(props[config.regions.idProperty] ?? f.id ?? '');
    const name = String(props[config.regions.nameProperty] ?? '');
    if (!id) throw new RegionsConfigError(`${config.regions.file}: feature ${i} has no ${config.regions.idProperty}`);
    let geometry = f.geometry as Polygon | MultiPolygon;
    const o = outcomes.get(i);
    if (o && 'invalid' in o) {
      // kept as is so the region still joins; zonal statistics on it will throw the same error
      issues.push({ id, name, problem: o.invalid.problem, action: 'kept-invalid', message: o.invalid.message });
    } else if (o) {
      for (const n of o.notes) issues.push({ id, name, ...n });
      geometry = o.polygons.length === 1 ? { type: 'Polygon', coordinates: o.polygons[0]! } : { type: 'MultiPolygon', coordinates: o.polygons };
    }
    return { type: 'Feature', id, geometry, properties: { id, name } };
  });
  const refs: RegionRef[] = regions.map((r) => r.properties);
  const byId = new Map(regions.map((r) => [r.id, r]));
  if (byId.size !== regions.length) throw new RegionsConfigError(`${config.regions.file}: duplicate region ids`);

  // Tables
  const reports: TableJoinReport[] = [];
  let population: PopulationIndex | null = null;
  let prices: PriceIndex | null = null;
  let crop: ReturnType<typeof indexCropStatistics> | null = null;
  for (const t of config.tables) {
    const parse = () => parseCsvRecords(readFileSync(at(t.file), 'utf8'));
    const records = opts.cache ? opts.cache.get(`table-${t.name.replace(/[^\w-]/g, '_')}`, { files: [at(t.file)], code: [siblingModule('./csv-parse.ts', import.meta.url)] }, parse) : parse();
    const { header, rows } = tableFromRecords(records);
    if (t.kind === 'population') {
      const r = indexPopulation(t, header, rows, refs);
      population = r.index;
      reports.push(r.report);
    } else if (t.kind === 'crop-statistics') {
      crop = indexCropStatistics(t, header, rows, refs);
      reports.push(crop.report);
    } else {
      const r = indexPrices(t, header, rows);
      prices = r.index;
      reports.push(r.report);
    }
  }
  if (!crop) throw new RegionsConfigError('no crop-statistics table'); // parseRegionsConfig already checks

  const yg = config.yieldGap;
  for (const [name, c] of Object.entries(yg.crops)) {
    if (!crop.index.crops.has(c.statistics)) throw new RegionsConfigError(`yieldGap.crops.${name}.statistics = ${c.statistics} is not a crop in the crop-statistics table (${[...crop.index.crops.keys()].join(', ')})`);
    if (prices && !prices.series.has(c.price)) throw new RegionsConfigError(`yieldGap.crops.${name}.price = ${c.price} is not a configured price series (${[...prices.series.keys()].join(', ')})`);
  }

  return {
    configPath: abs,
    config,
    regions,
    byId,
    tables: { cropStatistics: crop.index, population, prices },
    yieldGap: { percentile: yg.percentile, windowYears: yg.windowYears, system: yg.system, crops: yg.crops },
    joinReport: { regions: regions.length, tables: reports, zerosAsUnknown: crop.zerosAsUnknown, invalidGeometries: issues },
  };
}

function readJson(path: string): unknown {
  try {
    return JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    throw new RegionsConfigError(`cannot read JSON ${path}: ${(e as Error).message}`);
  }
}
