/**
 * "Side by side": the policymaker's map split by a divider, the current crop and year on the left and
 * another crop or year on the right, in the same classes. Permalinked as `swipe=<crop>-<year>` and
 * `swipex=<divider %>`.
 */
import { h, nextId } from '../dom';
import { defineStrings, onLangChange } from '../i18n';
import { param, setParams } from '../permalink';
import { SwipeMap, type SwipeSide } from '../map/swipe';
import type { Crop, Ctx } from '../state';
import { cropLabel } from '../crops';

const tr = defineStrings(
  'swipe',
  {
    title: 'Side by side',
    toggle: 'Compare with another crop or year (swipe)',
    crop: 'Right side: crop',
    year: 'Right side: year',
    divider: 'Divider between {left} (left) and {right} (right)',
    position: '{n} % of the map shows {left}',
    hint: 'Drag the divider, or focus it and use the arrow keys. Both sides use the same classes.',
    loading: 'Loading the right side…',
  },
  {
    title: 'Lado a lado',
    toggle: 'Comparar com outra cultura ou outro ano (deslizar)',
    crop: 'Lado direito: cultura',
    year: 'Lado direito: ano',
    divider: 'Divisória entre {left} (esquerda) e {right} (direita)',
    position: '{n} % do mapa mostra {left}',
    hint: 'Arraste a divisória, ou selecione-a e use as setas do teclado. Os dois lados usam as mesmas classes.',
    loading: 'Carregando o lado direito…',
  },
);

interface SwipeSource {
  /** the right side's values and colours for a crop and year (the left side's classes) */
  side(crop: Crop, year: number): Promise<Omit<SwipeSide, 'label'>>;
}

export class SwipeControl {
  readonly el = h('div', { class: 'swipe-control', 'data-testid': 'swipe-control' });
  private on: boolean;
  private crop: Crop;
  private year: number;
  private position: number;
  private map: SwipeMap | null = null;
  private seq = 0;
  private busy = false;

  constructor(private readonly ctx: Ctx, private readonly source: SwipeSource) {
    const m = /^(.+)-(\d{4})$/.exec(param('swipe') ?? '');
    this.on = Boolean(m && ctx.years.includes(Number(m[2])));
    this.crop = ctx.crops.find((c) => c.crop === m?.[1])?.crop ?? ctx.crop;
    this.year = this.on ? Number(m![2]) : this.defaultYear();
    const x = Number(param('swipex'));
    this.position = param('swipex') !== null && Number.isFinite(x) ? Math.max(0, Math.min(100, x)) : 50;
    onLangChange(() => {
      this.render();
      void this.refresh();
    });
    this.render();
  }

  /** five years before the current one, else the earliest */
  private defaultYear(): number {
    const y = this.ctx.year - 5;
    return this.ctx.years.includes(y) ? y : (this.ctx.years[0] ?? this.ctx.year);
  }

  private render(): void {
    const toggleId = nextId('swipe-on');
    const cropId = nextId('swipe-crop');
    const yearId = nextId('swipe-year');
    const pickers = this.on
      ? [
          h('div', { class: 'field' }, h('label', { for: cropId }, tr('crop')), h('select', { id: cropId, 'data-control': 'swipe-crop', onchange: (e) => this.choose((e.target as HTMLSelectElement).value, this.year) },
            ...this.ctx.crops.map((c) => h('option', { value: c.crop, selected: c.crop === this.crop }, cropLabel(c.crop))))),
          h('div', { class: 'field' }, h('label', { for: yearId }, tr('year')), h('select', { id: yearId, 'data-control': 'swipe-year', onchange: (e) => this.choose(this.crop, Number((e.target as HTMLSelectElement).value)) },
            ...[...this.ctx.years].reverse().map((y) => h('option', { value: y, selected: y === this.year }, String(y))))),
          h('p', { class: 'hint' }, tr('hint')),
        ]
      : [];
    this.el.replaceChildren(
      h('div', { class: 'check' }, h('input', { id: toggleId, type: 'checkbox', checked: this.on, 'data-control': 'swipe', onchange: (e) => this.toggle((e.target as HTMLInputElement).checked) }), h('label', { for: toggleId }, tr('toggle'))),
      ...pickers,
      h('p', { class: 'muted small', role: 'status', 'data-testid': 'swipe-status' }, this.busy ? tr('loading') : ''),
    );
  }

  private toggle(on: boolean): void {
    this.on = on;
    if (!on) {
      this.map?.destroy();
      this.map = null;
    }
    this.writeParams();
    this.render();
    (this.el.querySelector('[data-control="swipe"]') as HTMLElement | null)?.focus();
    void this.refresh();
  }

  private choose(crop: Crop, year: number): void {
    this.crop = crop;
    this.year = year;
    this.writeParams();
    void this.refresh();
  }

  private writeParams(): void {
    setParams({ swipe: this.on ? `${this.crop}-${this.year}` : null, swipex: this.on && this.position !== 50 ? this.position : null });
  }

  /** Redraws the right side (after a change of crop, year, indicator or colours on either side). */
  async refresh(): Promise<void> {
    if (!this.on || !this.ctx.regions.value) return;
    const seq = ++this.seq;
    if (!this.map)
      this.map = new SwipeMap(this.ctx.map, this.ctx.regions.value, this.position, (p) => {
        this.position = p;
        this.writeParams();
        void this.label();
      });
    this.busy = true;
    this.setStatus();
    try {
      const side = await this.source.side(this.crop, this.year);
      if (seq !== this.seq || !this.map) return;
      this.side = side;
      await this.label();
    } finally {
      if (seq === this.seq) {
        this.busy = false;
        this.setStatus();
      }
    }
  }

  private side: Omit<SwipeSide, 'label'> | null = null;

  private async label(): Promise<void> {
    if (!this.map || !this.side) return;
    const left = `${cropLabel(this.ctx.crop)} ${this.ctx.year}`;
    const right = `${cropLabel(this.crop)} ${this.year}`;
    await this.map.set(left, { ...this.side, label: right }, tr('divider', { left, right }), tr('position', { n: this.position, left }));
  }

  private setStatus(): void {
    const st = this.el.querySelector('[data-testid="swipe-status"]');
    if (st) st.textContent = this.busy ? tr('loading') : '';
  }

  /** The overlay has drawn its side (for the export and the browser checks). */
  idle(): Promise<void> {
    return this.map ? this.map.idle() : Promise.resolve();
  }

  /** Leaves the map (another view is shown); `show()` brings it back. */
  hide(): void {
    this.map?.destroy();
    this.map = null;
  }

  show(): void {
    void this.refresh();
  }
}
