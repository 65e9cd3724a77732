/**
 * Farmer view: "draw your field" and its statistics from POST /api/zonal-stats (area in ha, the crop
 * map's classes in ha with their 95 % interval, the mean vegetation index), and what the
 * municipality's yield in sacas/ha means for the field's crop area.
 *
 * For other parts of the page (e.g. a start-of-season answer for the field): every finished field is
 * announced on the context's bus, `on<DrawnField>(ctx, 'field-drawn', (f) => ...)`, and
 * `FieldDraw.field` holds the latest one.
 */
import type { Feature, Polygon } from 'geojson';
import { postJson } from '../api';
import { yieldGapTable } from '../datasets';
import { h } from '../dom';
import { regionContaining } from '../geo';
import { className, defineStrings, fmtDate, fmtNum, onLangChange } from '../i18n';
import { FieldDrawer } from '../map/draw-field';
import { inBBox } from '../map/map';
import { describeError, notice } from '../notice';
import { emit, type Crop, type Ctx } from '../state';
import { cropLabel, cropsOfClass } from '../crops';
import type { SceneSummary } from '../types';

const s = defineStrings(
  'field-draw',
  {
    title: 'Your field',
    intro: 'Draw your field on the map to get its area, what the crop map sees in it and its vegetation index.',
    draw: 'Draw a field',
    redraw: 'Draw another field',
    drawing: 'Click the map at each corner of the field ({n} so far). Keyboard: move the map with the arrow keys, then “Add the map’s centre”.',
    addCentre: 'Add the map’s centre',
    undo: 'Undo last corner',
    finish: 'Finish the field',
    cancel: 'Cancel',
    needThree: 'A field needs at least three corners.',
    outside: 'This field lies outside the satellite images; draw it inside a scene.',
    loading: 'Computing the field’s statistics…',
    area: 'Area: {ha} ha',
    covered: 'Only {pct} % of the field lies inside the scene “{scene}”.',
    cropsTitle: 'What the crop map sees in the field',
    cropLine: '{crop}: {ha} ha (95 % interval {lo} to {hi} ha)',
    cropLineRaw: '{crop}: {ha} ha',
    noCropMap: 'No crop map for this scene yet.',
    index: 'Mean {variable} on {date}: {value}',
    yieldLine: 'At the average yield of {region} ({year}), {kg} kg/ha = {sc} sacas/ha, the field’s {crop} ({ha} ha) would give about {total} sacas ({t} t).',
    yieldNone: 'No municipal yield of {crop} for {region} in {year}.',
  },
  {
    title: 'Sua lavoura',
    intro: 'Desenhe sua lavoura no mapa para ver a área, o que o mapa de culturas enxerga nela e o índice de vegetação.',
    draw: 'Desenhar uma lavoura',
    redraw: 'Desenhar outra lavoura',
    drawing: 'Clique no mapa em cada canto da lavoura ({n} até agora). Teclado: mova o mapa com as setas e use “Adicionar o centro do mapa”.',
    addCentre: 'Adicionar o centro do mapa',
    undo: 'Desfazer o último canto',
    finish: 'Concluir a lavoura',
    cancel: 'Cancelar',
    needThree: 'Uma lavoura precisa de pelo menos três cantos.',
    outside: 'Esta lavoura fica fora das imagens de satélite; desenhe-a dentro de uma cena.',
    loading: 'Calculando as estatísticas da lavoura…',
    area: 'Área: {ha} ha',
    covered: 'Só {pct} % da lavoura fica dentro da cena “{scene}”.',
    cropsTitle: 'O que o mapa de culturas enxerga na lavoura',
    cropLine: '{crop}: {ha} ha (intervalo de 95 % de {lo} a {hi} ha)',
    cropLineRaw: '{crop}: {ha} ha',
    noCropMap: 'Ainda não há mapa de culturas para esta cena.',
    index: '{variable} médio em {date}: {value}',
    yieldLine: 'Com a produtividade média de {region} ({year}), {kg} kg/ha = {sc} sacas/ha, a área de {crop} da lavoura ({ha} ha) daria cerca de {total} sacas ({t} t).',
    yieldNone: 'Sem produtividade municipal de {crop} para {region} em {year}.',
  },
);

/** A finished field, as announced on the bus ('field-drawn'). */
type DrawnField = Feature<Polygon>;

/** What this panel reads of properties.stats (POST /api/zonal-stats; the contract types stats as free properties). */
interface ZonalStats {
  scene: string;
  date: string | null;
  polygonAreaHa: number;
  coveredAreaHa: number;
  coveredShare: number;
  variables: Record<string, { mean: number | null }>;
  crops: {
    modelId: string;
    areaHaByClass: Record<string, number>;
    adjusted: { classes: Array<{ class: string; adjustedAreaHa: number; ci95Ha: [number, number] }> } | null;
  } | null;
  notes: string[];
}

const SACA_KG = 60;

export class FieldDraw {
  readonly el = h('section', { class: 'field-draw', 'data-testid': 'field-draw' });
  private readonly drawer: FieldDrawer;
  private stats: ZonalStats | Error | null = null;
  private loading = false;
  private message = '';
  private seq = 0;
  private gap: { crop: Crop; region: string; kg: number | null; areaHa: number; years: string } | null = null;

  constructor(
    private readonly ctx: Ctx,
    /** the farmer's comparison year */
    private readonly year: () => number,
  ) {
    this.drawer = new FieldDrawer(ctx.map, () => this.render());
    onLangChange(() => this.render());
    this.render();
  }

  /** true while corners are being added (map clicks then belong to the drawing) */
  get drawing(): boolean {
    return this.drawer.drawing;
  }

  /** the latest finished field, or null */
  get field(): DrawnField | null {
    return this.drawer.field;
  }

  /** the comparison year changed: the municipal yield line follows */
  refresh(): void {
    if (this.stats && !(this.stats instanceof Error)) void this.loadYield(this.stats, this.seq);
  }

  private render(): void {
    const d = this.drawer;
    const btn = (label: string, control: string, onclick: () => void, primary = false) => h('button', { type: 'button', class: primary ? 'btn btn-primary btn-small' : 'btn btn-small', 'data-control': control, onclick }, label);
    const controls = d.drawing
      ? [
          h('p', { role: 'status', 'data-testid': 'draw-status' }, s('drawing', { n: d.corners })),
          h('div', { class: 'button-row' },
            btn(s('addCentre'), 'draw-centre', () => d.addCentre()),
            btn(s('undo'), 'draw-undo', () => d.undo()),
            btn(s('finish'), 'draw-finish', () => this.finish(), true),
            btn(s('cancel'), 'draw-cancel', () => {
              d.cancel();
              this.focus('draw-start');
            })),
        ]
      : [h('div', { class: 'button-row' }, btn(d.field ? s('redraw') : s('draw'), 'draw-start', () => {
          this.stats = null;
          this.message = '';
          d.start();
          this.focus('draw-centre');
        }))];
    this.el.replaceChildren(
      h('h3', {}, s('title')),
      h('p', { class: 'muted small' }, s('intro')),
      ...controls,
      this.message ? notice(this.message, 'warn') : '',
      this.resultBlock(),
    );
  }

  private focus(control: string): void {
    (this.el.querySelector(`[data-control="${control}"]`) as HTMLElement | null)?.focus();
  }

  private finish(): void {
    if (!this.drawer.finish()) {
      this.message = s('needThree');
      this.render();
      return;
    }
    this.message = '';
    const field = this.drawer.field!;
    emit(this.ctx, 'field-drawn', field);
    void this.load(field);
    this.focus('draw-start');
  }

  private sceneFor(field: DrawnField): SceneSummary | null {
    const ring = field.geometry.coordinates[0]!;
    const [lon, lat] = ring.slice(0, -1).reduce((a, p) => [a[0]! + p[0]! / (ring.length - 1), a[1]! + p[1]! / (ring.length - 1)], [0, 0]);
    const users = this.ctx.scenes.filter((x) => x.purpose === 'data');
    return inBBox(this.ctx.scene.bbox, lon!, lat!) ? this.ctx.scene : (users.find((x) => inBBox(x.bbox, lon!, lat!)) ?? null);
  }

  private async load(field: DrawnField): Promise<void> {
    const seq = ++this.seq;
    const scene = this.sceneFor(field);
    this.gap = null;
    if (!scene) {
      this.stats = null;
      this.message = s('outside');
      this.render();
      return;
    }
    this.loading = true;
    this.stats = null;
    this.render();
    const model = this.ctx.model.value?.id;
    try {
      const url = `/api/zonal-stats?scene=${encodeURIComponent(scene.id)}${model ? `&model=${encodeURIComponent(model)}` : ''}`;
      const res = await postJson<{ properties: { stats: ZonalStats } }>(url, field, 'application/geo+json');
      if (seq !== this.seq) return;
      this.stats = res.properties.stats;
    } catch (e) {
      if (seq !== this.seq) return;
      this.stats = e instanceof Error ? e : new Error(String(e));
    }
    this.loading = false;
    this.render();
    if (this.stats && !(this.stats instanceof Error)) void this.loadYield(this.stats, seq);
  }

  /** The field's main crop (largest soy or maize area) against the municipality's yield. */
  private async loadYield(st: ZonalStats, seq: number): Promise<void> {
    const field = this.drawer.field;
    const fc = this.ctx.regions.value;
    if (!field || !fc || !st.crops) return;
    const areas = cropAreas(st);
    // each class counts for the first crop of its season (the server's crop configuration: Soy_Corn -> soy, then maize)
    const byCrop = new Map<Crop, number>();
    for (const a of areas) {
      const c = cropsOfClass(a.name)[0];
      if (c) byCrop.set(c, (byCrop.get(c) ?? 0) + a.ha);
    }
    const main = [...byCrop].sort((x, y) => y[1] - x[1])[0];
    if (!main) return;
    const [crop, areaHa] = main;
    if (areaHa <= 0) return;
    const p = field.geometry.coordinates[0]![0]!;
    const region = regionContaining(fc.features, p[0]!, p[1]!);
    if (!region) return;
    const year = this.year();
    let kg: number | null = null;
    let years = String(year);
    try {
      // Ya: the municipality's mean yield over the window ending with the year (as the farmer's gap line)
      const row = (await yieldGapTable(crop, year)).rows.find((r) => String(r.regionId) === String(region.properties.id));
      kg = row?.actualYieldKgHa ?? null;
      const w = (row?.inputs as { window?: number[] } | undefined)?.window;
      if (w?.length) years = w.join('–');
    } catch {
      kg = null;
    }
    if (seq !== this.seq) return;
    this.gap = { crop, region: region.properties.name, kg, areaHa, years };
    this.render();
  }

  private resultBlock(): HTMLElement | string {
    if (this.loading) return notice(s('loading'), 'info');
    const st = this.stats;
    if (!st) return '';
    if (st instanceof Error) return notice(describeError(st, 'wPoint'), 'warn');
    const box = h('div', { class: 'field-stats', 'data-testid': 'field-stats', 'data-area-ha': st.polygonAreaHa });
    box.append(h('p', { class: 'big', 'data-testid': 'field-area' }, s('area', { ha: fmtNum(st.polygonAreaHa, 1) })));
    if (st.coveredShare < 0.995) box.append(notice(s('covered', { pct: fmtNum(st.coveredShare * 100, 0), scene: st.scene }), 'info'));
    if (st.crops) {
      const areas = cropAreas(st).filter((a) => a.ha >= 0.05);
      box.append(h('h4', {}, s('cropsTitle')), h('ul', { 'data-testid': 'field-crops' }, ...areas.map((a) => h('li', { 'data-class': a.name, 'data-ha': a.ha },
        a.ci ? s('cropLine', { crop: className(a.name), ha: fmtNum(a.ha, 1), lo: fmtNum(Math.max(0, a.ci[0]), 1), hi: fmtNum(a.ci[1], 1) }) : s('cropLineRaw', { crop: className(a.name), ha: fmtNum(a.ha, 1) })))));
    } else box.append(h('p', { class: 'muted' }, s('noCropMap')));
    for (const name of ['ndvi', 'evi']) {
      const v = st.variables[name]?.mean;
      if (typeof v === 'number') box.append(h('p', { 'data-testid': `field-${name}`, 'data-value': v }, s('index', { variable: name.toUpperCase(), date: st.date ? fmtDate(st.date.slice(0, 10)) : '–', value: fmtNum(v, 2) })));
    }
    const g = this.gap;
    if (g) {
      const crop = cropLabel(g.crop).toLowerCase();
      box.append(g.kg === null
        ? h('p', { class: 'muted' }, s('yieldNone', { crop, region: g.region, year: this.year() }))
        : h('p', { 'data-testid': 'field-yield', 'data-kg': g.kg, 'data-sacas': (g.kg / SACA_KG) * g.areaHa },
            s('yieldLine', { region: g.region, year: g.years, kg: fmtNum(g.kg), sc: fmtNum(g.kg / SACA_KG, 1), crop, ha: fmtNum(g.areaHa, 1), total: fmtNum((g.kg / SACA_KG) * g.areaHa, 0), t: fmtNum((g.kg * g.areaHa) / 1000, 1) })));
    }
    return box;
  }
}

/** Class areas of the field: the adjusted estimate with its interval where the server gives one. */
function cropAreas(st: ZonalStats): Array<{ name: string; ha: number; ci: [number, number] | null }> {
  if (!st.crops) return [];
  const adj = st.crops.adjusted?.classes;
  if (adj) return adj.map((c) => ({ name: c.class, ha: c.adjustedAreaHa, ci: c.ci95Ha }));
  return Object.entries(st.crops.areaHaByClass).map(([name, ha]) => ({ name, ha, ci: null }));
}
