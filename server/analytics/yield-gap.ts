/**
 * Regional yield gap and the indicators built on it (pure; tables come from server/regions).
 *
 * - Ya (actual yield): mean of the region's known (non-zero) yields over the window of `windowYears`
 *   years ending with the requested year (GYGA: 10 years for rainfed systems, 5 for irrigated).
 * - attainable yield: the `percentile`-th percentile (linear interpolation) across regions of their
 *   window-mean yields; regions with no known yield in the window are left out. A statistical
 *   stand-in for Yw (no crop-model potentials are available).
 * - gap = max(0, attainable - Ya); production gap = gap x planted area of the year; its value =
 *   production gap x the year's mean monthly world price; per-capita production = production / population.
 */
import { PERCENTILE_METHOD, percentileLinear } from './percentile.js';
import { rowMessage, type RowMessage } from '../contract/row-messages.js';
import type { CropObservation, IndexedTables, RegionRef } from './tables.js';

export interface YieldGapSettings {
  percentile: number;
  windowYears: number;
  system: 'rainfed' | 'irrigated';
  /** Granary crop name -> code in the crop-statistics table and price series name */
  crops: Readonly<Record<string, { statistics: string; price: string }>>;
}

export class UnknownCropError extends Error {
  override readonly name = 'UnknownCropError';
  constructor(
    readonly crop: string,
    readonly validCrops: string[],
  ) {
    super(`unknown crop ${JSON.stringify(crop)}; valid crops: ${validCrops.join(', ')}`);
  }
}

export class YearOutOfRangeError extends Error {
  override readonly name = 'YearOutOfRangeError';
  constructor(
    readonly year: number,
    readonly crop: string,
    readonly validRange: [number, number],
  ) {
    super(`year ${year} is outside the ${crop} data: valid years are ${validRange[0]}-${validRange[1]}`);
  }
}

export interface YieldGapInputs {
  /** first and last year of the averaging window (clipped to the data) */
  window: [number, number];
  actualYield: { yearsUsed: number[]; valuesKgHa: number[]; yearsWithoutData: number[] };
  attainableYield: {
    percentile: number;
    interpolation: string;
    nMunicipalities: number;
    /** of those, how many had a known yield in every window year */
    nWithFullWindow: number;
  };
  /** year of planted area / production (the requested year) */
  statisticsYear: number;
  price: { series: string; year: number; monthsUsed: number; monthlyValues: number[]; unit: string } | null;
  population: { yearUsed: number; value: number } | null;
}

export interface YieldGapRow {
  regionId: string;
  name: string;
  crop: string;
  year: number;
  actualYieldKgHa: number | null;
  attainableYieldKgHa: number | null;
  yieldGapKgHa: number | null;
  yieldGapPct: number | null;
  plantedAreaHa: number | null;
  productionT: number | null;
  productionGapT: number | null;
  population: number | null;
  productionPerCapitaKg: number | null;
  priceUsdPerT: number | null;
  productionGapValueUsd: number | null;
  inputs: YieldGapInputs;
  /** caveats in English (the texts of flagCodes) */
  flags: string[];
  /** the same caveats as codes and parameters (server/contract/row-messages.ts), for other languages */
  flagCodes: RowMessage[];
  method: string;
  methodCode: RowMessage;
}

interface YieldGapQuery {
  crop: string;
  year: number;
  /** restrict the rows (the attainable yield still uses every region) */
  regionIds?: ReadonlyArray<string>;
}

/** Valid crops and years, for API documentation and error messages. */
export function yieldGapDomain(tables: IndexedTables, settings: YieldGapSettings): Array<{ crop: string; years: [number, number] }> {
  return Object.entries(settings.crops).flatMap(([crop, c]) => {
    const r = tables.cropStatistics.yearRange.get(c.statistics);
    return r ? [{ crop, years: r }] : [];
  });
}

export function computeYieldGap(tables: IndexedTables, regions: ReadonlyArray<RegionRef>, settings: YieldGapSettings, query: YieldGapQuery): YieldGapRow[] {
  const cropCfg = settings.crops[query.crop];
  const validCrops = Object.keys(settings.crops);
  if (!cropCfg) throw new UnknownCropError(query.crop, validCrops);
  const stats = tables.cropStatistics.crops.get(cropCfg.statistics);
  const range = tables.cropStatistics.yearRange.get(cropCfg.statistics);
  if (!stats || !range) throw new UnknownCropError(query.crop, validCrops.filter((c) => tables.cropStatistics.crops.has(settings.crops[c]!.statistics)));
  if (!Number.isInteger(query.year) || query.year < range[0] || query.year > range[1]) throw new YearOutOfRangeError(query.year, query.crop, range);

  const N = settings.windowYears;
  const from = Math.max(range[0], query.year - N + 1);
  const to = query.year;
  const windowYears: number[] = [];
  for (let y = from; y <= to; y++) windowYears.push(y);
  const truncated = windowYears.length < N;

  // window means for every region (the attainable yield's population)
  const windowMean = new Map<string, { mean: number; years: number[]; values: number[] }>();
  for (const r of regions) {
    const byYear = stats.get(r.id);
    const years: number[] = [];
    const values: number[] = [];
    for (const y of windowYears) {
      const v = byYear?.get(y)?.yieldKgHa;
      if (v !== null && v !== undefined) {
        years.push(y);
        values.push(v);
      }
    }
    if (values.length > 0) windowMean.set(r.id, { mean: values.reduce((s, v) => s + v, 0) / values.length, years, values });
  }
  const means = [...windowMean.values()].map((m) => m.mean);
  const attainable = means.length > 0 ? percentileLinear(means, settings.percentile) : null;
  const nFull = [...windowMean.values()].filter((m) => m.years.length === windowYears.length).length;

  const price = annualPrice(tables, cropCfg.price, query.year);
  const methodMsg = rowMessage('yield-gap-method', {
    from: String(from), to: String(to), n: N, system: settings.system, percentile: settings.percentile, municipalities: means.length,
    year: String(query.year), series: cropCfg.price, unit: tables.prices?.unit ?? 'USD/t',
  });
  const { text: method, ...methodCode } = methodMsg;

  const wanted = query.regionIds ? new Set(query.regionIds) : null;
  return regions
    .filter((r) => !wanted || wanted.has(r.id))
    .map((r): YieldGapRow => {
      const flags: string[] = [];
      const flagCodes: RowMessage[] = [];
      const flag = (...a: Parameters<typeof rowMessage>) => {
        const { text, ...m } = rowMessage(...a);
        flags.push(text);
        flagCodes.push(m);
      };
      const wm = windowMean.get(r.id);
      const yearsWithoutData = windowYears.filter((y) => !wm?.years.includes(y));
      const zeroYears = windowYears.filter((y) => stats.get(r.id)?.get(y)?.zeroAsUnknown);
      if (zeroYears.length > 0) flag('zero-yield-unknown', { years: zeroYears.join(', ') });
      if (truncated) flag('window-truncated', { used: windowYears.length, of: N });
      if (!wm) flag('no-yield-data', { from: String(from), to: String(to) });
      else if (wm.years.length < N) flag('yield-years', { used: wm.years.length, of: N });

      const obs: CropObservation | undefined = stats.get(r.id)?.get(query.year);
      if (!obs) flag('no-statistics-row', { table: cropCfg.statistics, year: String(query.year) });
      else if (obs.plantedAreaHa === null || obs.productionT === null) flag('area-production-unknown', { year: String(query.year) });
      const area = obs?.plantedAreaHa ?? null;
      const prod = obs?.productionT ?? null;

      const Ya = wm ? wm.mean : null;
      const gap = Ya !== null && attainable !== null ? Math.max(0, attainable - Ya) : null;
      const gapPct = gap !== null && attainable !== null && attainable > 0 ? (gap / attainable) * 100 : null;
      const prodGap = gap !== null && area !== null ? (gap * area) / 1000 : null;

      const pop = population(tables, r.id, query.year);
      if (!pop) flag('population-unknown');
      else if (pop.yearUsed !== query.year) flag('population-other-year', { yearUsed: String(pop.yearUsed), from: String(tables.population!.yearRange[0]), to: String(tables.population!.yearRange[1]) });
      if (!price) flag('no-price', { series: cropCfg.price, year: String(query.year) });
      else if (price.monthsUsed < 12) flag('price-months', { months: price.monthsUsed });

      return {
        regionId: r.id,
        name: r.name,
        crop: query.crop,
        year: query.year,
        actualYieldKgHa: Ya,
        attainableYieldKgHa: attainable,
        yieldGapKgHa: gap,
        yieldGapPct: gapPct,
        plantedAreaHa: area,
        productionT: prod,
        productionGapT: prodGap,
        population: pop?.value ?? null,
        productionPerCapitaKg: prod !== null && pop && pop.value > 0 ? (prod * 1000) / pop.value : null,
        priceUsdPerT: price?.mean ?? null,
        productionGapValueUsd: prodGap !== null && price ? prodGap * price.mean : null,
        inputs: {
          window: [from, to],
          actualYield: { yearsUsed: wm?.years ?? [], valuesKgHa: wm?.values ?? [], yearsWithoutData },
          attainableYield: { percentile: settings.percentile, interpolation: PERCENTILE_METHOD, nMunicipalities: means.length, nWithFullWindow: nFull },
          statisticsYear: query.year,
          price: price ? { series: cropCfg.price, year: query.year, monthsUsed: price.monthsUsed, monthlyValues: price.values, unit: tables.prices?.unit ?? 'USD/t' } : null,
          population: pop,
        },
        flags,
        flagCodes,
        method,
        methodCode,
      };
    });
}

function annualPrice(tables: IndexedTables, series: string, year: number): { mean: number; monthsUsed: number; values: number[] } | null {
  const s = tables.prices?.series.get(series);
  if (!s) return null;
  const values: number[] = [];
  for (let m = 1; m <= 12; m++) {
    const v = s.get(`${year}-${String(m).padStart(2, '0')}`);
    if (v !== undefined) values.push(v);
  }
  if (values.length === 0) return null;
  return { mean: values.reduce((a, b) => a + b, 0) / values.length, monthsUsed: values.length, values };
}

/** Population of the year, or of the nearest year the table covers. */
function population(tables: IndexedTables, regionId: string, year: number): { yearUsed: number; value: number } | null {
  const byYear = tables.population?.byRegion.get(regionId);
  if (!byYear || byYear.size === 0) return null;
  const exact = byYear.get(year);
  if (exact !== undefined) return { yearUsed: year, value: exact };
  let best: number | null = null;
  for (const y of byYear.keys()) {
    // nearest year; on a tie the later one (the more recent estimate)
    if (best === null || Math.abs(y - year) < Math.abs(best - year) || (Math.abs(y - year) === Math.abs(best - year) && y > best)) best = y;
  }
  return { yearUsed: best!, value: byYear.get(best!)! };
}
