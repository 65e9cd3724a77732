/**
 * Drawing a field on the map: each click (or "add the point at the map's centre", for the keyboard)
 * adds a corner; finish with three or more, undo the last, or cancel. The shape is drawn from a
 * GeoJSON source of its own, above every other layer.
 *
 * Hand-written rather than a draw plugin: @mapbox/mapbox-gl-draw targets Mapbox GL (its CSS class
 * names and map typings differ from MapLibre 5+/6), and terra-draw / maplibre-geoman bring far more
 * than a polygon of a few corners needs; this is about 100 lines with no dependency.
 */
import type { Feature, Polygon, Position } from 'geojson';
import type { GMap } from './map';

const SRC = 'draw-field';
const LAYERS = ['draw-field-fill', 'draw-field-line', 'draw-field-points'] as const;

export class FieldDrawer {
  private points: Position[] = [];
  private active = false;
  private finished: Feature<Polygon> | null = null;
  private readonly onClick = (e: { lngLat: { lng: number; lat: number } }) => this.add([e.lngLat.lng, e.lngLat.lat]);

  constructor(
    private readonly map: GMap,
    /** the drawing changed (a corner more or less, finished, cancelled) */
    private readonly onChange: () => void,
  ) {}

  get drawing(): boolean {
    return this.active;
  }

  get corners(): number {
    return this.points.length;
  }

  /** the finished field (a closed ring, WGS84), or null */
  get field(): Feature<Polygon> | null {
    return this.finished;
  }

  start(): void {
    this.points = [];
    this.finished = null;
    this.active = true;
    this.map.on('click', this.onClick);
    this.map.getCanvas().style.cursor = 'crosshair';
    this.redraw();
  }

  add(p: Position): void {
    if (!this.active) return;
    this.points.push([Number(p[0]!.toFixed(6)), Number(p[1]!.toFixed(6))]);
    this.redraw();
  }

  /** For the keyboard: a corner at the centre of the map (pan with the arrow keys first). */
  addCentre(): void {
    const c = this.map.getCenter();
    this.add([c.lng, c.lat]);
  }

  undo(): void {
    this.points.pop();
    this.redraw();
  }

  /** Closes the ring; false when there are fewer than three corners. */
  finish(): boolean {
    if (this.points.length < 3) return false;
    this.finished = { type: 'Feature', properties: {}, geometry: { type: 'Polygon', coordinates: [[...this.points, this.points[0]!]] } };
    this.stop();
    this.redraw();
    return true;
  }

  cancel(): void {
    this.points = [];
    this.finished = null;
    this.stop();
    this.redraw();
  }

  /** Shows a field drawn earlier (a permalink's) without drawing. */
  show(field: Feature<Polygon>): void {
    this.finished = field;
    this.points = field.geometry.coordinates[0]!.slice(0, -1);
    this.redraw();
  }

  private stop(): void {
    this.active = false;
    this.map.off('click', this.onClick);
    this.map.getCanvas().style.cursor = '';
  }

  private redraw(): void {
    const map = this.map;
    const pts = this.points;
    const ring = pts.length >= 3 ? [...pts, pts[0]!] : pts;
    const features: Feature[] = pts.map((p) => ({ type: 'Feature', properties: {}, geometry: { type: 'Point', coordinates: p } }));
    if (pts.length >= 3) features.push({ type: 'Feature', properties: {}, geometry: { type: 'Polygon', coordinates: [ring] } });
    else if (pts.length === 2) features.push({ type: 'Feature', properties: {}, geometry: { type: 'LineString', coordinates: ring } });
    const data = { type: 'FeatureCollection' as const, features };
    const src = map.getSource(SRC) as unknown as { setData(d: unknown): void } | undefined;
    if (src) src.setData(data);
    else if (map.isStyleLoaded()) {
      map.addSource(SRC, { type: 'geojson', data });
      map.addLayer({ id: LAYERS[0], type: 'fill', source: SRC, filter: ['==', ['geometry-type'], 'Polygon'], paint: { 'fill-color': '#ffffff', 'fill-opacity': 0.25 } });
      map.addLayer({ id: LAYERS[1], type: 'line', source: SRC, filter: ['!=', ['geometry-type'], 'Point'], paint: { 'line-color': '#000000', 'line-width': 2.5, 'line-dasharray': this.active ? [2, 1] : [1, 0] } });
      map.addLayer({ id: LAYERS[2], type: 'circle', source: SRC, filter: ['==', ['geometry-type'], 'Point'], paint: { 'circle-radius': 5, 'circle-color': '#ffffff', 'circle-stroke-color': '#000000', 'circle-stroke-width': 2 } });
    }
    if (map.getLayer(LAYERS[1])) map.setPaintProperty(LAYERS[1], 'line-dasharray', this.active ? [2, 1] : [1, 0]);
    this.onChange();
  }
}
