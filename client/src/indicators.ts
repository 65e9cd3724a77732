/** The regional indicators of /api/yield-gap: how to name, format and rank them. */
import { fmtNum, tDyn } from './i18n';
import type { YieldGapRow } from './types';

export type IndicatorKey =
  | 'yieldGapPct'
  | 'yieldGapKgHa'
  | 'productionGapT'
  | 'productionGapValueUsd'
  | 'productionPerCapitaKg'
  | 'actualYieldKgHa'
  | 'attainableYieldKgHa'
  | 'productionT'
  | 'plantedAreaHa'
  | 'population'
  | 'priceUsdPerT'
  | 'mappedAreaHa'
  | 'priorityScore'
  | 'priorityRank'
  | 'reportedYieldKgHa'
  | 'yieldVsNormalPct'
  | 'productionVsNormalPct';

interface Indicator {
  key: IndicatorKey;
  digits: number;
  /** can colour the map (varies across regions) */
  mappable: boolean;
  /** the colormap that reads best for it (all colour-blind safe; the brown-teal one diverges around 0) */
  colormap: string;
  /**
   * Fixed class breaks, the same for every year and crop, so two maps compare by eye (class i holds
   * values < breaks[i]; the last class the rest). Chosen from the spread of the 2000-2024 data.
   */
  breaks: number[];
  /** from /api/normals, not a column of /api/yield-gap (shown in the region panel's comparison with normal) */
  derived?: boolean;
}

export const INDICATORS: Indicator[] = [
  { key: 'yieldGapPct', digits: 1, mappable: true, colormap: 'viridis', breaks: [5, 10, 20, 30, 45] },
  { key: 'yieldVsNormalPct', digits: 1, mappable: true, colormap: 'ndvi', breaks: [-30, -15, -5, 5, 15, 30], derived: true },
  { key: 'productionVsNormalPct', digits: 1, mappable: true, colormap: 'ndvi', breaks: [-30, -15, -5, 5, 15, 30], derived: true },
  { key: 'priorityScore', digits: 1, mappable: true, colormap: 'viridis', breaks: [10, 50, 150, 500, 1500] },
  { key: 'priorityRank', digits: 0, mappable: false, colormap: 'viridis', breaks: [] },
  { key: 'productionGapValueUsd', digits: 0, mappable: true, colormap: 'viridis', breaks: [1e5, 1e6, 5e6, 1e7, 2e7] },
  { key: 'productionGapT', digits: 0, mappable: true, colormap: 'viridis', breaks: [1000, 5000, 20000, 50000, 100000] },
  { key: 'yieldGapKgHa', digits: 0, mappable: true, colormap: 'viridis', breaks: [100, 300, 600, 1000, 2000] },
  { key: 'productionPerCapitaKg', digits: 0, mappable: true, colormap: 'cividis', breaks: [100, 1000, 5000, 20000, 50000] },
  { key: 'actualYieldKgHa', digits: 0, mappable: true, colormap: 'cividis', breaks: [2500, 3000, 3500, 4500, 5500] },
  { key: 'reportedYieldKgHa', digits: 0, mappable: true, colormap: 'cividis', breaks: [2500, 3000, 3500, 4500, 5500] },
  { key: 'productionT', digits: 0, mappable: true, colormap: 'cividis', breaks: [10000, 50000, 200000, 500000, 1000000] },
  { key: 'plantedAreaHa', digits: 0, mappable: true, colormap: 'cividis', breaks: [5000, 20000, 50000, 100000, 200000] },
  { key: 'attainableYieldKgHa', digits: 0, mappable: false, colormap: 'cividis', breaks: [] },
  { key: 'population', digits: 0, mappable: true, colormap: 'cividis', breaks: [5000, 10000, 20000, 50000, 100000] },
  { key: 'priceUsdPerT', digits: 0, mappable: false, colormap: 'cividis', breaks: [] },
  { key: 'mappedAreaHa', digits: 0, mappable: true, colormap: 'cividis', breaks: [1000, 5000, 10000, 20000, 50000] },
];

export const indicator = (key: string): Indicator => INDICATORS.find((i) => i.key === key) ?? INDICATORS[0]!;

export const indicatorLabel = (key: IndicatorKey): string => tDyn(`ind_${key}`);

export function valueOf(row: YieldGapRow | undefined, key: IndicatorKey): number | null {
  // not every indicator is a yield-gap row field (reportedYieldKgHa is one of /api/regions' indicators)
  const v = row ? (row as unknown as Partial<Record<IndicatorKey, unknown>>)[key] : undefined;
  return typeof v === 'number' && Number.isFinite(v) ? v : null;
}

export const fmtIndicator = (key: IndicatorKey, v: number | null): string => fmtNum(v, indicator(key).digits);
