/**
 * Side by side with a swipe: a second MapLibre map laid over the main one, showing only the part
 * right of a divider, its camera following the main map's. The divider is a native range input
 * (arrow keys, Home/End, Page Up/Down; a drag of its handle with mouse or finger), so it is keyboard
 * operable and announced by screen readers without extra code.
 *
 * Hand-written rather than @maplibre/maplibre-gl-compare: that plugin's divider is a mouse/touch
 * drag only (no focusable element), it brings @mapbox/mapbox-gl-sync-move, and it lets both maps
 * take input, while here the main map keeps all interaction and the overlay only mirrors it.
 */
import { h } from '../dom';
import { NO_DATA_COLOR } from '../legend';
import type { RegionCollection } from '../types';
import { maplibregl, type GMap } from './map';

export interface SwipeSide {
  /** region id -> value written into feature-state `v` */
  values: ReadonlyMap<string, number | null>;
  /** the fill-color expression of the main map (the same classes on both sides) */
  fill: unknown;
  label: string;
}

export class SwipeMap {
  readonly el = h('div', { class: 'swipe', 'data-testid': 'swipe' });
  private readonly mapEl = h('div', { class: 'swipe-map', 'aria-hidden': 'true' });
  private readonly line = h('div', { class: 'swipe-line', 'aria-hidden': 'true' });
  private readonly leftLabel = h('span', { class: 'swipe-label swipe-label-left', 'data-testid': 'swipe-left' });
  private readonly rightLabel = h('span', { class: 'swipe-label swipe-label-right', 'data-testid': 'swipe-right' });
  readonly handle: HTMLInputElement;
  private readonly map: GMap;
  private ready: Promise<void>;
  private regionIds: string[] = [];
  private readonly sync = () => this.map.jumpTo({ center: this.main.getCenter(), zoom: this.main.getZoom(), bearing: this.main.getBearing(), pitch: this.main.getPitch() });
  private readonly resize = () => this.map.resize();

  constructor(
    private readonly main: GMap,
    regions: RegionCollection,
    position: number,
    /** the divider moved (0-100, % of the map's width from the left) */
    private readonly onMove: (position: number) => void,
  ) {
    this.handle = h('input', { type: 'range', class: 'swipe-handle', min: 0, max: 100, step: 1, value: String(position), 'data-control': 'swipe-divider' });
    this.handle.addEventListener('input', () => {
      this.place(Number(this.handle.value));
      this.onMove(Number(this.handle.value));
    });
    this.el.append(this.mapEl, this.line, this.leftLabel, this.rightLabel, this.handle);
    main.getContainer().parentElement!.append(this.el);
    this.map = new maplibregl.Map({
      container: this.mapEl,
      style: { version: 8, sources: {}, layers: [{ id: 'background', type: 'background', paint: { 'background-color': '#e9ecef' } }] },
      center: main.getCenter(),
      zoom: main.getZoom(),
      interactive: false,
      attributionControl: false,
      fadeDuration: 0,
    });
    this.ready = new Promise((resolve) =>
      this.map.once('load', () => {
        this.map.addSource('regions', { type: 'geojson', data: regions, promoteId: 'id' });
        // the main map's fill opacity, so equal classes look equal on both sides
        const opacity = main.getLayer('regions-fill') ? (main.getPaintProperty('regions-fill', 'fill-opacity') as number) : 0.7;
        this.map.addLayer({ id: 'regions-fill', type: 'fill', source: 'regions', paint: { 'fill-color': NO_DATA_COLOR, 'fill-opacity': opacity } });
        this.map.addLayer({ id: 'regions-line', type: 'line', source: 'regions', paint: { 'line-color': '#3a3a3a', 'line-width': 0.6, 'line-opacity': 0.8 } });
        resolve();
      }),
    );
    this.regionIds = regions.features.map((f) => String(f.properties.id));
    main.on('move', this.sync);
    main.on('resize', this.resize);
    this.place(position);
  }

  /** The divider at `position` % from the left: the overlay map shows what lies right of it. */
  place(position: number): void {
    const p = Math.max(0, Math.min(100, position));
    this.mapEl.style.clipPath = `inset(0 0 0 ${p}%)`;
    this.line.style.left = `${p}%`;
    if (Number(this.handle.value) !== p) this.handle.value = String(p);
  }

  /** Labels and colours of the two sides (left: the main map's own layers). */
  async set(left: string, right: SwipeSide, ariaLabel: string, ariaValueText: string): Promise<void> {
    this.leftLabel.textContent = left;
    this.rightLabel.textContent = right.label;
    this.handle.setAttribute('aria-label', ariaLabel);
    this.handle.setAttribute('aria-valuetext', ariaValueText);
    await this.ready;
    for (const id of this.regionIds) this.map.setFeatureState({ source: 'regions', id }, { v: right.values.get(id) ?? null });
    this.map.setPaintProperty('regions-fill', 'fill-color', right.fill as string);
    // data-state="idle" once this picture is drawn (the export and the browser checks wait for it)
    this.el.dataset.state = 'drawing';
    this.map.once('idle', () => (this.el.dataset.state = 'idle'));
    this.map.triggerRepaint();
  }

  /** Resolves when the overlay map has drawn what it was given. */
  idle(): Promise<void> {
    return this.ready.then(() => new Promise<void>((r) => (this.map.loaded() ? r() : this.map.once('idle', () => r()))));
  }

  destroy(): void {
    this.main.off('move', this.sync);
    this.main.off('resize', this.resize);
    this.map.remove();
    this.el.remove();
  }
}
