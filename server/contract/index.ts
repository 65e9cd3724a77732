/**
 * The HTTP contract's types, as the dashboard imports them (`import type`, so no runtime code
 * reaches the client bundle). The schemas themselves live in the sibling modules.
 */
export type { Problem, Bbox } from './common.js';
export type { SceneSummary, ScenesResponse, StacItem } from './catalog.js';
export type { TileJson } from './tiles.js';
export type { Colormap } from './colormaps.js';
export type { ModelClass, ModelSummary, ModelsResponse, ModelCardResponse, CropTileJson, PointResponse, SeriesPoint, RegionRef } from './crops.js';
export type { CropsResponse, YieldGapRow, YieldGapResponse, RegionsResponse, RegionSummary, RegionDetail, RegionIndicators, SourceInfo } from './regions.js';
export type { Feature, FeatureCollection } from './geojson.js';
export type { FieldReport, ReportBody, ReportCreated, AuditReport } from './reports.js';
export type { Alert, AlertsResponse } from './alerts.js';
export type { WeatherSeasonResponse, WeatherStationList, WeatherDailyResponse } from './weather.js';
export type { PhenologyProductList, PhenologyPointResponse, PhenologyFieldResponse, PhenologyRegionResponse } from './phenology.js';
export type { SuitabilityRow, SuitabilityRegion } from './suitability.js';
export type { OutlookResult } from './outlook.js';
export type { PolicyImpactResponse } from './policy-impact.js';
