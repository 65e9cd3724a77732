/** Shapes of the Granary HTTP API as the dashboard reads them (see shared/API.md). */
import type { Feature, FeatureCollection, MultiPolygon, Polygon } from 'geojson';

export type BBox = [number, number, number, number];

export interface SceneSummary {
  id: string;
  title: string;
  bbox: BBox;
  crs: string;
  variables: string[];
  dates: string[];
  /** 'test': kept for tests and tiler demos (catalog property granary:purpose), not for the dashboard's users */
  purpose?: 'data' | 'test';
}

export interface DisplayHint {
  rescale: [number, number];
  colormap: string;
}

/** A STAC Item (only what the dashboard uses). */
export interface StacItem {
  id: string;
  bbox: BBox;
  geometry: Polygon | MultiPolygon;
  properties: {
    title?: string;
    'granary:display'?: Record<string, DisplayHint>;
    'granary:attribution'?: string;
  };
}

export interface Stop {
  value: number;
  color: string;
}

export type Colormap =
  | { name: string; kind: 'continuous'; title: string; description?: string; colorblindSafe: boolean; stops: Stop[] }
  | { name: string; kind: 'categorical'; title: string; description?: string; colorblindSafe: boolean; classes: Array<{ value: number; name: string; color: string }> };

export interface TileJson {
  tilejson: string;
  tiles: string[];
  bounds?: BBox;
  minzoom?: number;
  maxzoom?: number;
  attribution?: string;
}

export interface ModelClass {
  id: number | string;
  name: string;
  color: string;
}

export interface ModelCard {
  id: string;
  title?: string;
  description?: string;
  classes: ModelClass[];
  /** the list's summary names the variables at the top level, the card under inputs */
  variables?: string[];
  inputs?: { variables?: string[]; steps?: number; [k: string]: unknown };
  metrics?: { overallAccuracy?: number; macroF1?: number; validation?: string; [k: string]: unknown };
  [k: string]: unknown;
}

export interface SeriesPoint {
  date: string;
  value: number | null;
}

/** /api/point, normalised (see api.ts normalisePoint). */
export interface PointInfo {
  lon: number;
  lat: number;
  scene: string | null;
  /** variable -> time series */
  series: Record<string, SeriesPoint[]>;
  crop: { id: number | string | null; name: string; probability: number | null; probabilities: Array<{ name: string; probability: number }> } | null;
  region: { id: string; name: string } | null;
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
  mappedAreaHa?: number | null;
  inputs?: unknown;
  flags?: string[];
  method?: string;
  [k: string]: unknown;
}

export type RegionFeature = Feature<Polygon | MultiPolygon, { id: string; name: string; [k: string]: unknown }>;
export type RegionCollection = FeatureCollection<Polygon | MultiPolygon, { id: string; name: string; [k: string]: unknown }>;

export interface Problem {
  type?: string;
  title?: string;
  status?: number;
  detail?: string;
}
