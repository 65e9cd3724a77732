/**
 * Yield-gap rows as the API serves them: the memoised ranked rows of the regions service plus the
 * crop map's area of the crop (with its 95 % interval) where a crop map covers the region.
 */
import type { FastifyInstance } from 'fastify';
import type { RankedRow } from '../plugins/regions.js';
import { cropAreaEstimate, type CropAreaEstimate } from './crop-area.js';
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

const NO_CROP_MAP_FLAG = 'no crop map covers the region: mappedAreaHa is null';

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
    let best: (Covering & { share: number; index: number }) | null = null;
    const failures: string[] = [];
    maps.forEach((entry, i) => {
      const outcome = perMap[i]!.get(row.regionId);
      if (!outcome) return;
      if (outcome.kind === 'failed') {
        failures.push(`crop map ${entry.sceneId}/${entry.modelId}: ${outcome.reason}`);
        return;
      }
      const a = outcome.areas;
      if (!(a.coveredAreaHa > 0)) return;
      const share = a.polygonAreaHa > 0 ? a.coveredAreaHa / a.polygonAreaHa : 0;
      if (!best || share > best.share) best = { entry, outcome, share, index: i };
    });
    flags.push(...failures);
    const chosen = best as (Covering & { share: number; index: number }) | null;
    if (!chosen || chosen.outcome.kind !== 'areas') {
      if (failures.length === 0) flags.push(NO_CROP_MAP_FLAG);
      return { ...row, flags, mappedAreaHa: null, mappedAreaCi95Ha: null, cropMap: null };
    }
    const a = chosen.outcome.areas;
    const { entry } = chosen;
    const est = cropAreaEstimate(crop, app.regions.cropInfo(crop)?.mapClasses, a.areaHaByClass, a.otherAreaHa, entry.sidecar);
    if (est.kind === 'none') {
      flags.push(`crop map ${entry.sceneId}/${entry.modelId}: ${est.reason}`);
      return { ...row, flags, mappedAreaHa: null, mappedAreaCi95Ha: null, cropMap: null };
    }
    const e = est.estimate;
    const scene = scenes[chosen.index];
    const season: [string, string] | null = scene && scene.dates.length > 0 ? [scene.dates[0]!, scene.dates[scene.dates.length - 1]!] : null;
    if (chosen.share < 0.995) flags.push(`crop map ${entry.sceneId}/${entry.modelId} covers ${(chosen.share * 100).toFixed(1)} % of the region: mappedAreaHa is for the covered part only`);
    if (season && Number(season[1].slice(0, 4)) !== year) flags.push(`crop map season ${season[0]}..${season[1]} is not the season harvested in ${year}`);
    if (!season) flags.push(`scene ${entry.sceneId} of the crop map is not in the catalog: its season is unknown`);
    flags.push(...e.notes);
    return {
      ...row,
      flags,
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
