/** The parts of a layer snapshot every layer derives the same way from its features: the id index and the extent. */
import type { LayerSnapshot, ServedFeature } from './layer-types.js';

/** The features' bounding box ([-180, -90, 180, 90] when there is none). */
function extentOf(features: readonly ServedFeature[]): [number, number, number, number] {
  if (features.length === 0) return [-180, -90, 180, 90];
  const b: [number, number, number, number] = [Infinity, Infinity, -Infinity, -Infinity];
  for (const f of features) {
    b[0] = Math.min(b[0], f.bbox[0]);
    b[1] = Math.min(b[1], f.bbox[1]);
    b[2] = Math.max(b[2], f.bbox[2]);
    b[3] = Math.max(b[3], f.bbox[3]);
  }
  return b;
}

/** The first and last day over the features' own intervals (null when none has one). */
export function intervalOf(features: readonly ServedFeature[]): [string, string] | null {
  const days = features.flatMap((f) => f.interval ?? []).sort();
  return days.length ? [days[0]!, days[days.length - 1]!] : null;
}

/** A snapshot from its features: indexed by id, with their extent and the given interval. */
export function finishSnapshot(s: Omit<LayerSnapshot, 'byId' | 'extent'>, interval: [string, string] | null): LayerSnapshot {
  return { ...s, byId: new Map(s.features.map((f) => [f.id, f])), extent: { bbox: extentOf(s.features), interval } };
}
