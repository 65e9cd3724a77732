/**
 * Policymaker view: the municipalities coloured by a chosen indicator, a sortable ranking, a panel
 * with every indicator of the selected municipality (method, inputs, sources, history) and
 * downloads of the listed municipalities as GeoJSON and CSV.
 */
import { RegionAnswers } from './region-answers';
import type { Feature } from 'geojson';
import { api, ApiError, mapLimit } from '../api';
import { fullBoundaries, normals, regionRecord, yieldGapTable } from '../datasets';
import type { NormalsResponse as Normals } from '../../../server/contract/index';
import { mapPosition, param, setParams } from '../permalink';
import { barChart } from '../chart';
import { h, nextId, replaceKeepingFocus } from '../dom';
import { saveText } from '../download';
import { API_CSV_COLUMNS, flatRow, toCsv } from '../csv';
import { colormapName, fmtNum, getLang, onLangChange, t } from '../i18n';
import { fmtIndicator, indicator, INDICATORS, indicatorLabel, valueOf, type IndicatorKey } from '../indicators';
import { choroplethLegend, NO_DATA_COLOR } from '../legend';
import { fillExpression, fixedClasses, type Classes } from '../map/choropleth';
import { normalBlock, stateTotalsPanel } from '../panels/state-totals';
import { PriorityPanel } from '../panels/priority';
import { YearPlayer } from '../panels/year-player';
import { SwipeControl } from '../panels/swipe-control';
import { describeError, notice } from '../notice';
import { emit, on, type Crop, type Ctx } from '../state';
import { cropLabel } from '../crops';
import { rowMessageText, type RowParams } from '../../../server/contract/row-messages';

/** A caveat or method of a row in the page's language; a crop id among its values becomes the crop's label. */
function rowText(m: { code: string; params: RowParams }): string {
  const params = typeof m.params.crop === 'string' ? { ...m.params, crop: cropLabel(m.params.crop).toLowerCase() } : m.params;
  return rowMessageText({ code: m.code, params }, getLang() === 'pt' ? 'pt' : 'en');
}
import type { YieldGapRow } from '../types';

export class PolicymakerView {
  readonly el: HTMLElement;
  private indicator: IndicatorKey = INDICATORS.find((i) => i.mappable && i.key === param('ind'))?.key ?? 'yieldGapPct';
  private colormap = indicator(this.indicator).colormap;
  private rows: YieldGapRow[] = [];
  private rowsById = new Map<string, YieldGapRow>();
  private rowsError: unknown = null;
  private loading = false;
  private classes: Classes | null = null;
  private sort: { key: 'name' | 'value'; dir: 'asc' | 'desc' } = { key: 'value', dir: 'desc' };
  private filter = '';
  private selected: string | null = null;
  private seq = 0;
  private readonly history = new Map<string, YieldGapRow | null>();
  private readonly historyLoading = new Set<string>();
  private tableSources: unknown[] = [];
  private priorityMethod: string | null = null;
  private readonly regionInfo = new Map<string, Record<string, unknown> | ApiError>();

  private readonly controlsEl = h('div', { class: 'controls' });
  private readonly legendEl = h('div', { class: 'choropleth-legend' });
  private readonly statusEl = h('div', { class: 'view-status', role: 'status', 'aria-live': 'polite' });
  private readonly regionEl = h('section', { class: 'region-panel', 'aria-live': 'polite', 'data-testid': 'region-panel' });
  /** suitability, outlook, alerts and policy impact of the selected municipality */
  private readonly answers = new RegionAnswers();
  private readonly rankingEl = h('section', { class: 'ranking' });
  private readonly stateEl = h('div', { class: 'state-wrap' });
  private normals: Normals | null = null;
  private readonly priority = new PriorityPanel((id) => this.select(id, true));
  private readonly player: YearPlayer;
  /** the side-by-side (swipe) of another crop or year */
  readonly swipe: SwipeControl;

  constructor(private readonly ctx: Ctx) {
    this.player = new YearPlayer(ctx.years, ctx.year, (y) => {
      this.setCropYear(ctx.crop, y, false);
      return this.loaded;
    });
    this.swipe = new SwipeControl(ctx, {
      side: async (crop, year) => {
        const rows = await this.rowsFor(crop, year);
        const values = new Map(rows.map((r) => [String(r.regionId), valueOf(r, this.indicator)] as const));
        // the left side's classes, so a colour means the same on both sides
        return { values, fill: fillExpression(this.classes, 'v', NO_DATA_COLOR) };
      },
    });
    on<string>(ctx, 'view', (v) => (v === 'policy' ? this.swipe.show() : this.swipe.hide()));
    this.el = h('div', { class: 'view view-policy' }, this.controlsEl, this.player.el, this.swipe.el, this.legendEl, this.statusEl, this.regionEl, this.stateEl, this.priority.el, this.rankingEl);
    on(ctx, 'regions', () => {
      this.paint();
      // a permalink's region: selected once the boundaries are there (fitted unless the link has a map position)
      const wanted = param('region');
      if (wanted && this.selected === null && ctx.regionById.has(wanted)) this.select(wanted, !mapPosition(), false);
    });
    on<string | null>(ctx, 'region-select', (id) => this.select(id, false));
    onLangChange(() => this.renderAll());
    this.renderAll();
    void this.load();
  }

  private renderAll(): void {
    this.renderControls();
    this.paint();
    this.renderRegion();
  }

  // ---------- data ----------

  async load(): Promise<void> {
    const seq = ++this.seq;
    this.loading = true;
    this.renderStatus();
    try {
      const { table, norm, rows } = await this.rowsFor(this.ctx.crop, this.ctx.year, true);
      if (seq !== this.seq) return;
      this.normals = norm;
      this.tableSources = table.sources;
      this.priorityMethod = table.priorityMethod;
      this.rows = rows;
      this.rowsById = new Map(rows.map((r) => [String(r.regionId), r]));
      this.priority.set(rows, this.ctx.year);
      this.rowsError = null;
    } catch (e) {
      if (seq !== this.seq) return;
      this.rows = [];
      this.rowsById = new Map();
      this.rowsError = e;
    }
    this.loading = false;
    this.paint();
    this.renderRegion();
  }

  /** The rows of a crop and year, with the comparison with normal joined as two more indicators. */
  private async rowsFor(crop: Crop, year: number): Promise<YieldGapRow[]>;
  private async rowsFor(crop: Crop, year: number, all: true): Promise<{ table: Awaited<ReturnType<typeof yieldGapTable>>; norm: Normals | null; rows: YieldGapRow[] }>;
  private async rowsFor(crop: Crop, year: number, all = false) {
    const [table, norm] = await Promise.all([yieldGapTable(crop, year), normals(crop, year).catch(() => null)]);
    const byId = new Map(norm?.rows.map((r) => [r.regionId, r]) ?? []);
    const rows = table.rows.map((r) => {
      const n = byId.get(String(r.regionId));
      return n ? { ...r, yieldVsNormalPct: n.yieldDiffPct, productionVsNormalPct: n.productionDiffPct } : r;
    });
    return all ? { table, norm, rows } : rows;
  }

  /** Map colours, legend, ranking and status from the current rows. */
  private paint(): void {
    const cm = this.ctx.colormaps.get(this.colormap);
    const stops = cm && cm.kind === 'continuous' ? cm.stops : [{ value: 0, color: '#440154' }, { value: 1, color: '#fde725' }];
    const values = new Map<string, number | null>();
    for (const [id, r] of this.rowsById) values.set(id, valueOf(r, this.indicator));
    // fixed breaks per indicator: the same classes for every year and crop
    this.classes = fixedClasses(indicator(this.indicator).breaks, [...values.values()], stops);
    this.stateEl.replaceChildren(this.normals ? stateTotalsPanel(this.normals, cropLabel(this.ctx.crop)) : '');
    this.ctx.layers.setChoropleth(values, fillExpression(this.classes, 'v', NO_DATA_COLOR));
    const legend = () => (this.rows.length ? choroplethLegend(this.classes, (v) => fmtIndicator(this.indicator, v), `${indicatorLabel(this.indicator)} · ${cropLabel(this.ctx.crop)} ${this.ctx.year}`) : null);
    this.legendEl.replaceChildren(legend() ?? '');
    emit(this.ctx, 'choropleth', legend);
    void this.swipe.refresh();
    this.renderStatus();
    this.renderRanking();
  }

  private renderStatus(): void {
    const msgs: HTMLElement[] = [];
    if (this.loading) msgs.push(notice(t('loading'), 'info'));
    if (this.rowsError) msgs.push(notice(describeError(this.rowsError, 'wYieldGap'), 'error', () => void this.load()));
    if (this.ctx.regions.error) msgs.push(notice(describeError(this.ctx.regions.error, 'wRegions'), 'warn'));
    this.statusEl.replaceChildren(...msgs);
  }

  // ---------- controls ----------

  private renderControls(): void {
    const { ctx } = this;
    const cropId = nextId('crop');
    const yearId = nextId('year');
    const indId = nextId('ind');
    const cmId = nextId('cmap');
    const safe = [...ctx.colormaps.values()].filter((c) => c.kind === 'continuous' && c.colorblindSafe && c.name !== 'greys');
    replaceKeepingFocus(this.controlsEl,
      h('div', { class: 'field' }, h('label', { for: cropId }, t('crop')), h('select', { id: cropId, 'data-control': 'crop', onchange: (e) => this.setCropYear((e.target as HTMLSelectElement).value, ctx.year) },
        ...ctx.crops.map((c) => h('option', { value: c.crop, selected: c.crop === ctx.crop }, cropLabel(c.crop))))),
      h('div', { class: 'field' }, h('label', { for: yearId }, t('year')), h('select', { id: yearId, 'data-control': 'year', onchange: (e) => this.setCropYear(ctx.crop, Number((e.target as HTMLSelectElement).value)) },
        ...[...ctx.years].reverse().map((y) => h('option', { value: y, selected: y === ctx.year }, String(y))))),
      h('div', { class: 'field field-wide' }, h('label', { for: indId }, t('indicator')), h('select', { id: indId, 'data-control': 'indicator', onchange: (e) => {
        this.indicator = (e.target as HTMLSelectElement).value as IndicatorKey;
        this.colormap = indicator(this.indicator).colormap;
        setParams({ ind: this.indicator === 'yieldGapPct' ? null : this.indicator });
        this.renderControls();
        this.paint();
        this.renderRegion();
      } }, ...INDICATORS.filter((i) => i.mappable).map((i) => h('option', { value: i.key, selected: i.key === this.indicator }, indicatorLabel(i.key))))),
      h('div', { class: 'field' }, h('label', { for: cmId }, t('colormap')), h('select', { id: cmId, 'data-control': 'colormap', onchange: (e) => {
        this.colormap = (e.target as HTMLSelectElement).value;
        this.paint();
      } }, ...safe.map((c) => h('option', { value: c.name, selected: c.name === this.colormap }, colormapName(c.name, c.title))))),
    );
  }

  private setCropYear(crop: Crop, year: number, fromSelect = true): void {
    this.ctx.crop = crop;
    this.ctx.year = year;
    setParams({ crop, year });
    emit(this.ctx, 'crop-year');
    if (fromSelect) this.player.stop();
    this.player.setYear(year);
    const sel = this.controlsEl.querySelector<HTMLSelectElement>('select[data-control="year"]');
    if (sel) sel.value = String(year);
    this.loaded = this.load();
  }

  /** resolves when the current crop and year are on screen (the year player waits for it) */
  private loaded: Promise<void> = Promise.resolve();

  // ---------- ranking ----------

  private sortedRows(): YieldGapRow[] {
    const f = this.filter.trim().toLocaleLowerCase();
    const rows = f ? this.rows.filter((r) => r.name.toLocaleLowerCase().includes(f) || String(r.regionId).includes(f)) : [...this.rows];
    const dir = this.sort.dir === 'asc' ? 1 : -1;
    if (this.sort.key === 'name') rows.sort((a, b) => dir * a.name.localeCompare(b.name, 'pt-BR'));
    else
      rows.sort((a, b) => {
        const va = valueOf(a, this.indicator);
        const vb = valueOf(b, this.indicator);
        if (va === null && vb === null) return a.name.localeCompare(b.name, 'pt-BR');
        if (va === null) return 1;
        if (vb === null) return -1;
        return dir * (va - vb);
      });
    return rows;
  }

  /** Rank by the indicator, largest first, independent of the table's sort. */
  private ranks(): Map<string, number> {
    const ordered = this.rows.filter((r) => valueOf(r, this.indicator) !== null).sort((a, b) => valueOf(b, this.indicator)! - valueOf(a, this.indicator)!);
    return new Map(ordered.map((r, i) => [String(r.regionId), i + 1]));
  }

  private renderRanking(): void {
    if (!this.rows.length) {
      this.rankingEl.replaceChildren();
      return;
    }
    const rows = this.sortedRows();
    const ranks = this.ranks();
    const filterId = nextId('filter');
    const sortBtn = (key: 'name' | 'value', label: string) => {
      const active = this.sort.key === key;
      return h('button', {
        type: 'button',
        class: 'sort-btn',
        'data-sort': key,
        onclick: () => {
          this.sort = { key, dir: active ? (this.sort.dir === 'asc' ? 'desc' : 'asc') : key === 'name' ? 'asc' : 'desc' };
          this.renderRanking();
          (this.rankingEl.querySelector(`[data-sort="${key}"]`) as HTMLElement | null)?.focus();
        },
      }, label, h('span', { class: 'sort-mark', 'aria-hidden': 'true' }, active ? (this.sort.dir === 'asc' ? ' ▲' : ' ▼') : ' ↕'));
    };
    const ariaSort = (key: 'name' | 'value') => (this.sort.key === key ? (this.sort.dir === 'asc' ? 'ascending' : 'descending') : 'none');
    // one tab stop for the whole list; arrow keys move within it
    const focusId = rows.some((r) => String(r.regionId) === this.selected) ? this.selected : String(rows[0]?.regionId ?? '');
    const tbody = h('tbody', { onkeydown: (e) => this.onListKey(e as KeyboardEvent) });
    for (const r of rows) {
      const id = String(r.regionId);
      const v = valueOf(r, this.indicator);
      const sw = h('span', { class: 'swatch', 'aria-hidden': 'true' });
      sw.style.background = v === null || !this.classes ? NO_DATA_COLOR : this.colorOf(v);
      tbody.append(
        h('tr', { class: id === this.selected ? 'selected' : '', 'data-region': id, 'aria-selected': id === this.selected ? 'true' : 'false' },
          h('td', { class: 'num' }, ranks.get(id) ?? '–'),
          h('td', {}, h('button', { type: 'button', class: 'link-btn', 'data-region-button': id, tabindex: id === focusId ? 0 : -1, onclick: () => this.select(id, true) }, r.name)),
          h('td', { class: 'num' }, sw, fmtIndicator(this.indicator, v)),
        ),
      );
    }
    const filterInput = h('input', { id: filterId, type: 'search', value: this.filter, autocomplete: 'off', oninput: (e) => {
      this.filter = (e.target as HTMLInputElement).value;
      this.renderRanking();
      const el = this.rankingEl.querySelector('input[type="search"]') as HTMLInputElement | null;
      el?.focus();
      el?.setSelectionRange(el.value.length, el.value.length);
    } });
    const hasGeo = Boolean(this.ctx.regions.value);
    // a re-render (new rows, regions arriving) keeps the focused ranking control focused
    replaceKeepingFocus(this.rankingEl,
      h('h2', {}, t('ranking')),
      h('p', { class: 'hint' }, t('rankingHint')),
      h('div', { class: 'field' }, h('label', { for: filterId }, t('filter')), filterInput),
      h('div', { class: 'table-wrap', tabindex: 0, role: 'region', 'aria-label': t('ranking') },
        h('table', { class: 'ranking-table' },
          h('caption', { class: 'sr-only' }, `${t('ranking')}: ${indicatorLabel(this.indicator)}, ${cropLabel(this.ctx.crop)} ${this.ctx.year}`),
          h('colgroup', {}, h('col', { class: 'col-rank' }), h('col', { class: 'col-name' }), h('col', { class: 'col-value' })),
          h('thead', {}, h('tr', {},
            h('th', { scope: 'col', class: 'num' }, t('rank')),
            h('th', { scope: 'col', 'aria-sort': ariaSort('name') }, sortBtn('name', t('municipality'))),
            h('th', { scope: 'col', class: 'num', 'aria-sort': ariaSort('value') }, sortBtn('value', indicatorLabel(this.indicator))))),
          tbody)),
      h('div', { class: 'downloads' },
        h('button', { type: 'button', class: 'btn', 'data-download': 'geojson', disabled: !hasGeo, onclick: () => void this.download('geojson') }, t('downloadGeojson')),
        h('button', { type: 'button', class: 'btn', 'data-download': 'csv', onclick: () => void this.download('csv') }, t('downloadCsv')),
        h('button', { type: 'button', class: 'btn', 'data-download': 'csv-ptbr', onclick: () => void this.download('csv-ptbr') }, t('downloadCsvPtBr')),
        h('p', { class: 'hint' }, t('downloadHint', { n: rows.length })),
      ),
    );
  }

  private onListKey(e: KeyboardEvent): void {
    const buttons = [...this.rankingEl.querySelectorAll<HTMLButtonElement>('[data-region-button]')];
    const i = buttons.indexOf(document.activeElement as HTMLButtonElement);
    if (i < 0) return;
    const to = { ArrowDown: i + 1, ArrowUp: i - 1, Home: 0, End: buttons.length - 1, PageDown: i + 10, PageUp: i - 10 }[e.key];
    if (to === undefined) return;
    e.preventDefault();
    const j = Math.max(0, Math.min(buttons.length - 1, to));
    buttons[i]!.tabIndex = -1;
    buttons[j]!.tabIndex = 0;
    buttons[j]!.focus();
  }

  private colorOf(v: number): string {
    const c = this.classes;
    if (!c) return NO_DATA_COLOR;
    let i = 0;
    while (i < c.breaks.length && v >= c.breaks[i]!) i++;
    return c.colors[i] ?? NO_DATA_COLOR;
  }

  /** One line for the map's tooltip: name and the indicator's value. */
  describe(id: string, name: string): string {
    const r = this.rowsById.get(id);
    return r ? `${name}: ${indicatorLabel(this.indicator)} ${fmtIndicator(this.indicator, valueOf(r, this.indicator))}` : name;
  }

  // ---------- selection ----------

  select(id: string | null, fromList: boolean, focus = true): void {
    if (id === this.selected && !fromList) return;
    this.selected = id;
    setParams({ region: id });
    this.ctx.layers.selectRegion(id);
    if (id && fromList) emit(this.ctx, 'fit-region', id);
    this.renderRegion();
    this.rankingEl.querySelectorAll('tr[data-region]').forEach((tr) => {
      const on2 = tr.getAttribute('data-region') === id;
      tr.classList.toggle('selected', on2);
      tr.setAttribute('aria-selected', on2 ? 'true' : 'false');
    });
    if (id) {
      void this.loadRegionInfo(id);
      // focus follows the choice (never lost to <body>)
      if (focus) (this.regionEl.querySelector('h2') as HTMLElement | null)?.focus();
    }
  }

  private renderRegion(): void {
    const id = this.selected;
    if (!id) {
      replaceKeepingFocus(this.regionEl, h('p', { class: 'hint' }, t('clickRegion')));
      return;
    }
    const row = this.rowsById.get(id);
    const feature = this.ctx.regionById.get(id);
    const name = row?.name ?? feature?.properties.name ?? id;
    const children: Array<HTMLElement | string> = [
      h('div', { class: 'region-head' },
        h('h2', { tabindex: -1, 'data-region-name': id, 'data-focus-key': 'region-name' }, name),
        h('button', { type: 'button', class: 'btn btn-small', 'aria-label': `${t('close')}: ${name}`, onclick: () => this.select(null, false) }, '×')),
      h('p', { class: 'muted' }, `${t('ibgeCode')} ${id} · ${cropLabel(this.ctx.crop)} ${this.ctx.year}`),
    ];
    if (!row) {
      children.push(this.rowsError ? notice(describeError(this.rowsError, 'wYieldGap'), 'warn') : notice(this.loading ? t('loading') : t('noRegionData', { crop: cropLabel(this.ctx.crop), name, year: this.ctx.year }), 'info'));
      replaceKeepingFocus(this.regionEl, ...children);
      return;
    }
    const dl = h('dl', { class: 'indicators' });
    for (const ind of INDICATORS) {
      if (ind.derived) continue;
      const v = valueOf(row, ind.key);
      if (v === null && !(ind.key in row)) continue;
      dl.append(
        h('div', { class: ind.key === this.indicator ? 'ind current' : 'ind' },
          h('dt', {}, indicatorLabel(ind.key)),
          h('dd', { 'data-field': ind.key, 'data-value': v === null ? '' : String(v) }, fmtIndicator(ind.key, v))),
      );
    }
    children.push(dl);
    const mapped = this.mappedAreaNote(row);
    if (mapped) children.push(mapped);
    const normal = this.normals ? normalBlock(this.normals.rows.find((r) => r.regionId === id), this.normals) : null;
    if (normal) children.push(normal);
    const reason = this.priority.reasonOf(id);
    if (reason) children.push(h('p', { class: 'reason', 'data-testid': 'priority-reason' }, reason));
    children.push(this.historyBlock(id));
    // flags and the method in the page's language, from their codes (server/contract/row-messages.ts)
    const flags = row.flagCodes.map(rowText);
    if (flags.length) children.push(h('details', { class: 'flags' }, h('summary', {}, `${t('flags')} (${flags.length})`), h('ul', {}, ...flags.map((f) => h('li', {}, f)))));
    children.push(h('details', { class: 'method' }, h('summary', {}, t('method')), h('p', {}, rowText(row.methodCode)), this.priorityMethod ? h('p', {}, `${t('priorityMethod')}: ${rowText({ code: 'priority-method', params: {} })}`) : null, this.inputsBlock(row)));
    children.push(this.answers.for(id, this.ctx.crop));
    children.push(this.sourcesBlock(id));
    replaceKeepingFocus(this.regionEl, ...children);
  }

  /** The mapped area's 95 % interval and what it covers, beside the number (not folded away). */
  private mappedAreaNote(row: YieldGapRow): HTMLElement | null {
    const ci = row.mappedAreaCi95Ha as [number, number] | null | undefined;
    const cm = row.cropMap as { season?: [string, string]; regionCoveredShare?: number } | null | undefined;
    if (typeof row.mappedAreaHa !== 'number' || !cm) return null;
    const parts: string[] = [];
    if (ci) parts.push(t('mappedInterval', { lo: fmtNum(ci[0]), hi: fmtNum(ci[1]) }));
    if (typeof cm.regionCoveredShare === 'number') parts.push(t('mappedCovers', { share: fmtNum(cm.regionCoveredShare * 100, 0) }));
    const seasonEnd = cm.season ? Number(cm.season[1].slice(0, 4)) : null;
    const stale = seasonEnd !== null && seasonEnd !== this.ctx.year;
    return h('p', { class: stale ? 'notice notice-warn mapped-note' : 'muted small mapped-note', 'data-testid': 'mapped-interval', 'data-low': ci?.[0] ?? '', 'data-high': ci?.[1] ?? '' },
      h('span', {}, [...parts, stale && cm.season ? t('mappedSeason', { season: `${cm.season[0].slice(0, 4)}-${cm.season[1].slice(2, 4)}`, year: this.ctx.year }) : ''].filter(Boolean).join(' ')));
  }

  private inputsBlock(row: YieldGapRow): HTMLElement {
    const inp = row.inputs as { window?: number[]; attainableYield?: { percentile?: number; nMunicipalities?: number }; price?: { series?: string; year?: number; unit?: string; monthsUsed?: number } | null; population?: { yearUsed?: number; value?: number } | null } | undefined;
    if (!inp) return h('span', {});
    const items: string[] = [];
    if (inp.window) items.push(`Ya: ${inp.window.join('–')}`);
    if (inp.attainableYield) items.push(`P${inp.attainableYield.percentile ?? '?'} · ${fmtNum(inp.attainableYield.nMunicipalities ?? null)} ${t('municipality').toLowerCase()}`);
    if (inp.price) items.push(`${inp.price.series ?? ''} ${inp.price.year ?? ''} (${inp.price.unit ?? ''}, ${inp.price.monthsUsed ?? '?'}/12)`);
    if (inp.population) items.push(`${t('ind_population')}: ${inp.population.yearUsed ?? '?'}`);
    return h('div', {}, h('h3', {}, t('inputs')), h('ul', {}, ...items.map((s) => h('li', {}, s))));
  }

  private sourcesBlock(id: string): HTMLElement {
    const info = this.regionInfo.get(id);
    const wrap = h('details', { class: 'sources' }, h('summary', {}, t('sources')));
    const list = sourcesOf(info && !(info instanceof ApiError) ? info.sources : undefined).concat(sourcesOf(this.tableSources));
    const unique = [...new Set(list)];
    // sources are cited as their providers name them
    if (unique.length) wrap.append(h('ul', { 'data-source-text': '' }, ...unique.map((s) => h('li', {}, s))));
    else if (!info) wrap.append(h('p', { class: 'muted' }, t('loading')));
    else if (info instanceof ApiError) wrap.append(notice(describeError(info, 'wRegion'), 'info'));
    else wrap.append(h('p', { class: 'muted' }, '–'));
    return wrap;
  }

  private async loadRegionInfo(id: string): Promise<void> {
    if (this.regionInfo.has(id)) return;
    try {
      this.regionInfo.set(id, await regionRecord(id));
    } catch (e) {
      this.regionInfo.set(id, e instanceof ApiError ? e : new ApiError('server', '', 0, null, String(e)));
    }
    if (this.selected === id) this.renderRegion();
  }

  // ---------- history ----------

  private historyYears(): number[] {
    return this.ctx.years.slice(-15);
  }

  /** year -> record: /api/regions/{id} crops[crop].history when it has the indicator, else per-year rows. */
  private historyOf(id: string): Map<number, Record<string, unknown>> | null {
    const info = this.regionInfo.get(id);
    const hist = info && !(info instanceof ApiError) ? ((info.crops as Record<string, { history?: Array<Record<string, unknown>> }> | undefined)?.[this.ctx.crop]?.history ?? null) : null;
    if (hist && hist.some((r) => this.indicator in r)) return new Map(hist.map((r) => [Number(r.year), r]));
    const years = this.historyYears();
    if (years.some((y) => !this.history.has(`${this.ctx.crop}|${id}|${y}`))) return null;
    return new Map(years.map((y) => [y, (this.history.get(`${this.ctx.crop}|${id}|${y}`) ?? {}) as Record<string, unknown>]));
  }

  private historyBlock(id: string): HTMLElement {
    const title = t('history', { indicator: indicatorLabel(this.indicator) });
    const hist = this.historyOf(id);
    if (!hist) {
      if (this.regionInfo.has(id)) void this.loadHistoryRows(id);
      return h('section', { class: 'history' }, h('h3', {}, title), h('p', { class: 'muted' }, t('loading')));
    }
    const years = [...hist.keys()].sort((a, b) => a - b).slice(-15);
    const data = years.map((y) => {
      const v = hist.get(y)?.[this.indicator];
      return { year: y, value: typeof v === 'number' && Number.isFinite(v) ? v : null };
    });
    if (data.every((d) => d.value === null)) return h('section', { class: 'history' }, h('h3', {}, title), h('p', { class: 'muted' }, t('historyEmpty')));
    const color = this.classes?.colors[Math.floor((this.classes.colors.length - 1) / 2)] ?? '#21918c';
    return h('section', { class: 'history', 'data-testid': 'history' }, h('h3', {}, title),
      barChart({ data, current: this.ctx.year, color, ariaLabel: `${title}: ${data.filter((d) => d.value !== null).map((d) => `${d.year} ${fmtIndicator(this.indicator, d.value)}`).join('; ')}`, fmtY: (v) => fmtIndicator(this.indicator, v) }));
  }

  /** Fallback when /api/regions/{id} has no history of the indicator: one request per year. */
  private async loadHistoryRows(id: string): Promise<void> {
    const crop = this.ctx.crop;
    const years = this.historyYears().filter((y) => !this.history.has(`${crop}|${id}|${y}`));
    if (!years.length || this.historyLoading.has(`${crop}|${id}`)) return;
    this.historyLoading.add(`${crop}|${id}`);
    const res = await mapLimit(years, 4, (y) => api.yieldGap(crop, y, { region: id }));
    res.forEach((r, i) => this.history.set(`${crop}|${id}|${years[i]}`, r.status === 'fulfilled' ? (r.value.find((x) => String(x.regionId) === id) ?? null) : null));
    this.historyLoading.delete(`${crop}|${id}`);
    if (this.selected === id) this.renderRegion();
  }

  // ---------- downloads ----------

  private async download(kind: 'geojson' | 'csv' | 'csv-ptbr'): Promise<void> {
    const rows = this.sortedRows();
    const base = `granary_${this.ctx.crop}_${this.ctx.year}`;
    const flat = rows.map(flatRow);
    if (kind !== 'geojson') {
      const dialect = kind === 'csv' ? 'intl' : 'pt-BR';
      saveText(`${base}${dialect === 'pt-BR' ? '_pt-BR' : ''}.csv`, 'text/csv;charset=utf-8', toCsv(API_CSV_COLUMNS, flat, dialect));
      return;
    }
    // the download carries the boundaries at full precision, not the map's simplified ones
    let byId = this.ctx.regionById;
    try {
      byId = new Map((await fullBoundaries()).features.map((f) => [String(f.properties.id), f]));
    } catch {
      /* the map's boundaries are better than none */
    }
    const features: Feature[] = [];
    rows.forEach((r, i) => {
      const f = byId.get(String(r.regionId));
      if (f) features.push({ type: 'Feature', id: String(r.regionId), geometry: f.geometry, properties: flat[i]! });
    });
    saveText(`${base}.geojson`, 'application/geo+json', JSON.stringify({ type: 'FeatureCollection', features }));
  }
}


/** "source (licence)" lines from a `sources` list of strings or {source|name|title, licence, url}. */
function sourcesOf(v: unknown): string[] {
  if (!Array.isArray(v)) return [];
  return v.flatMap((x): string[] => {
    if (typeof x === 'string') return [x];
    if (!x || typeof x !== 'object') return [];
    const o = x as Record<string, unknown>;
    const name = [o.source, o.name, o.title].find((n) => typeof n === 'string') as string | undefined;
    if (!name) return [];
    const extra = [o.licence ?? o.license, o.url ?? o.href].filter((e) => typeof e === 'string');
    return [extra.length ? `${name} (${extra.join('; ')})` : name];
  });
}
