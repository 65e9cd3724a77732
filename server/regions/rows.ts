/**
 * Yield-gap rows as the API serves them: the memoised ranked rows of the regions service plus the
 * crop map's area of the crop (with its 95 % interval) where a crop map covers the region.
 */
import type { FastifyInstance } from 'fastify';
import type { RankedRow } from '../plugins/regions.js';
import { cropAreaEstimate, NO_CLASSIFIED_PIXEL, type CropAreaEstimate } from './crop-area.js';
import { rowMessage, type RowMessage } from '../contract/row-messages.js';
import type { CropMapEntry, RegionAreaOutcome } from './crop-maps.js';

export interface CropMapInfo extends Pick<CropAreaEstimate, 'classes' | 'pixelCountAreaHa' | 'adjustedAreaHa' | 'seHa' | 'ci95Ha' | 'userAccuracy' | 'producerAccuracy' | 'method'> {
  sceneId: string;
  modelId: string;
  /** first and last date of the scene the map was made from, when the scene is in the catalog */
  season: [string, string] | null;
  /** share of the region's area the crop map covers (0..1) */
  regionCoveredShare: number;
  coveredAreaHa: number;
  nodataAreaHa: number;
}

export interface ApiRow extends RankedRow {
  /** the crop table's own yield of the year (not the window mean) */
  reportedYieldKgHa: number | null;
  mappedAreaHa: number | null;
  mappedAreaCi95Ha: [number, number] | null;
  cropMap: CropMapInfo | null;
}

/** Column order of the row (the contract's fields first); used by JSON and CSV. */
export const ROW_FIELDS = [
  'regionId',
  'name',
  'crop',
  'year',
  'reportedYieldKgHa',
  'actualYieldKgHa',
  'attainableYieldKgHa',
  'yieldGapKgHa',
  'yieldGapPct',
  'plantedAreaHa',
  'productionT',
  'productionGapT',
  'population',
  'productionPerCapitaKg',
  'priceUsdPerT',
  'productionGapValueUsd',
  'mappedAreaHa',
  'mappedAreaCi95Ha',
  'priorityRank',
  'priorityScore',
] as const;

interface Covering {
  entry: CropMapEntry;
  outcome: RegionAreaOutcome;
}

/** Rows for `regionIds` (all when undefined), in region order, with the crop-map fields. */
export async function apiRows(app: FastifyInstance, crop: string, year: number, regionIds?: ReadonlyArray<string>): Promise<ApiRow[]> {
  const all = app.regions.rows(crop, year);
  const wanted = regionIds ? new Set(regionIds) : null;
  const rows = wanted ? all.filter((r) => wanted.has(r.regionId)) : all;
  const maps = await app.cropMaps.list();
  const regions = rows.map((r) => app.regions.get(r.regionId));
  const perMap = await Promise.all(maps.map((m) => app.cropMaps.regionAreas(m, regions, (id) => app.regions.bboxOf(id))));
  const scenes = await Promise.all(maps.map((m) => app.cropMaps.scene(m)));
  return rows.map((ranked): ApiRow => {
    const row = { ...ranked, reportedYieldKgHa: app.regions.reportedYield(crop, ranked.regionId, year) };
    const flags = [...row.flags];
    const flagCodes: RowMessage[] = [...row.flagCodes];
    const flag = (...a: Parameters<typeof rowMessage>) => {
      const { text, ...m } = rowMessage(...a);
      flags.push(text);
      flagCodes.push(m);
    };
    let best: (Covering & { share: number; index: number }) | null = null;
    let failed = false;
    maps.forEach((entry, i) => {
      const outcome = perMap[i]!.get(row.regionId);
      if (!outcome) return;
      if (outcome.kind === 'failed') {
        flag('crop-map-failed', { map: `${entry.sceneId}/${entry.modelId}`, reason: outcome.reason });
        failed = true;
        return;
      }
      const a = outcome.areas;
      if (!(a.coveredAreaHa > 0)) return;
      const share = a.polygonAreaHa > 0 ? a.coveredAreaHa / a.polygonAreaHa : 0;
      if (!best || share > best.share) best = { entry, outcome, share, index: i };
    });
    const chosen = best as (Covering & { share: number; index: number }) | null;
    if (!chosen || chosen.outcome.kind !== 'areas') {
      if (!failed) flag('no-crop-map');
      return { ...row, flags, flagCodes, mappedAreaHa: null, mappedAreaCi95Ha: null, cropMap: null };
    }
    const a = chosen.outcome.areas;
    const { entry } = chosen;
    const map = `${entry.sceneId}/${entry.modelId}`;
    const est = cropAreaEstimate(crop, app.regions.cropInfo(crop)?.mapClasses, a.areaHaByClass, a.otherAreaHa, entry.sidecar);
    if (est.kind === 'none') {
      flag(est.reason === NO_CLASSIFIED_PIXEL ? 'crop-map-empty' : 'crop-map-failed', { map, reason: est.reason });
      return { ...row, flags, flagCodes, mappedAreaHa: null, mappedAreaCi95Ha: null, cropMap: null };
    }
    const e = est.estimate;
    const scene = scenes[chosen.index];
    const season: [string, string] | null = scene && scene.dates.length > 0 ? [scene.dates[0]!, scene.dates[scene.dates.length - 1]!] : null;
    if (chosen.share < 0.995) flag('crop-map-partial', { map, pct: Number((chosen.share * 100).toFixed(1)) });
    if (season && Number(season[1].slice(0, 4)) !== year) flag('crop-map-season', { from: season[0], to: season[1], year: String(year) });
    if (!season) flag('crop-map-scene-unknown', { scene: entry.sceneId });
    flags.push(...e.notes);
    flagCodes.push(...e.noteCodes);
    return {
      ...row,
      flags,
      flagCodes,
      mappedAreaHa: e.adjustedAreaHa,
      mappedAreaCi95Ha: e.ci95Ha,
      cropMap: {
        sceneId: entry.sceneId,
        modelId: entry.modelId,
        season,
        regionCoveredShare: chosen.share,
        coveredAreaHa: a.coveredAreaHa,
        nodataAreaHa: a.nodataAreaHa,
        classes: e.classes,
        pixelCountAreaHa: e.pixelCountAreaHa,
        adjustedAreaHa: e.adjustedAreaHa,
        seHa: e.seHa,
        ci95Ha: e.ci95Ha,
        userAccuracy: e.userAccuracy,
        producerAccuracy: e.producerAccuracy,
        method: `${e.method}; zonal: ${a.method}`,
      },
    };
  });
}

/** One flat record per row for CSV (nested values flattened, flags joined with "; "). */
export function flatRow(r: ApiRow): Record<string, string | number | null> {
  return {
    regionId: r.regionId,
    name: r.name,
    crop: r.crop,
    year: r.year,
    reportedYieldKgHa: r.reportedYieldKgHa,
    actualYieldKgHa: r.actualYieldKgHa,
    attainableYieldKgHa: r.attainableYieldKgHa,
    yieldGapKgHa: r.yieldGapKgHa,
    yieldGapPct: r.yieldGapPct,
    plantedAreaHa: r.plantedAreaHa,
    productionT: r.productionT,
    productionGapT: r.productionGapT,
    population: r.population,
    productionPerCapitaKg: r.productionPerCapitaKg,
    priceUsdPerT: r.priceUsdPerT,
    productionGapValueUsd: r.productionGapValueUsd,
    mappedAreaHa: r.mappedAreaHa,
    mappedAreaCi95LowHa: r.mappedAreaCi95Ha?.[0] ?? null,
    mappedAreaCi95HighHa: r.mappedAreaCi95Ha?.[1] ?? null,
    cropMapSceneId: r.cropMap?.sceneId ?? null,
    cropMapModelId: r.cropMap?.modelId ?? null,
    cropMapRegionCoveredShare: r.cropMap?.regionCoveredShare ?? null,
    priorityRank: r.priorityRank,
    priorityScore: r.priorityScore,
    windowStart: r.inputs.window[0],
    windowEnd: r.inputs.window[1],
    attainablePercentile: r.inputs.attainableYield.percentile,
    populationYear: r.inputs.population?.yearUsed ?? null,
    flags: r.flags.join('; '),
  };
}

export const FLAT_ROW_COLUMNS = Object.keys(
  flatRow({
    inputs: { window: [0, 0], attainableYield: { percentile: 0 }, population: null },
    flags: [],
    mappedAreaCi95Ha: null,
    cropMap: null,
  } as unknown as ApiRow),
);
