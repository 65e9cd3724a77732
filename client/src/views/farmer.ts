/**
 * Farmer view: pick a place (tap the map, type coordinates, or the device's location) and read,
 * in plain words, what grows there and how sure the model is, the field's vegetation curve beside
 * the typical curve of its class and the municipality's average, how its peak compares with fields
 * of the same class, when it turned green, and the municipality's yield gap.
 */
import type { Feature, Polygon } from 'geojson';
import { api } from '../api';
import { yieldGapTable } from '../datasets';
import { pointInside, regionContaining } from '../geo';
import { param, setParams } from '../permalink';
import { FieldDraw } from './field-draw';
import { compareWithNormalSeason } from '../seasons';
import { FieldReportForm } from './field-report';
import { FieldAnswers } from './field-answers';
import { lineChart, type LineSeries } from '../chart';
import { h, nextId, replaceKeepingFocus } from '../dom';
import { className, sceneTitle, fmtDate, fmtNum, fmtPct, getLang, onLangChange, t } from '../i18n';
import { inBBox, maplibregl } from '../map/map';
import { describeError, notice } from '../notice';
import { daysBetween, greenUp, meanCurve, medianCurve, peak, shareBelow, type Curve } from '../profiles';
import { sampleScene } from '../sampling';
import { on, type Crop, type Ctx } from '../state';
import { cropLabel, cropsOfClass } from '../crops';
import type { PointInfo, SceneSummary, YieldGapRow } from '../types';

const COLORS = { field: '#0072b2', typical: '#e69f00', region: '#222222' }; // Okabe-Ito, plus dash patterns

interface Result {
  point: PointInfo;
  scene: SceneSummary | null;
  samples: PointInfo[] | null;
  samplesError: unknown;
  /** the municipality's figures: every configured crop the field's class contains (soy, then the second-crop maize) */
  gaps: Array<{ crop: Crop; row: YieldGapRow | null | undefined; error: unknown }>;
}

export class FarmerView {
  readonly el: HTMLElement;
  private readonly formEl = h('form', { class: 'farmer-form', novalidate: true });
  private readonly statusEl = h('div', { class: 'view-status', role: 'status', 'aria-live': 'polite' });
  private readonly resultEl = h('section', { class: 'farmer-result', 'aria-live': 'polite', 'data-testid': 'farmer-result' });
  /** "What grows here?": a field report for review (POST /api/field-reports) */
  private readonly report: FieldReportForm;
  /** planting time, weather and alerts beside the field (server/phenology, weather, alerts) */
  private readonly answers = new FieldAnswers();
  private marker: maplibregl.Marker | null = null;
  private result: Result | null = null;
  private variable = 'ndvi';
  private seq = 0;
  private lat = '';
  private lon = '';
  /** the year of the municipal figures: the farmer's own (fyear=), not the policymaker's */
  private year: number;
  private readonly yearEl = h('div', { class: 'field farmer-year' });
  /** "draw your field" and its zonal statistics; announces each field on the bus ('field-drawn') */
  readonly fieldDraw: FieldDraw;
  /** the drawn field's start of season (POST /api/phenology/field), weather and alerts */
  private readonly fieldAnswers = new FieldAnswers('drawn-field-answers');
  private fieldAnswered = false;
  /** the place last asked about inside the imagery and the crop model its class was asked of */
  private asked: { lon: number; lat: number; model: string | null } | null = null;

  constructor(private readonly ctx: Ctx) {
    this.report = new FieldReportForm(() => this.ctx.model.value);
    const wanted = Number(param('fyear'));
    this.year = ctx.years.includes(wanted) ? wanted : ctx.year;
    this.fieldDraw = new FieldDraw(ctx, () => this.year);
    this.el = h('div', { class: 'view view-farmer' }, this.formEl, this.yearEl, this.statusEl, this.resultEl, this.fieldDraw.el, this.fieldAnswers.el);
    // a drawn field gets its own planting-time answer: the mean start of season over its pixels
    on<Feature<Polygon>>(ctx, 'field-drawn', (field) => {
      this.fieldAnswered = true;
      this.fieldAnswers.setField(field.geometry, pointInside(field.geometry), null);
    });
    // the class at a place is the page's crop model's: a model that loads or is chosen after the place was
    // asked about asks again (else the class, and the planting window that follows from it, came from the
    // server's default model while the map showed another's)
    on(ctx, 'model', () => {
      const a = this.asked;
      if (a && a.model !== (ctx.model.value?.id ?? null)) void this.query(a.lon, a.lat, false);
    });
    onLangChange(() => {
      if (this.fieldAnswered) this.fieldAnswers.rerender();
      this.renderForm();
      this.renderYear();
      this.renderResult();
    });
    this.renderForm();
    this.renderYear();
  }

  /** true while a field is being drawn (map clicks add its corners) */
  get drawing(): boolean {
    return this.fieldDraw.drawing;
  }

  private renderYear(): void {
    const id = nextId('farmer-year');
    replaceKeepingFocus(this.yearEl,
      h('label', { for: id }, t('farmerYear')),
      h('select', { id, class: 'input-small', 'data-control': 'farmer-year', onchange: (e) => {
        this.year = Number((e.target as HTMLSelectElement).value);
        setParams({ fyear: this.year });
        if (this.result) void this.loadGap(this.result, this.seq);
        this.fieldDraw.refresh();
      } }, ...[...this.ctx.years].reverse().map((y) => h('option', { value: y, selected: y === this.year }, String(y)))));
  }

  private renderForm(): void {
    const latId = nextId('lat');
    const lonId = nextId('lon');
    const latIn = h('input', { id: latId, name: 'lat', type: 'text', inputmode: 'decimal', autocomplete: 'off', value: this.lat, placeholder: '-11,65', 'aria-describedby': 'farmer-intro' });
    const lonIn = h('input', { id: lonId, name: 'lon', type: 'text', inputmode: 'decimal', autocomplete: 'off', value: this.lon, placeholder: '-55,50', 'aria-describedby': 'farmer-intro' });
    this.formEl.onsubmit = (e) => {
      e.preventDefault();
      this.lat = latIn.value;
      this.lon = lonIn.value;
      const lat = parseCoord(latIn.value);
      const lon = parseCoord(lonIn.value);
      if (lat === null || lon === null || Math.abs(lat) > 90 || Math.abs(lon) > 180) {
        this.statusEl.replaceChildren(notice(t('badCoords'), 'error'));
        return;
      }
      void this.query(lon, lat, true);
    };
    this.formEl.replaceChildren(
      h('p', { id: 'farmer-intro', class: 'intro' }, t('farmerIntro')),
      h('div', { class: 'field-row' },
        h('div', { class: 'field' }, h('label', { for: latId }, t('latitude')), latIn),
        h('div', { class: 'field' }, h('label', { for: lonId }, t('longitude')), lonIn)),
      h('div', { class: 'button-row' },
        h('button', { type: 'submit', class: 'btn btn-primary' }, t('show')),
        h('button', { type: 'button', class: 'btn', onclick: () => this.locate() }, t('useLocation'))),
    );
  }

  private locate(): void {
    if (!window.isSecureContext || !('geolocation' in navigator)) {
      this.statusEl.replaceChildren(notice(t('geoInsecure'), 'warn'));
      return;
    }
    this.statusEl.replaceChildren(notice(t('locating'), 'info'));
    navigator.geolocation.getCurrentPosition(
      (pos) => void this.query(pos.coords.longitude, pos.coords.latitude, true),
      (err) => this.statusEl.replaceChildren(notice(err.code === err.PERMISSION_DENIED ? t('geoDenied') : t('geoUnavailable'), 'warn')),
      { enableHighAccuracy: true, timeout: 15_000, maximumAge: 60_000 },
    );
  }

  /** Everything known at a place; `fly` moves the map there (typed or located, not tapped). */
  async query(lon: number, lat: number, fly: boolean): Promise<void> {
    const { ctx } = this;
    const seq = ++this.seq;
    this.lat = fmtCoord(lat);
    this.lon = fmtCoord(lon);
    this.renderForm();
    this.placeMarker(lon, lat, fly);
    setParams({ at: `${lat.toFixed(5)},${lon.toFixed(5)}` });
    // scenes with imagery a farmer can read (not test scenes, not derived products such as start of season)
    const users = ctx.scenes.filter((s) => s.purpose === 'data' && s.variables.some((v) => v === 'ndvi' || v === 'evi'));
    const scene = inBBox(ctx.scene.bbox, lon, lat) ? ctx.scene : (users.find((s) => inBBox(s.bbox, lon, lat)) ?? null);
    this.asked = null;
    if (!scene) {
      // no imagery here: still the municipality's own figures (from the boundaries the map has)
      const f = ctx.regions.value ? regionContaining(ctx.regions.value.features, lon, lat) : null;
      const point: PointInfo = { lon, lat, scene: null, series: {}, crop: null, region: f ? { id: String(f.properties.id), name: f.properties.name } : null };
      const result: Result = { point, scene: null, samples: null, samplesError: null, gaps: [] };
      this.result = result;
      this.statusEl.replaceChildren(notice(t('outsideScenes', { areas: users.filter((s) => s.dates.length > 1).map((s) => sceneTitle(s.id, s.title)).join('; ') }), 'info'));
      this.renderResult();
      (this.resultEl.querySelector('h2') as HTMLElement | null)?.focus();
      void this.loadGap(result, seq);
      return;
    }
    this.statusEl.replaceChildren(notice(t('pointLoading'), 'info'));
    const model = ctx.model.value?.id ?? null;
    this.asked = { lon, lat, model };
    let point: PointInfo;
    try {
      point = await api.point(lon, lat, scene.id, model);
    } catch (e) {
      if (seq !== this.seq) return;
      this.statusEl.replaceChildren(notice(describeError(e, 'wPoint'), 'error', () => void this.query(lon, lat, false)));
      return;
    }
    if (seq !== this.seq) return;
    this.statusEl.replaceChildren();
    const vars = Object.keys(point.series);
    if (!vars.includes(this.variable)) this.variable = vars.includes('ndvi') ? 'ndvi' : (vars[0] ?? 'ndvi');
    const result: Result = { point, scene, samples: null, samplesError: null, gaps: [] };
    this.result = result;
    this.renderResult();
    (this.resultEl.querySelector('h2') as HTMLElement | null)?.focus();
    void this.loadGap(result, seq);
    try {
      result.samples = await sampleScene(scene.id, scene.bbox, model);
    } catch (e) {
      result.samplesError = e;
    }
    if (seq === this.seq) this.renderResult();
  }

  private async loadGap(result: Result, seq: number): Promise<void> {
    const region = result.point.region;
    if (!region) return;
    // the configured crops the field's class contains (Soy_Corn: soy, then the second-crop maize); else the page's crop
    const ofClass = cropsOfClass(result.point.crop?.name ?? '', this.ctx.crops);
    const crops: Crop[] = ofClass.length > 0 ? ofClass : [this.ctx.crop];
    result.gaps = crops.map((crop) => ({ crop, row: undefined, error: null }));
    if (seq === this.seq) this.renderResult();
    await Promise.all(result.gaps.map(async (g) => {
      try {
        // the whole table is fetched once per crop and year and shared with the policymaker view
        g.row = (await yieldGapTable(g.crop, this.year)).rows.find((r) => String(r.regionId) === region.id) ?? null;
      } catch (e) {
        g.row = null;
        g.error = e;
      }
    }));
    if (seq === this.seq) this.renderResult();
  }

  private placeMarker(lon: number, lat: number, fly: boolean): void {
    const map = this.ctx.map;
    if (!this.marker) this.marker = new maplibregl.Marker({ color: '#d6006f' });
    this.marker.setLngLat([lon, lat]).addTo(map);
    if (fly) map.flyTo({ center: [lon, lat], zoom: Math.max(map.getZoom(), 11), essential: true });
  }

  clear(): void {
    this.marker?.remove();
  }

  // ---------- the answer ----------

  private renderResult(): void {
    const r = this.result;
    if (!r) return;
    const { point } = r;
    const parts: HTMLElement[] = [h('h2', { tabindex: -1 }, t('fieldTitle', { lat: fmtNum(point.lat, 4), lon: fmtNum(point.lon, 4) }))];
    if (point.region) parts.push(h('p', { class: 'muted' }, t('regionOf', { name: point.region.name })));

    // what grows here
    const crop = point.crop;
    if (crop) {
      const p = crop.probability;
      const level = p === null ? '' : p >= 0.8 ? t('confHigh') : p >= 0.5 ? t('confMid') : t('confLow');
      const sentence = h('p', { class: 'big', 'data-testid': 'crop-class', 'data-class': crop.name }, t('classSentence', { crop: className(crop.name) }));
      parts.push(sentence);
      if (p !== null) parts.push(h('p', { 'data-testid': 'crop-confidence', 'data-value': String(p) }, t('confidenceSentence', { pct: fmtPct(p), level })));
      const others = crop.probabilities.filter((x) => x.name !== crop.name && x.probability >= 0.05).slice(0, 3);
      if (others.length) parts.push(h('p', { class: 'muted' }, t('otherClasses', { list: others.map((o) => `${className(o.name)} (${fmtPct(o.probability)})`).join(', ') })));
    } else if (r.scene) parts.push(notice(this.ctx.model.value ? t('noClassHere') : t('noClass'), 'info'));

    // the curve
    const series = point.series[this.variable] ?? [];
    if (series.some((s) => s.value !== null)) parts.push(this.curveBlock(r));
    else if (r.scene) parts.push(notice(t('noSeries'), 'warn'));

    // yield gap of the municipality
    parts.push(this.gapBlock(r));
    this.answers.setPoint(point.lon, point.lat, point.crop?.name ?? null);
    parts.push(this.answers.el);
    parts.push(h('p', { class: 'muted cannot' }, t('cannot')));
    if (r.scene) {
      this.report.setPoint(point.lon, point.lat, point.crop?.name ?? null);
      parts.push(this.report.el);
    }
    replaceKeepingFocus(this.resultEl, ...parts);
  }

  private curveBlock(r: Result): HTMLElement {
    const { point } = r;
    const v = this.variable;
    const all = point.series[v] ?? [];
    // several seasons of imagery (Ipiranga 2007-2013): the latest season beside its normal season
    const seasons = compareWithNormalSeason(all);
    const field = seasons ? seasons.current : all;
    const cropName = point.crop?.name ?? null;
    const same = cropName && r.samples ? r.samples.filter((s) => s.crop?.name === cropName && s.series[v]) : [];
    const inRegion = point.region && r.samples ? r.samples.filter((s) => s.region?.id === point.region!.id && s.series[v]) : [];
    const typical: Curve | null = same.length >= 3 ? medianCurve(same.map((s) => s.series[v]!)) : null;
    const regional: Curve | null = inRegion.length >= 2 ? meanCurve(inRegion.map((s) => s.series[v]!)) : null;

    // with several seasons, every line is drawn over the latest season only
    const first = field[0]?.date ?? '';
    const last = field[field.length - 1]?.date ?? '';
    const toPts = (c: Curve) => c.filter((p) => !seasons || (p.date >= first && p.date <= last)).map((p) => ({ x: Date.parse(`${p.date}T00:00:00Z`), y: p.value }));
    const lines: LineSeries[] = [{ id: 'field', label: t('curveField'), color: COLORS.field, width: 3.5, points: toPts(field) }];
    if (typical && cropName) lines.push({ id: 'typical', label: t('curveTypical', { crop: className(cropName) }), color: COLORS.typical, dash: '8 5', width: 2.5, points: toPts(typical) });
    if (regional && point.region) lines.push({ id: 'region', label: t('curveRegion', { region: point.region.name }), color: COLORS.region, dash: '2 4', width: 2, points: toPts(regional) });
    if (seasons) lines.push({ id: 'normal', label: t('curveNormal', { from: seasons.seasons[0]!, to: seasons.seasons[seasons.seasons.length - 1]! + 1 }), color: '#009e73', dash: '4 2', width: 2.5, points: toPts(seasons.normal) });

    const label = v.toUpperCase();
    const vegetation = v === 'ndvi' || v === 'evi';
    const chart = lineChart({
      series: lines,
      yLabel: label,
      ariaLabel: t('curveTitle', { variable: label }),
      ...(vegetation ? { yDomain: [Math.min(0, ...field.map((p) => p.value ?? 0)), 1] as [number, number] } : {}),
      fmtY: (x) => fmtNum(x, 1),
    });

    const varButtons = Object.keys(point.series).length > 1
      ? h('div', { class: 'segmented', role: 'group', 'aria-label': t('variable') },
          ...Object.keys(point.series).map((name) => h('button', { type: 'button', class: 'btn btn-small', 'aria-pressed': name === v ? 'true' : 'false', onclick: () => {
            this.variable = name;
            this.renderResult();
          } }, name.toUpperCase())))
      : null;

    const words: HTMLElement[] = [];
    const pk = peak(field);
    if (pk) {
      words.push(h('p', { 'data-testid': 'peak' }, t('peakSentence', { value: fmtNum(pk.value, 2), date: fmtDate(pk.date) })));
      if (cropName && r.samples) {
        const peers = same.map((s) => peak(s.series[v]!)?.value).filter((x): x is number => x !== undefined);
        const cropWords = className(cropName);
        if (peers.length >= 3) {
          words.push(h('p', { 'data-testid': 'peak-compare', 'data-n': peers.length }, t('peakCompare', { share: fmtPct(shareBelow(pk.value, peers)), crop: cropWords, n: peers.length })));
          // a share of a handful of fields says little: say so where it is said
          if (peers.length < 30) words.push(h('p', { class: 'muted small', 'data-testid': 'few-samples' }, t('fewSamples', { n: peers.length })));
        }
        else words.push(h('p', { class: 'muted' }, t('peakFew', { crop: cropWords })));
        const gu = greenUp(field);
        const guTyp = typical ? greenUp(typical) : null;
        if (gu && guTyp) {
          const d = daysBetween(guTyp, gu);
          words.push(h('p', {}, Math.abs(d) < 12 ? t('timingSame', { crop: cropWords }) : d < 0 ? t('timingEarly', { days: -d, crop: cropWords }) : t('timingLate', { days: d, crop: cropWords })));
        }
      }
    }
    const sampleNote = r.samples
      ? h('p', { class: 'muted small' }, t('samplesNote', { n: r.samples.length }))
      : r.samplesError
        ? notice(describeError(r.samplesError, 'wPoint'), 'info')
        : h('div', { 'data-sampling': 'pending' }, notice(t('sampling'), 'info'));
    return h('section', { class: 'curve', 'data-testid': 'field-curve' }, h('h3', {}, t('curveTitle', { variable: label })), varButtons, chart, h('p', { class: 'muted small' }, t('curveHelp')), ...words, sampleNote);
  }

  private gapBlock(r: Result): HTMLElement {
    const region = r.point.region;
    if (!region) return h('p', { class: 'muted' }, t('gapUnknown'));
    const block = h('section', { class: 'gap', 'data-testid': 'farmer-gaps' }, h('h3', {}, t('gapTitle', { region: region.name })));
    if (!r.gaps.length) block.append(notice(t('loading'), 'info'));
    r.gaps.forEach((entry, i) => block.append(this.gapLine(region.name, entry, i > 0)));
    return block;
  }

  private gapLine(region: string, entry: Result['gaps'][number], second: boolean): HTMLElement {
    if (entry.row === undefined) return notice(t('loading'), 'info');
    if (entry.error) return notice(describeError(entry.error, 'wYieldGap'), 'info');
    const g = entry.row;
    const crop = second ? t('safrinha', { crop: cropLabel(entry.crop).toLowerCase() }) : cropLabel(entry.crop).toLowerCase();
    if (!g || g.actualYieldKgHa === null || g.attainableYieldKgHa === null) return h('p', { class: 'muted' }, t('gapUnknownCrop', { crop }));
    const window = (g.inputs as { window?: number[] } | undefined)?.window;
    // kg/ha and sacas of 60 kg per hectare, the unit farmers trade in
    const both = (kg: number | null) => t('kgAndSacas', { kg: fmtNum(kg), sc: fmtNum(kg === null ? null : kg / SACA_KG, 1) });
    const text = (g.yieldGapKgHa ?? 0) <= 0
      ? t('gapNone', { region, crop })
      : t('gapSentence', {
          region,
          crop,
          actual: both(g.actualYieldKgHa),
          attainable: both(g.attainableYieldKgHa),
          gap: both(g.yieldGapKgHa),
          pct: `${fmtNum(g.yieldGapPct, 1)} %`,
          year: window ? window.join('–') : g.year,
        });
    return h('p', { 'data-testid': 'farmer-gap', 'data-crop': entry.crop, 'data-value': String(g.yieldGapPct ?? ''), 'data-kg': String(g.actualYieldKgHa) }, text);
  }
}

/** A saca of grain: 60 kg. */
const SACA_KG = 60;

/** "-11,65" or "-11.65" or "11.65 S" -> number. */
function parseCoord(s: string): number | null {
  const m = s.trim().replace(',', '.').match(/^(-?\d+(?:\.\d+)?)\s*°?\s*([NSEWLO])?$/i);
  if (!m) return null;
  let v = Number(m[1]);
  const hemi = m[2]?.toUpperCase();
  if (hemi === 'S' || hemi === 'W' || hemi === 'O') v = -Math.abs(v);
  return Number.isFinite(v) ? v : null;
}

const fmtCoord = (v: number): string => (getLang() === 'pt' ? v.toFixed(5).replace('.', ',') : v.toFixed(5));
