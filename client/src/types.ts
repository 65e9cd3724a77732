/** Shapes of the Granary HTTP API as the dashboard reads them (see shared/API.md). */
import type { Feature, FeatureCollection, MultiPolygon, Polygon } from 'geojson';

/**
 * The server's contract (server/contract/*.ts) is the source of these types: renaming a field there
 * breaks this build. Only the dashboard's own view models are declared here.
 */
import type { Bbox, ModelCardResponse, ModelSummary, PointResponse } from '../../server/contract/index';

export type { SceneSummary, StacItem, Colormap, TileJson, YieldGapRow, Problem, ModelClass } from '../../server/contract/index';
export type { PointResponse };

export type BBox = Bbox;

/** A continuous colormap's stop. */
export interface Stop {
  value: number;
  color: string;
}

/** A dated value of a pixel's time series (undated bands are left out of the views' curves). */
export interface SeriesPoint {
  date: string;
  value: number | null;
}

/** A model as the dashboard holds it: the list's summary, completed by the full card once fetched. */
export type ModelCard = ModelSummary & Partial<Omit<ModelCardResponse, keyof ModelSummary>>;

/** /api/point as the views use it: the top class and every probability, highest first. */
export interface PointInfo {
  lon: number;
  lat: number;
  scene: string | null;
  /** variable -> dated time series, oldest first */
  series: Record<string, SeriesPoint[]>;
  crop: { id: number | null; name: string; probability: number | null; probabilities: Array<{ name: string; probability: number }> } | null;
  region: PointResponse['region'];
}

export type RegionFeature = Feature<Polygon | MultiPolygon, { id: string; name: string; [k: string]: unknown }>;
export type RegionCollection = FeatureCollection<Polygon | MultiPolygon, { id: string; name: string; [k: string]: unknown }>;
