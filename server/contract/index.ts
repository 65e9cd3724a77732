/**
 * The HTTP contract's types, as the dashboard imports them (`import type`, so no runtime code
 * reaches the client bundle). The schemas themselves live in the sibling modules.
 */
export type { Problem, Bbox } from './common.js';
export type { SceneSummary, ScenesResponse, StacItem } from './catalog.js';
export type { TileJson } from './tiles.js';
export type { Colormap } from './colormaps.js';
export type { ModelClass, ModelSummary, ModelsResponse, ModelCardResponse, PointResponse } from './crops.js';
export type { CropsResponse, YieldGapRow, YieldGapResponse, RegionDetail, SourceInfo } from './regions.js';
export type { AlertsResponse } from './alerts.js';
export type { WeatherSeasonResponse } from './weather.js';
export type { PhenologyPointResponse, PhenologyFieldResponse } from './phenology.js';
export type { SuitabilityRegion } from './suitability.js';
export type { OutlookResult } from './outlook.js';
export type { PolicyImpactResponse } from './policy-impact.js';
export type { NormalsResponse } from './normals.js';
