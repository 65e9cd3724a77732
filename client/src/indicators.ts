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
  | 'reportedYieldKgHa';

export interface Indicator {
  key: IndicatorKey;
  digits: number;
  /** can colour the map (varies across regions) */
  mappable: boolean;
  /** the colormap that reads best for it (all colour-blind safe) */
  colormap: string;
}

export const INDICATORS: Indicator[] = [
  { key: 'yieldGapPct', digits: 1, mappable: true, colormap: 'viridis' },
  { key: 'priorityScore', digits: 1, mappable: true, colormap: 'viridis' },
  { key: 'priorityRank', digits: 0, mappable: false, colormap: 'viridis' },
  { key: 'productionGapValueUsd', digits: 0, mappable: true, colormap: 'viridis' },
  { key: 'productionGapT', digits: 0, mappable: true, colormap: 'viridis' },
  { key: 'yieldGapKgHa', digits: 0, mappable: true, colormap: 'viridis' },
  { key: 'productionPerCapitaKg', digits: 0, mappable: true, colormap: 'cividis' },
  { key: 'actualYieldKgHa', digits: 0, mappable: true, colormap: 'cividis' },
  { key: 'reportedYieldKgHa', digits: 0, mappable: true, colormap: 'cividis' },
  { key: 'productionT', digits: 0, mappable: true, colormap: 'cividis' },
  { key: 'plantedAreaHa', digits: 0, mappable: true, colormap: 'cividis' },
  { key: 'attainableYieldKgHa', digits: 0, mappable: false, colormap: 'cividis' },
  { key: 'population', digits: 0, mappable: true, colormap: 'cividis' },
  { key: 'priceUsdPerT', digits: 0, mappable: false, colormap: 'cividis' },
  { key: 'mappedAreaHa', digits: 0, mappable: true, colormap: 'cividis' },
];

export const indicator = (key: string): Indicator => INDICATORS.find((i) => i.key === key) ?? INDICATORS[0]!;

export const indicatorLabel = (key: IndicatorKey): string => tDyn(`ind_${key}`);

export function valueOf(row: YieldGapRow | undefined, key: IndicatorKey): number | null {
  const v = row?.[key];
  return typeof v === 'number' && Number.isFinite(v) ? v : null;
}

export const fmtIndicator = (key: IndicatorKey, v: number | null): string => fmtNum(v, indicator(key).digits);
