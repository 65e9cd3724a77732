/**
 * The map's sources and layers, in a fixed stacking order: the municipal choropleth at the bottom,
 * then imagery, crop map and confidence rasters, then boundary lines, the selection and the scene
 * footprint on top.
 */
import type { Geometry } from 'geojson';
import type { RegionCollection, TileJson } from '../types';
import type { LayerSpecification, RasterLayerSpecification, RasterSourceSpecification, SourceSpecification } from 'maplibre-gl';
import type { GMap } from './map';
import { NO_DATA_COLOR } from '../legend';
import { param, setParams } from '../permalink';

export type RasterId = 'imagery' | 'crops' | 'confidence';
export type LayerId = RasterId | 'regions';

const ORDER = ['regions-fill', 'imagery', 'crops', 'confidence', 'regions-line', 'regions-hover', 'regions-selected', 'footprint-line'] as const;

function beforeIdOf(map: GMap, id: (typeof ORDER)[number]): string | undefined {
  const i = ORDER.indexOf(id);
  return ORDER.slice(i + 1).find((l) => map.getLayer(l));
}

const DEFAULT_OPACITY: Record<LayerId, number> = { imagery: 1, crops: 0.85, confidence: 0.85, regions: 0.7 };

/** Which layers are on at start: the defaults, or exactly those of a permalink's layers=a,b,c. */
function initialVisibility(): Record<LayerId, boolean> {
  const visible: Record<LayerId, boolean> = { imagery: true, crops: true, confidence: false, regions: true };
  const wanted = param('layers');
  if (wanted !== null) {
    const on = new Set(wanted.split(','));
    for (const id of Object.keys(visible) as LayerId[]) visible[id] = on.has(id);
  }
  return visible;
}

function rasterSource(tj: TileJson): RasterSourceSpecification {
  return {
    type: 'raster',
    tiles: tj.tiles,
    tileSize: 256,
    ...(tj.bounds ? { bounds: tj.bounds } : {}),
    ...(tj.minzoom !== undefined ? { minzoom: tj.minzoom } : {}),
    ...(tj.maxzoom !== undefined ? { maxzoom: tj.maxzoom } : {}),
  };
}

function rasterLayer(id: RasterId, visible: boolean, opacity: number): RasterLayerSpecification {
  return { id, type: 'raster', source: id, layout: { visibility: visible ? 'visible' : 'none' }, paint: { 'raster-opacity': opacity, 'raster-resampling': 'nearest', 'raster-fade-duration': 0 } };
}

const footprintData = (geometry: Geometry) => ({ type: 'Feature' as const, properties: {}, geometry });
const FOOTPRINT_LAYER: LayerSpecification = { id: 'footprint-line', type: 'line', source: 'footprint', paint: { 'line-color': '#111111', 'line-width': 1.5, 'line-dasharray': [3, 2] } };

/** What the first map shows: the scene's imagery (its TileJSON, null when it could not be had) and footprint. */
export interface FirstMap {
  imagery: TileJson | null;
  footprint: Geometry;
}

/**
 * The first map's sources and layers, for the style the map is made with: MapLibre then asks for the
 * imagery tiles in its first frame, not a frame later as for a source added once the style has
 * loaded (a raster source waits one animation frame before its tiles are asked for). A frame is
 * 60-100 ms in a software-rendered browser.
 */
export function firstMapStyle(first: FirstMap): { sources: Record<string, SourceSpecification>; layers: LayerSpecification[] } {
  const sources: Record<string, SourceSpecification> = { footprint: { type: 'geojson', data: footprintData(first.footprint) } };
  const layers: LayerSpecification[] = [];
  if (first.imagery) {
    sources.imagery = rasterSource(first.imagery);
    layers.push(rasterLayer('imagery', initialVisibility().imagery, DEFAULT_OPACITY.imagery));
  }
  layers.push(FOOTPRINT_LAYER);
  return { sources, layers };
}

export class Layers {
  private regionIds: string[] = [];
  private selected: string | null = null;
  private hovered: string | null = null;
  private readonly opacity: Record<LayerId, number> = { ...DEFAULT_OPACITY };
  private readonly visible = initialVisibility();
  /** the tiles' address of each raster layer on the map */
  private readonly tiles = new Map<RasterId, string>();

  /** `first`: what the map was made with (firstMapStyle). */
  constructor(readonly map: GMap, first?: FirstMap) {
    if (first?.imagery) this.tiles.set('imagery', first.imagery.tiles.join('\n'));
  }

  /** Adds or replaces a raster layer from a TileJSON document (the same tiles again: nothing to do). */
  setRaster(id: RasterId, tj: TileJson): void {
    const map = this.map;
    const key = tj.tiles.join('\n');
    const src = map.getSource(id) as { setTiles?: (t: string[]) => void } | undefined;
    if (src && this.tiles.get(id) === key) return;
    this.tiles.set(id, key);
    if (src && src.setTiles) {
      src.setTiles(tj.tiles);
      return;
    }
    map.addSource(id, rasterSource(tj));
    map.addLayer(rasterLayer(id, this.visible[id], this.opacity[id]), beforeIdOf(map, id));
  }

  removeRaster(id: RasterId): void {
    if (this.map.getLayer(id)) this.map.removeLayer(id);
    if (this.map.getSource(id)) this.map.removeSource(id);
  }

  hasLayer(id: LayerId): boolean {
    return Boolean(this.map.getLayer(id === 'regions' ? 'regions-fill' : id));
  }

  setRegions(fc: RegionCollection): void {
    const map = this.map;
    this.regionIds = fc.features.map((f) => String(f.properties.id));
    if (map.getSource('regions')) {
      (map.getSource('regions') as unknown as { setData(d: unknown): void }).setData(fc);
      return;
    }
    map.addSource('regions', { type: 'geojson', data: fc, promoteId: 'id' });
    map.addLayer(
      {
        id: 'regions-fill',
        type: 'fill',
        source: 'regions',
        layout: { visibility: this.visible.regions ? 'visible' : 'none' },
        paint: { 'fill-color': NO_DATA_COLOR, 'fill-opacity': this.opacity.regions },
      },
      beforeIdOf(map, 'regions-fill'),
    );
    map.addLayer({ id: 'regions-line', type: 'line', source: 'regions', paint: { 'line-color': '#3a3a3a', 'line-width': 0.6, 'line-opacity': 0.8 } }, beforeIdOf(map, 'regions-line'));
    map.addLayer(
      { id: 'regions-hover', type: 'line', source: 'regions', paint: { 'line-color': '#000000', 'line-width': ['case', ['boolean', ['feature-state', 'hover'], false], 2, 0] } },
      beforeIdOf(map, 'regions-hover'),
    );
    map.addLayer(
      {
        id: 'regions-selected',
        type: 'line',
        source: 'regions',
        paint: { 'line-color': '#000000', 'line-width': ['case', ['boolean', ['feature-state', 'selected'], false], 3, 0] },
      },
      beforeIdOf(map, 'regions-selected'),
    );
    map.addLayer(
      { id: 'regions-selected-casing', type: 'line', source: 'regions', paint: { 'line-color': '#ffffff', 'line-width': ['case', ['boolean', ['feature-state', 'selected'], false], 7, 0] } },
      'regions-selected',
    );
  }

  /** Writes each region's indicator value into feature-state `v` and repaints the fill. */
  setChoropleth(values: ReadonlyMap<string, number | null>, fillColor: unknown): void {
    if (!this.map.getSource('regions')) return;
    for (const id of this.regionIds) this.map.setFeatureState({ source: 'regions', id }, { v: values.get(id) ?? null });
    this.map.setPaintProperty('regions-fill', 'fill-color', fillColor as string);
  }

  selectRegion(id: string | null): void {
    if (!this.map.getSource('regions')) return;
    if (this.selected) this.map.setFeatureState({ source: 'regions', id: this.selected }, { selected: false });
    this.selected = id;
    if (id) this.map.setFeatureState({ source: 'regions', id }, { selected: true });
  }

  hoverRegion(id: string | null): void {
    if (!this.map.getSource('regions') || id === this.hovered) return;
    if (this.hovered) this.map.setFeatureState({ source: 'regions', id: this.hovered }, { hover: false });
    this.hovered = id;
    if (id) this.map.setFeatureState({ source: 'regions', id }, { hover: true });
  }

  setVisible(id: LayerId, on: boolean): void {
    this.visible[id] = on;
    setParams({ layers: (Object.keys(this.visible) as LayerId[]).filter((l) => this.visible[l]).join(',') });
    const ids = id === 'regions' ? ['regions-fill'] : [id];
    for (const l of ids) if (this.map.getLayer(l)) this.map.setLayoutProperty(l, 'visibility', on ? 'visible' : 'none');
  }

  isVisible(id: LayerId): boolean {
    return this.visible[id];
  }

  setOpacity(id: LayerId, v: number): void {
    this.opacity[id] = v;
    if (id === 'regions') {
      if (this.map.getLayer('regions-fill')) this.map.setPaintProperty('regions-fill', 'fill-opacity', v);
    } else if (this.map.getLayer(id)) this.map.setPaintProperty(id, 'raster-opacity', v);
  }

  getOpacity(id: LayerId): number {
    return this.opacity[id];
  }
}
