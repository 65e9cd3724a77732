/**
 * The dashboard's shared context: what was loaded from the server and the user's choices that more
 * than one part of the page reads. Changes are announced with named events.
 */
import type { GMap } from './map/map';
import type { Layers } from './map/layers';
import type { CropInfo } from './crops';
import type { Colormap, ModelCard, RegionCollection, RegionFeature, SceneSummary, StacItem } from './types';

export type View = 'policy' | 'farmer' | 'analyst';
export const VIEWS: readonly View[] = ['policy', 'farmer', 'analyst'];
/** a crop name of the server's configuration (GET /api/crops) */
export type Crop = string;

export interface Loaded<T> {
  value: T | null;
  error: unknown;
}

export interface Ctx {
  map: GMap;
  layers: Layers;
  scenes: SceneSummary[];
  scene: SceneSummary;
  item: StacItem;
  colormaps: Map<string, Colormap>;
  model: Loaded<ModelCard>;
  /** the server's models that can read this scene's variables, best first */
  models: ModelCard[];
  regions: Loaded<RegionCollection>;
  regionById: Map<string, RegionFeature>;
  view: View;
  crop: Crop;
  /** the server's crops, in its order */
  crops: CropInfo[];
  year: number;
  years: number[];
  bus: EventTarget;
}

type BusEvent = 'view' | 'crop-year' | 'regions' | 'model' | 'region-select' | 'fit-region' | 'choropleth' | 'field-drawn';

export function emit(ctx: Ctx, type: BusEvent, detail?: unknown): void {
  ctx.bus.dispatchEvent(new CustomEvent(type, { detail }));
}

export function on<T = unknown>(ctx: Ctx, type: BusEvent, f: (detail: T) => void): void {
  ctx.bus.addEventListener(type, (e) => f((e as CustomEvent<T>).detail));
}
