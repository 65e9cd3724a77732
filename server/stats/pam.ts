/** Indicator panels from the loaded crop-statistics table (IBGE PAM): region -> year -> value (known values only). */
import type { RegionsService } from '../plugins/regions.js';

export const INDICATORS = { yield: 'yieldKgHa', area: 'plantedAreaHa', production: 'productionT' } as const;
export type Indicator = keyof typeof INDICATORS;
export const INDICATOR_UNITS: Record<Indicator, string> = { yield: 'kg/ha', area: 'ha planted', production: 't' };

export function pamPanel(regions: RegionsService, crop: string, indicator: Indicator = "yield"): Map<string, Map<number, number>> {
  regions.checkCrop(crop);
  const code = regions.data.yieldGap.crops[crop]!.statistics;
  const byRegion = regions.data.tables.cropStatistics.crops.get(code) ?? new Map();
  const out = new Map<string, Map<number, number>>();
  for (const r of regions.regions) {
    const years = byRegion.get(r.id);
    const m = new Map<number, number>();
    for (const [y, obs] of years ?? []) {
      const v = obs[INDICATORS[indicator]];
      if (v !== null && v > 0) m.set(y, v);
    }
    out.set(r.id, m);
  }
  return out;
}
