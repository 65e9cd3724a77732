/** A region's indicators of one crop and year, and the (crop, year) a query asks for with the defaults. */
import type { FastifyInstance } from 'fastify';
import type { RankedRow } from '../plugins/regions.js';

export function regionIndicators(app: FastifyInstance, r: RankedRow) {
  return {
    population: r.population,
    plantedAreaHa: r.plantedAreaHa,
    productionT: r.productionT,
    reportedYieldKgHa: app.regions.reportedYield(r.crop, r.regionId, r.year),
    actualYieldKgHa: r.actualYieldKgHa,
    attainableYieldKgHa: r.attainableYieldKgHa,
    yieldGapKgHa: r.yieldGapKgHa,
    yieldGapPct: r.yieldGapPct,
    productionGapT: r.productionGapT,
    productionPerCapitaKg: r.productionPerCapitaKg,
    priceUsdPerT: r.priceUsdPerT,
    productionGapValueUsd: r.productionGapValueUsd,
    priorityRank: r.priorityRank,
    priorityScore: r.priorityScore,
  };
}

/** Validated (crop, year) from query strings, with the service's defaults. */
export function cropYear(app: FastifyInstance, q: { crop?: string; year?: string | number }): { crop: string; year: number } {
  const crop = q.crop === undefined || q.crop === '' ? app.regions.defaultCrop : String(q.crop).trim().toLowerCase();
  app.regions.checkCrop(crop);
  return { crop, year: app.regions.parseYear(q.year, crop) };
}

