/**
 * The MapLibre map with a self-contained style: no remote basemap, glyphs or sprites, so it works
 * on a closed network. Context comes from the municipal boundaries and the scene footprint.
 */
import * as maplibregl from 'maplibre-gl';
import 'maplibre-gl/dist/maplibre-gl.css';
// Vite does not emit MapLibre's worker by itself: emit it as an asset and point MapLibre at it.
import workerUrl from 'maplibre-gl/dist/maplibre-gl-worker.mjs?url';
import type { Geometry } from 'geojson';
import type { BBox } from '../types';

maplibregl.setWorkerUrl(workerUrl);
// start MapLibre's workers (fetching and compiling their 0.5 MB script) now, while the page asks the
// server for its catalog, rather than when the map is created after it
maplibregl.prewarm();

export type GMap = maplibregl.Map;
export { maplibregl };

/** The map and its controls, its style made of a background and `first` (layers.ts firstMapStyle). */
export function createMap(
  container: HTMLElement,
  bbox: BBox,
  attribution: string | undefined,
  first: { sources: Record<string, maplibregl.SourceSpecification>; layers: maplibregl.LayerSpecification[] },
  position?: { zoom: number; center: [number, number] } | null,
): GMap {
  const map = new maplibregl.Map({
    container,
    style: {
      version: 8,
      sources: first.sources,
      layers: [{ id: 'background', type: 'background', paint: { 'background-color': '#e9ecef' } }, ...first.layers],
    },
    ...(position ? { center: position.center, zoom: position.zoom } : { bounds: [bbox[0], bbox[1], bbox[2], bbox[3]] as [number, number, number, number], fitBoundsOptions: { padding: 48 } }),
    attributionControl: false,
    maxZoom: 16,
    dragRotate: false,
    pitchWithRotate: false,
    touchPitch: false,
    keyboard: true,
    // labels appear at once (no 300 ms collision fade), so a picture of the map does not depend on timing
    fadeDuration: 0,
    // raster tiles through <img> elements, decoded where they are drawn, rather than fetch + Blob +
    // createImageBitmap, whose hops queue behind each frame in a software-rendered browser (there the
    // first map's four tiles took 0.4-0.9 s from their last byte to the screen). MapLibre then does
    // not re-ask for a tile on screen when its hour of Cache-Control runs out (a tile's address names
    // the scene, date and rendering, which do not change under it)
    refreshExpiredTiles: false,
  });
  map.touchZoomRotate.disableRotation();
  map.addControl(new maplibregl.NavigationControl({ showCompass: false }), 'top-right');
  map.addControl(new maplibregl.ScaleControl({ unit: 'metric' }), 'bottom-left');
  map.addControl(new maplibregl.AttributionControl({ compact: true, customAttribution: attribution ? [attribution] : [] }), 'bottom-right');
  map.getCanvas().setAttribute('aria-label', container.getAttribute('aria-label') ?? 'map');
  // the compact attribution starts open; on a phone it would cover the map
  map.once('load', () => {
    if (container.clientWidth < 640) container.querySelector('.maplibregl-ctrl-attrib')?.classList.remove('maplibregl-compact-show');
  });
  return map;
}

/**
 * Resolves once the style is loaded, so sources and layers may be added: MapLibre's `style.load`
 * (the next animation frame after the map is created), not `load`, which waits for the first frame
 * drawn, so what is added now is in that first frame rather than in later ones.
 */
export function styleReady(map: GMap): Promise<void> {
  return map.isStyleLoaded() ? Promise.resolve() : new Promise((r) => map.once('style.load', () => r()));
}

/** Bounding box of a GeoJSON geometry's coordinates. */
export function geometryBBox(geom: Geometry): BBox {
  const b: BBox = [Infinity, Infinity, -Infinity, -Infinity];
  const walk = (c: unknown): void => {
    if (Array.isArray(c) && typeof c[0] === 'number') {
      const [x, y] = c as number[];
      b[0] = Math.min(b[0], x!);
      b[1] = Math.min(b[1], y!);
      b[2] = Math.max(b[2], x!);
      b[3] = Math.max(b[3], y!);
    } else if (Array.isArray(c)) c.forEach(walk);
  };
  if (geom.type === 'GeometryCollection') geom.geometries.forEach((g) => walk('coordinates' in g ? g.coordinates : []));
  else walk(geom.coordinates);
  return b;
}

export const inBBox = (b: BBox, lon: number, lat: number): boolean => lon >= b[0] && lon <= b[2] && lat >= b[1] && lat <= b[3];
