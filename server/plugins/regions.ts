/**
 * Regions service: loads the regions configuration once at start (sync: a few CSVs and 141 polygons),
 * decorates `app.regions` with the loaded data, the join report, the default year and memoised
 * yield-gap rows (with the intervention-priority rank), and `app.cropMaps` (crop-map discovery and
 * per-region class areas). Loading errors are configuration errors: the app does not start.
 */
import fp from 'fastify-plugin';
import { LRUCache } from 'lru-cache';
import type { FastifyInstance } from 'fastify';
import { join } from 'node:path';
import { bbox as turfBbox, area as turfArea } from '@turf/turf';
import { loadRegions, type JoinReport, type LoadedRegions, type RegionFeature } from '../regions/load.js';
import { computeYieldGap, yieldGapDomain, UnknownCropError, YearOutOfRangeError, type YieldGapRow } from '../analytics/yield-gap.js';
import { rankInterventionPriority } from '../analytics/priority.js';
import { rowMessage } from '../contract/row-messages.js';
import { GranaryError, notFound } from '../errors.js';
import { CropMapStore } from '../regions/crop-maps.js';
import { removeLeftoversIn } from '../cropmap/output-set.js';
import { DerivedCache } from '../util/derived-cache.js';
import { LOCKFILE } from '../config.js';

declare module 'fastify' {
  interface FastifyInstance {
    regions: RegionsService;
    cropMaps: CropMapStore;
  }
}

/** A yield-gap row plus its place in the intervention-priority ranking (null when not ranked). */
export interface RankedRow extends YieldGapRow {
  priorityRank: number | null;
  /** production gap value per inhabitant, USD/person */
  priorityScore: number | null;
}

interface SourceInfo {
  name: string;
  kind: string;
  file: string;
  source: string;
  licence: string;
  note?: string;
}

type Bbox = [number, number, number, number];

const NO_LICENCE = 'not stated in the regions configuration';

/** A configured crop as the API describes it (GET /api/crops). */
interface CropInfo {
  crop: string;
  /** the crop's name per language tag, from the configuration (empty: show the crop name) */
  labels: Record<string, string>;
  /** crop-map classes that contain the crop */
  mapClasses: string[];
  /** first and last year with crop statistics */
  years: [number, number];
}

export const DEFAULT_YEAR_RULE = 'latest year for which every configured crop has crop statistics, the population table has an estimate and the price series has all 12 months';

export class RegionsService {
  readonly crops: string[];
  readonly domain: Array<{ crop: string; years: [number, number] }>;
  readonly defaultYear: number;
  readonly defaultCrop: string;
  readonly sources: SourceInfo[];
  readonly cropInfos: CropInfo[];
  private readonly bboxes = new Map<string, Bbox>();
  private readonly areas = new Map<string, number>();
  /** every (crop, year) is computed at start-up; the LRU bounds it if a configuration spans many years */
  private readonly memo = new LRUCache<string, RankedRow[]>({ max: 400 });

  constructor(readonly data: LoadedRegions) {
    this.domain = yieldGapDomain(data.tables, data.yieldGap);
    this.crops = this.domain.map((d) => d.crop);
    const preferred = data.config.yieldGap.defaultCrop;
    this.defaultCrop = preferred && this.crops.includes(preferred) ? preferred : (this.crops[0] ?? '');
    this.cropInfos = this.domain.map(({ crop, years }) => {
      const c = data.config.yieldGap.crops[crop]!;
      return { crop, labels: { ...(c.labels ?? {}) }, mapClasses: [...(c.mapClasses ?? [])], years };
    });
    this.defaultYear = this.computeDefaultYear();
    for (const r of data.regions) {
      this.bboxes.set(r.id, turfBbox(r) as Bbox);
      this.areas.set(r.id, turfArea(r) / 1e4);
    }
    const cfg = data.config;
    this.sources = [
      { name: 'regions', kind: 'boundaries', file: cfg.regions.file, source: cfg.regions.source ?? cfg.regions.file, licence: cfg.regions.licence ?? NO_LICENCE },
      ...cfg.tables.map((t) => ({
        name: t.name,
        kind: t.kind,
        file: t.file,
        source: t.source ?? t.file,
        licence: t.licence ?? NO_LICENCE,
        ...(t.kind === 'prices' && t.note ? { note: t.note } : {}),
      })),
    ];
  }

  /** A configured crop's labels, crop-map classes and years (undefined: not a crop of this configuration). */
  cropInfo(crop: string): CropInfo | undefined {
    return this.cropInfos.find((c) => c.crop === crop);
  }

  get regions(): RegionFeature[] {
    return this.data.regions;
  }

  get joinReport(): JoinReport {
    return this.data.joinReport;
  }

  get(id: string): RegionFeature {
    const r = this.data.byId.get(id);
    if (!r) {
      throw notFound(`unknown region "${id.slice(0, 80)}": region ids are IBGE 7-digit municipality codes; list them with GET /api/regions (field regionId) or GET /collections/regions/items`, {
        howToFind: ['/api/regions', '/collections/regions/items'],
      });
    }
    return r;
  }

  bboxOf(id: string): Bbox {
    return this.bboxes.get(id)!;
  }

  /** area of the region on the sphere (Turf), hectares */
  areaHaOf(id: string): number {
    return this.areas.get(id)!;
  }

  yearRange(crop: string): [number, number] {
    const d = this.domain.find((x) => x.crop === crop);
    if (!d) throw this.unknownCrop(crop);
    return d.years;
  }

  /** Throws a 400 naming the valid crops. */
  checkCrop(crop: string): void {
    if (!this.crops.includes(crop)) throw this.unknownCrop(crop);
  }

  private unknownCrop(crop: string): GranaryError {
    return new GranaryError('bad-request', `unknown crop "${crop.slice(0, 40)}"; valid crops: ${this.crops.join(', ')}`, { validCrops: this.crops });
  }

  /** Parses a year query value; throws a 400 naming the valid range for the crop. */
  parseYear(raw: string | number | undefined, crop: string): number {
    const range = this.yearRange(crop);
    if (raw === undefined || raw === '') return this.defaultYear;
    const s = String(raw).trim();
    if (!/^\d{4}$/.test(s)) throw new GranaryError('bad-request', `year "${s.slice(0, 20)}" is not a 4-digit year; valid years for ${crop}: ${range[0]}-${range[1]}`, { validRange: range });
    const y = Number(s);
    if (y < range[0] || y > range[1]) throw new GranaryError('bad-request', `year ${y} is outside the ${crop} data: valid years are ${range[0]}-${range[1]}`, { validRange: range });
    return y;
  }

  /** Every region's row for (crop, year), ranked; memoised (the rows are shared: do not mutate). */
  rows(crop: string, year: number): RankedRow[] {
    const key = `${crop}|${year}`;
    const hit = this.memo.get(key);
    if (hit) return hit;
    let rows: YieldGapRow[];
    try {
      rows = computeYieldGap(this.data.tables, this.data.regions.map((r) => r.properties), this.data.yieldGap, { crop, year });
    } catch (e) {
      if (e instanceof UnknownCropError) throw new GranaryError('bad-request', e.message, { validCrops: e.validCrops });
      if (e instanceof YearOutOfRangeError) throw new GranaryError('bad-request', e.message, { validRange: e.validRange });
      throw e;
    }
    const ranking = rankInterventionPriority(rows);
    const rank = new Map(ranking.ranking.map((e) => [e.regionId, e]));
    const excluded = new Map(ranking.excluded.map((e) => [e.regionId, e.reason]));
    const ranked = rows.map((r): RankedRow => {
      const e = rank.get(r.regionId);
      const why = excluded.get(r.regionId);
      if (!why) return { ...r, priorityRank: e?.rank ?? null, priorityScore: e?.scoreUsdPerCapita ?? null };
      const { text, ...code } = rowMessage(why === 'population unknown' ? 'not-ranked-no-population' : 'not-ranked-no-value');
      return { ...r, flags: [...r.flags, text], flagCodes: [...r.flagCodes, code], priorityRank: null, priorityScore: null };
    });
    this.memo.set(key, ranked);
    return ranked;
  }

  /** The crop table's own yield for the year (not the window mean), kg/ha; null when unknown. */
  reportedYield(crop: string, regionId: string, year: number): number | null {
    const code = this.data.yieldGap.crops[crop]?.statistics;
    if (!code) return null;
    return this.data.tables.cropStatistics.crops.get(code)?.get(regionId)?.get(year)?.yieldKgHa ?? null;
  }

  /** Region ids whose bbox overlaps any of `boxes` (callers refine with an exact test if needed). */
  bboxCandidates(boxes: ReadonlyArray<Bbox>): string[] {
    return this.data.regions.filter((r) => boxes.some((b) => overlaps(this.bboxes.get(r.id)!, b))).map((r) => r.id);
  }

  private computeDefaultYear(): number {
    const t = this.data.tables;
    const latest = this.domain.map(({ crop, years }) => {
      const series = this.data.yieldGap.crops[crop]!.price;
      for (let y = years[1]; y >= years[0]; y--) {
        const popOk = t.population ? y >= t.population.yearRange[0] && y <= t.population.yearRange[1] : true;
        const s = t.prices?.series.get(series);
        let months = 0;
        for (let m = 1; m <= 12; m++) if (s?.has(`${y}-${String(m).padStart(2, '0')}`)) months++;
        const priceOk = t.prices ? months === 12 : true;
        if (popOk && priceOk) return y;
      }
      return years[1];
    });
    return latest.length > 0 ? Math.min(...latest) : new Date().getUTCFullYear();
  }
}

function overlaps(a: Bbox, b: Bbox): boolean {
  return a[0] <= b[2] && a[2] >= b[0] && a[1] <= b[3] && a[3] >= b[1];
}

async function regionsPlugin(app: FastifyInstance, opts: { defer?: boolean }) {
  const cache = new DerivedCache(join(app.config.dataDir, 'cache', 'derived'), LOCKFILE);
  let service: RegionsService | null = null;
  const load = (): RegionsService => {
    if (service) return service;
    const loaded = loadRegions(app.config.regionsConfig, { cache });
    service = new RegionsService(loaded);
    // Every (crop, year)'s rows (~8 ms each, ~0.4 s in all) are computed after the server listens, one
    // per step of the warm-up (plugins/warmup.ts), so neither the start nor a request waits for all of
    // them; a request that comes first computes (and memoises) only its own.
    const s = service;
    for (const { crop, years } of s.domain) for (let y = years[0]; y <= years[1]; y++) app.warmup.add(`yield-gap rows ${crop} ${y}`, () => s.rows(crop, y));
    const report = loaded.joinReport;
    app.log.info(
      { regions: report.regions, derivedCache: { hits: cache.hits, misses: cache.misses }, invalidGeometries: report.invalidGeometries.length, tables: report.tables.map((t) => ({ table: t.table, unmatched: t.unmatchedTableKeys.length, without: t.regionsWithoutRows.length })) },
      'regions loaded',
    );
    return s;
  };
  if (opts.defer) {
    // The server process (server.ts) listens before the regions are loaded (~60 ms of CSV and
    // polygons, README, performance: start-up): the first step of the warm-up loads them, or the
    // first request that needs them does, whichever comes first. A configuration that does not load
    // still stops the process, right after it started to listen.
    app.decorate('regions', { getter: load });
    app.warmup.add('regions', () => {
      try {
        load();
      } catch (e) {
        app.log.fatal({ err: (e as Error).message }, 'the regions configuration does not load: stopping');
        void app.close().finally(() => process.exit(1));
      }
    }, { first: true });
  } else {
    app.decorate('regions', load());
  }
  app.decorate('cropMaps', new CropMapStore(join(app.config.dataDir, 'cropmaps'), app.pool, app.catalog, app.policy));
  // what crop-map writers killed mid-publication left (unpublished set directories): gone at start
  const removed = await removeLeftoversIn(app.cropMaps.dir).catch((e: Error) => {
    app.log.warn({ err: e.message }, 'crop-map leftovers not removed');
    return [] as string[];
  });
  if (removed.length > 0) app.log.info({ removed }, 'removed crop-map sets left by killed writers');
}

export default fp(regionsPlugin, { name: 'granary-regions' });
