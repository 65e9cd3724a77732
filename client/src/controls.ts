/**
 * The layer panel: imagery (band/index or RGB, colour scale, date slider), crop map, confidence and
 * the municipal choropleth, each with a toggle, an opacity slider and its legend.
 */
import { api, getJson } from './api';
import { h, nextId } from './dom';
import { classLegend, rampLegend } from './legend';
import { colormapName, fmtDate, fmtNum, fmtPct, t, type TKey } from './i18n';
import type { LayerId } from './map/layers';
import { describeError, notice } from './notice';
import { on, type Ctx } from './state';
import { modelTitle, selectModel } from './models';
import type { Colormap, SceneSummary, StacItem, TileJson } from './types';

const RGB = '__rgb__';

interface ImageryChoice {
  variable: string;
  colormap: string;
  dateIndex: number;
}

export class LayerPanel {
  readonly el: HTMLElement;
  private imagery: ImageryChoice;
  private readonly status = new Map<LayerId, HTMLElement>();
  private readonly legends = new Map<LayerId, HTMLElement>();
  private readonly messages = new Map<LayerId, { message: string; level: 'info' | 'warn' | 'error' }>();
  private readonly disabled = new Set<LayerId>();
  private dateTimer: number | undefined;
  private choropleth: (() => HTMLElement | null) | null = null;
  private requestSeq = 0;

  constructor(private readonly ctx: Ctx) {
    this.imagery = initialImagery(ctx.scene, ctx.item);
    this.el = h('div', { class: 'layer-panel' });
    on(ctx, 'model', () => this.render());
    on(ctx, 'regions', () => this.render());
    on<() => HTMLElement | null>(ctx, 'choropleth', (f) => {
      this.choropleth = f;
      this.renderLegends();
    });
    this.render();
  }

  /** The imagery date currently shown (ISO), if the scene has dates. */
  get date(): string | undefined {
    return this.ctx.scene.dates[this.imagery.dateIndex];
  }

  render(): void {
    this.el.replaceChildren(this.imageryBlock(), this.cropBlock(), this.confidenceBlock(), this.regionsBlock());
    this.renderLegends();
  }

  /** Shows a problem with a layer (e.g. failing tiles) under its toggle. */
  setStatus(id: LayerId, message: string | null, level: 'info' | 'warn' | 'error' = 'warn'): void {
    if (message) this.messages.set(id, { message, level });
    else this.messages.delete(id);
    const el = this.status.get(id);
    if (el) el.replaceChildren(...(message ? [notice(message, level)] : []));
  }

  // ---------- imagery ----------

  /** Shows the imagery of the current choice; `asked`: its TileJSON, already asked for (the first map's, main.ts). */
  async applyImagery(asked?: Promise<TileJson>): Promise<void> {
    const { ctx } = this;
    const seq = ++this.requestSeq;
    try {
      const tj = await (asked ?? imageryTileJson(ctx.scene, ctx.item, this.imagery));
      if (seq !== this.requestSeq) return;
      ctx.layers.setRaster('imagery', tj);
      this.setStatus('imagery', null);
    } catch (e) {
      this.setStatus('imagery', describeError(e, 'wTiles'), 'error');
    }
    this.renderLegends();
  }

  private imageryBlock(): HTMLElement {
    const { ctx } = this;
    const vars = ctx.scene.variables;
    const rgbPossible = ['red', 'green', 'blue'].every((v) => vars.includes(v));
    const varId = nextId('var');
    const cmId = nextId('cm');
    const dateId = nextId('date');
    const continuous = [...ctx.colormaps.values()].filter((c) => c.kind === 'continuous');
    const isRgb = this.imagery.variable === RGB;
    const varSelect = h(
      'select',
      { id: varId, onchange: (e) => {
        this.imagery.variable = (e.target as HTMLSelectElement).value;
        const hint = ctx.item.properties['granary:display']?.[this.imagery.variable];
        if (hint && ctx.colormaps.has(hint.colormap)) this.imagery.colormap = hint.colormap;
        this.render();
        void this.applyImagery();
      } },
      ...(rgbPossible ? [h('option', { value: RGB, selected: isRgb }, t('rgb'))] : []),
      ...vars.map((v) => h('option', { value: v, selected: v === this.imagery.variable }, v.toUpperCase())),
    );
    const cmSelect = h(
      'select',
      { id: cmId, disabled: isRgb, onchange: (e) => {
        this.imagery.colormap = (e.target as HTMLSelectElement).value;
        void this.applyImagery();
      } },
      ...continuous.map((c) => h('option', { value: c.name, selected: c.name === this.imagery.colormap }, c.colorblindSafe ? colormapName(c.name, c.title) : t('cmUnsafe', { name: colormapName(c.name, c.title) }))),
    );
    const dates = ctx.scene.dates;
    let dateRow: HTMLElement | null = null;
    if (dates.length > 1) {
      const out = h('output', { for: dateId, class: 'date-out', 'aria-live': 'polite' }, fmtDate(dates[this.imagery.dateIndex] ?? ''));
      const slider = h('input', {
        id: dateId,
        type: 'range',
        min: 0,
        max: dates.length - 1,
        step: 1,
        value: this.imagery.dateIndex,
        'aria-valuetext': fmtDate(dates[this.imagery.dateIndex] ?? ''),
        oninput: (e) => {
          const input = e.target as HTMLInputElement;
          this.imagery.dateIndex = Number(input.value);
          const label = fmtDate(dates[this.imagery.dateIndex] ?? '');
          out.textContent = label;
          input.setAttribute('aria-valuetext', label);
          window.clearTimeout(this.dateTimer);
          this.dateTimer = window.setTimeout(() => void this.applyImagery(), 150);
        },
      });
      dateRow = h('div', { class: 'field' }, h('label', { for: dateId }, t('date'), ' ', out), slider, h('div', { class: 'range-ends', 'aria-hidden': 'true' }, h('span', {}, fmtDate(dates[0]!)), h('span', {}, fmtDate(dates[dates.length - 1]!))));
    }
    return this.block(
      'imagery',
      'imagery',
      h('div', { class: 'field-row' }, h('div', { class: 'field' }, h('label', { for: varId }, t('variable')), varSelect), h('div', { class: 'field' }, h('label', { for: cmId }, t('colormap')), cmSelect)),
      dateRow,
    );
  }

  // ---------- crop map and confidence ----------

  private cropBlock(): HTMLElement {
    const m = this.ctx.model;
    const blk = this.block('crops', 'cropMap');
    if (this.disabled.has('crops')) this.setDisabled(blk, true);
    else if (!m.value) {
      this.setDisabled(blk, true);
      if (m.error) this.status.get('crops')?.replaceChildren(notice(describeError(m.error, 'wModels'), 'warn'));
      else this.status.get('crops')?.replaceChildren(notice(t('loading'), 'info'));
    }
    if (this.ctx.models.length > 1 && m.value) {
      const id = nextId('model');
      const select = h(
        'select',
        { id, 'data-control': 'model', onchange: (e) => {
          const next = this.ctx.models.find((x) => x.id === (e.target as HTMLSelectElement).value);
          if (next) void selectModel(this.ctx, next).then(() => this.applyCrops());
        } },
        ...this.ctx.models.map((x) => h('option', { value: x.id, selected: x.id === m.value!.id }, modelTitle(x))),
      );
      blk.querySelector('.opacity')?.after(h('div', { class: 'field' }, h('label', { for: id }, t('model')), select));
    }
    return blk;
  }

  private confidenceBlock(): HTMLElement {
    const blk = this.block('confidence', 'confidence');
    if (!this.ctx.model.value || this.disabled.has('confidence')) this.setDisabled(blk, true);
    return blk;
  }

  private regionsBlock(): HTMLElement {
    const blk = this.block('regions', 'regionsLayer');
    const r = this.ctx.regions;
    if (!r.value) {
      this.setDisabled(blk, true);
      this.status.get('regions')?.replaceChildren(notice(r.error ? describeError(r.error, 'wRegions') : t('loading'), r.error ? 'warn' : 'info'));
    }
    return blk;
  }

  private setDisabled(blk: HTMLElement, off: boolean): void {
    for (const input of blk.querySelectorAll('input')) (input as HTMLInputElement).disabled = off;
  }

  // ---------- shared pieces ----------

  private block(id: LayerId, title: TKey, ...body: Array<HTMLElement | null>): HTMLElement {
    const { layers } = this.ctx;
    const toggleId = nextId(`toggle-${id}`);
    const opId = nextId(`op-${id}`);
    const msg = this.messages.get(id);
    const statusEl = h('div', { class: 'layer-status' }, msg ? notice(msg.message, msg.level) : null);
    const legendEl = h('div', { class: 'layer-legend' });
    this.status.set(id, statusEl);
    this.legends.set(id, legendEl);
    const toggle = h('input', {
      type: 'checkbox',
      id: toggleId,
      checked: layers.isVisible(id),
      'data-layer': id,
      onchange: (e) => {
        layers.setVisible(id, (e.target as HTMLInputElement).checked);
        this.renderLegends();
      },
    });
    const opacity = h('input', {
      type: 'range',
      id: opId,
      min: 0,
      max: 100,
      step: 5,
      value: Math.round(layers.getOpacity(id) * 100),
      'data-opacity': id,
      'aria-label': `${t('opacity')}: ${t(title)}`,
      oninput: (e) => layers.setOpacity(id, Number((e.target as HTMLInputElement).value) / 100),
    });
    return h(
      'fieldset',
      { class: 'layer', 'data-layer-block': id },
      h('legend', { class: 'layer-head' }, toggle, h('label', { for: toggleId }, t(title))),
      h('div', { class: 'field opacity' }, h('label', { for: opId }, t('opacity')), opacity),
      ...body,
      statusEl,
      legendEl,
    );
  }

  /** Legends of the layers that are on, from the colormap registry and the model card. */
  renderLegends(): void {
    const { ctx } = this;
    const cm = (name: string): Colormap | undefined => ctx.colormaps.get(name);
    const imgLegend = this.legends.get('imagery');
    if (imgLegend) {
      imgLegend.replaceChildren();
      const hint = ctx.item.properties['granary:display']?.[this.imagery.variable];
      const c = cm(this.imagery.colormap);
      if (this.imagery.variable !== RGB && c && ctx.layers.isVisible('imagery')) {
        const [lo, hi] = hint?.rescale ?? [0, 1];
        imgLegend.append(rampLegend(c, lo, hi, (v) => fmtNum(v, 2), `${this.imagery.variable.toUpperCase()}${this.date ? ` · ${fmtDate(this.date)}` : ''}`));
      }
    }
    const cropLegend = this.legends.get('crops');
    if (cropLegend) {
      cropLegend.replaceChildren();
      const card = ctx.model.value;
      if (card && ctx.layers.isVisible('crops')) {
        cropLegend.append(classLegend(card.classes, `${t('cropLegend')} · ${modelTitle(card)}`));
        const oa = card.metrics?.overallAccuracy;
        const f1 = card.metrics?.macroF1;
        if (typeof oa === 'number' && typeof f1 === 'number') cropLegend.append(h('p', { class: 'muted small', title: String(card.metrics?.validation ?? '') }, t('modelAccuracy', { oa: fmtPct(oa), f1: fmtNum(f1, 2) })));
        void mapFootprint(ctx.item.id, card.id).then((f) => {
          if (f && cropLegend.isConnected && ctx.layers.isVisible('crops') && !cropLegend.querySelector('.footprint')) {
            cropLegend.append(h('p', { class: 'muted small footprint', title: f.method }, t('mapFootprint', { wh: fmtEnergy(f.energyWh), g: fmtGrams(f.co2eGrams) })));
          }
        });
      }
    }
    const confLegend = this.legends.get('confidence');
    if (confLegend) {
      confLegend.replaceChildren();
      const c = cm('confidence');
      if (c && ctx.model.value && ctx.layers.isVisible('confidence')) confLegend.append(rampLegend(c, 0, 1, (v) => fmtPct(v), t('confidence')));
    }
    const regLegend = this.legends.get('regions');
    if (regLegend) {
      regLegend.replaceChildren();
      const el = ctx.layers.isVisible('regions') ? this.choropleth?.() : null;
      if (el) regLegend.append(el);
    }
  }

  /** Adds the crop and confidence layers for the current scene and model. */
  async applyCrops(): Promise<void> {
    const { ctx } = this;
    const card = ctx.model.value;
    if (!card) return;
    this.disabled.delete('crops');
    this.disabled.delete('confidence');
    this.messages.delete('crops');
    const base = `/tiles/${encodeURIComponent(ctx.scene.id)}/crops`;
    const sceneTj = { bounds: ctx.scene.bbox, minzoom: 0, maxzoom: 14 };
    let tj: Awaited<ReturnType<typeof api.tileJson>>;
    try {
      tj = await api.tileJson(`${base}/tilejson.json`, { model: card.id });
    } catch (e) {
      this.disabled.add('crops').add('confidence');
      this.setStatus('crops', describeError(e, 'wCrops'), 'warn');
      this.render();
      return;
    }
    ctx.layers.setRaster('crops', tj);
    const conf = `${location.origin}${base}/confidence/{z}/{x}/{y}.png?model=${encodeURIComponent(card.id)}`;
    ctx.layers.setRaster('confidence', { ...sceneTj, ...tj, tiles: [conf] });
    this.render();
  }
}

/** What the imagery layer shows first: NDVI (else an RGB composite, else the first variable) at the default date, in the scene's colours (its record's display hints). */
function initialImagery(scene: SceneSummary, item: StacItem | null): ImageryChoice {
  const display = item?.properties['granary:display'] ?? {};
  const vars = scene.variables;
  const isRgb = ['red', 'green', 'blue'].every((v) => vars.includes(v)) && !vars.includes('ndvi');
  const variable = isRgb ? RGB : vars.includes('ndvi') ? 'ndvi' : (vars[0] ?? RGB);
  return { variable, colormap: display[variable]?.colormap ?? 'ndvi', dateIndex: defaultDateIndex(scene.dates) };
}

/** The TileJSON of an imagery choice (its tiles' address carries the choice). */
function imageryTileJson(scene: SceneSummary, item: StacItem, choice: ImageryChoice): Promise<TileJson> {
  const params: Record<string, string | number | undefined> = { date: scene.dates[choice.dateIndex] };
  if (choice.variable === RGB) params.bands = 'red,green,blue';
  else {
    const hint = item.properties['granary:display']?.[choice.variable];
    params.variable = choice.variable;
    params.colormap = choice.colormap;
    if (hint) params.rescale = hint.rescale.join(',');
  }
  return api.tileJson(`/tiles/${encodeURIComponent(scene.id)}/tilejson.json`, params);
}

/**
 * The first imagery's TileJSON, asked for beside the scene's record rather than after it: without
 * colormap and rescale, which the server then takes from the scene's display hints, the same the
 * record gives the layer panel, so the tiles' address is the same as the panel's own request. When
 * the record has no hint for the variable the panel's choice is not the server's default, and the
 * panel's request is made once the record is here.
 */
export function firstImageryTileJson(scene: SceneSummary, item: Promise<StacItem>): Promise<TileJson> {
  const { variable, dateIndex } = initialImagery(scene, null);
  const date = scene.dates[dateIndex];
  const early = api.tileJson(`/tiles/${encodeURIComponent(scene.id)}/tilejson.json`, variable === RGB ? { date, bands: 'red,green,blue' } : { date, variable });
  early.catch(() => {});
  return item.then((it) => (variable === RGB || it.properties['granary:display']?.[variable] ? early : imageryTileJson(scene, it, initialImagery(scene, it))));
}

/** The date nearest the middle of the growing season (January), else the last. */
function defaultDateIndex(dates: string[]): number {
  if (dates.length === 0) return 0;
  const jan = dates.findIndex((d) => d.slice(5, 7) === '01');
  return jan >= 0 ? Math.min(dates.length - 1, jan + 1) : dates.length - 1;
}

interface MapFootprint {
  energyWh: number;
  co2eGrams: number;
  method: string;
}
let footprints: Promise<Array<{ sceneId: string; modelId: string; footprint: MapFootprint }>> | null = null;
/** The footprint the crop-map job recorded for this scene and model (GET /api/footprint/maps), or null. */
async function mapFootprint(sceneId: string, modelId: string): Promise<MapFootprint | null> {
  footprints ??= getJson<{ maps: Array<{ sceneId: string; modelId: string; footprint: MapFootprint }> }>('/api/footprint/maps').then(
    (r) => r.maps,
    () => [],
  );
  return (await footprints).find((m) => m.sceneId === sceneId && m.modelId === modelId)?.footprint ?? null;
}
const fmtEnergy = (wh: number) => (wh >= 0.1 ? `${fmtNum(wh, 2)} Wh` : `${fmtNum(wh * 1000, 2)} mWh`);
const fmtGrams = (g: number) => (g >= 0.1 ? `${fmtNum(g, 2)} g` : `${fmtNum(g * 1000, 2)} mg`);
