/** What a served vector layer is: its definition, one snapshot of its features, property types. */
import type { Geometry } from 'geojson';

export type PropType = 'string' | 'number' | 'integer' | 'boolean';
export type PropValue = string | number | boolean | null;

export interface ServedFeature {
  id: string;
  geometry: Geometry;
  bbox: [number, number, number, number];
  properties: Record<string, PropValue>;
  /** [start, end] ISO dates, for the datetime filter */
  interval?: [string, string];
}

export interface LayerSnapshot {
  title: string;
  description: string;
  features: ServedFeature[];
  byId: Map<string, ServedFeature>;
  properties: Record<string, { type: PropType; description: string }>;
  extent: { bbox: [number, number, number, number]; interval: [string, string] | null };
  /** layer parameters used (echoed in links), e.g. {crop: 'soy', year: '2021'} */
  params: Record<string, string>;
  /** download file name without extension */
  filename: string;
  /** CSV columns for tabular layers; null for geometry-only layers */
  csvColumns: string[] | null;
  geometryType: 'Polygon' | 'Point' | 'mixed';
}

export interface LayerDef {
  id: string;
  title: string;
  description: string;
  /** layer-specific query parameters -> description */
  params: Record<string, string>;
  tabular: boolean;
  available(): Promise<boolean>;
  snapshot(query: Record<string, string | undefined>): Promise<LayerSnapshot>;
}
