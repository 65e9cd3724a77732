/**
 * Field report form for the farmer view: "what actually grows here?" (class, date, optional category
 * (pest, disease, weather damage, crop condition, other) and note),
 * sent to POST /api/field-reports. Anonymous reports wait for review by a token holder before they
 * are used, and are limited per hour (429): the form says so in plain words.
 *
 * Self-contained (its own pt/en strings) so it can be added to the farmer view with two lines:
 *
 *   // in FarmerView: a field, created once
 *   private readonly report = new FieldReportForm(() => this.ctx.model.value);
 *   // at the end of renderResult(), when there is a point:
 *   this.report.setPoint(point.lon, point.lat, point.crop?.class?.name ?? null);
 *   parts.push(this.report.el);
 */
import { h, nextId } from '../dom';
import { className, defineStrings, onLangChange } from '../i18n';
import { notice } from '../notice';
import type { ModelCard } from '../types';
import type { ReportCategory } from '../../../server/contract/reports';

const NOTE_MAX = 500;

const EN = {
    title: 'What grows here?',
    intro: 'Tell us what actually grows at this point. A person reviews every report before it is used to check or improve the map.',
    cls: 'Crop or land cover',
    date: 'Date seen',
    category: 'What is it about? (optional)',
    catNone: 'Only what grows here',
    catPest: 'A pest (insects, mites, …)',
    catDisease: 'A disease (fungus, virus, …)',
    catWeather: 'Weather damage (drought, hail, frost, flooding)',
    catCondition: 'How the crop looks (stand, vigour)',
    catOther: 'Something else',
    categoryHelp: 'Once reviewed, pest and disease reports close together raise an alert for the municipality.',
    note: 'Note (optional)',
    left: '{n} characters left',
    send: 'Send report',
    sending: 'Sending…',
    thanks: 'Thank you: report {id} waits for review before it is used.',
    tooMany: 'Too many reports from this device for now; please try again later.',
    refused: 'The report was not accepted: {d}',
    failed: 'The report could not be sent (server unreachable). Please try again.',
    noModel: 'No crop model is installed, so there is no list of classes to choose from.',
};
const PT: typeof EN = {
    title: 'O que cresce aqui?',
    intro: 'Diga o que realmente cresce neste ponto. Uma pessoa revisa cada relato antes que ele seja usado para conferir ou melhorar o mapa.',
    cls: 'Cultura ou cobertura',
    date: 'Data da observação',
    category: 'Sobre o que é? (opcional)',
    catNone: 'Só o que cresce aqui',
    catPest: 'Uma praga (insetos, ácaros, …)',
    catDisease: 'Uma doença (fungo, vírus, …)',
    catWeather: 'Dano do tempo (seca, granizo, geada, alagamento)',
    catCondition: 'Como está a lavoura (estande, vigor)',
    catOther: 'Outra coisa',
    categoryHelp: 'Depois de revisados, relatos de praga ou doença próximos geram um alerta para o município.',
    note: 'Observação (opcional)',
    left: '{n} caracteres restantes',
    send: 'Enviar relato',
    sending: 'Enviando…',
    thanks: 'Obrigado: o relato {id} aguarda revisão antes de ser usado.',
    tooMany: 'Muitos relatos deste dispositivo por enquanto; tente novamente mais tarde.',
    refused: 'O relato não foi aceito: {d}',
    failed: 'Não foi possível enviar o relato (servidor inacessível). Tente novamente.',
    noModel: 'Nenhum modelo de culturas está instalado, então não há lista de classes.',
};

const tr = defineStrings('field-report', EN, PT);
/** the API's categories (server/contract/reports.ts), in the order offered; a Record so a new one fails the build here */
const CATEGORY_LABEL: Record<ReportCategory, keyof typeof EN> = { pest: 'catPest', disease: 'catDisease', weather_damage: 'catWeather', crop_condition: 'catCondition', other: 'catOther' };
const today = () => new Date().toISOString().slice(0, 10);

interface SubmitResult {
  ok: boolean;
  status: number;
  id?: number;
  detail?: string;
}

/** POST /api/field-reports; never throws (network failure is status 0). */
async function submitFieldReport(body: { lon: number; lat: number; class: string; date: string; category?: ReportCategory; note?: string; model?: string }): Promise<SubmitResult> {
  let res: Response;
  try {
    res = await fetch('/api/field-reports', { method: 'POST', headers: { 'Content-Type': 'application/json', Accept: 'application/json' }, body: JSON.stringify(body) });
  } catch {
    return { ok: false, status: 0 };
  }
  let json: Record<string, unknown> = {};
  try {
    json = (await res.json()) as Record<string, unknown>;
  } catch {
    json = {};
  }
  return { ok: res.ok, status: res.status, ...(typeof json.id === 'number' ? { id: json.id } : {}), ...(typeof json.detail === 'string' ? { detail: json.detail } : {}) };
}

export class FieldReportForm {
  readonly el = h('section', { class: 'field-report', 'data-testid': 'field-report' });
  private lon: number | null = null;
  private lat: number | null = null;
  private suggested: string | null = null;
  private statusEl = h('div', { role: 'status', 'aria-live': 'polite' });
  private busy = false;
  /** the model whose classes the form lists */
  private renderedModel: string | undefined;

  constructor(private readonly model: () => ModelCard | null) {
    onLangChange(() => this.render());
    this.render();
  }

  /** The point the report is about; `suggested` preselects a class (e.g. the model's answer). */
  setPoint(lon: number, lat: number, suggested: string | null): void {
    // the farmer view renders again as its parts arrive: the same point keeps what is being typed
    if (lon === this.lon && lat === this.lat && suggested === this.suggested && this.model()?.id === this.renderedModel) return;
    if (lon !== this.lon || lat !== this.lat) this.statusEl.replaceChildren();
    this.lon = lon;
    this.lat = lat;
    this.suggested = suggested;
    this.render();
  }

  private render(): void {
    const card = this.model();
    this.renderedModel = card?.id;
    const classes = card?.classes ?? [];
    if (classes.length === 0) {
      this.el.replaceChildren(h('h3', {}, tr('title')), notice(tr('noModel'), 'warn'));
      return;
    }
    const clsId = nextId('report-class');
    const dateId = nextId('report-date');
    const noteId = nextId('report-note');
    const catId = nextId('report-category');
    const catHelpId = nextId('report-category-help');
    const counterId = nextId('report-left');
    const select = h('select', { id: clsId, name: 'class', required: true }, ...classes.map((c) => h('option', { value: c.name, selected: c.name === this.suggested }, className(c.name))));
    const category = h('select', { id: catId, name: 'category', 'aria-describedby': catHelpId }, h('option', { value: '' }, tr('catNone')), ...Object.entries(CATEGORY_LABEL).map(([value, key]) => h('option', { value }, tr(key))));
    const date = h('input', { id: dateId, name: 'date', type: 'date', required: true, max: today(), min: '2000-01-01', value: today() });
    const counter = h('span', { id: counterId, class: 'muted small' }, tr('left', { n: NOTE_MAX }));
    const note = h('textarea', { id: noteId, name: 'note', maxlength: NOTE_MAX, rows: 3, 'aria-describedby': counterId });
    note.addEventListener('input', () => (counter.textContent = tr('left', { n: NOTE_MAX - note.value.length })));
    const button = h('button', { type: 'submit', class: 'btn btn-primary' }, tr('send'));
    const form = h(
      'form',
      { class: 'field-report-form', novalidate: true },
      h('div', { class: 'field' }, h('label', { for: clsId }, tr('cls')), select),
      h('div', { class: 'field' }, h('label', { for: dateId }, tr('date')), date),
      h('div', { class: 'field' }, h('label', { for: catId }, tr('category')), category, h('span', { id: catHelpId, class: 'muted small' }, tr('categoryHelp'))),
      h('div', { class: 'field' }, h('label', { for: noteId }, tr('note')), note, counter),
      h('div', { class: 'button-row' }, button),
    );
    form.onsubmit = (e) => {
      e.preventDefault();
      if (this.busy || this.lon === null || this.lat === null) return;
      void this.send(button, { lon: this.lon, lat: this.lat, class: select.value, date: date.value, category: (category.value || null) as ReportCategory | null, note: note.value.trim(), model: card?.id });
    };
    this.el.replaceChildren(h('h3', {}, tr('title')), h('p', { class: 'muted small' }, tr('intro')), form, this.statusEl);
  }

  private async send(button: HTMLButtonElement, b: { lon: number; lat: number; class: string; date: string; category: ReportCategory | null; note: string; model: string | undefined }): Promise<void> {
    this.busy = true;
    button.disabled = true;
    this.statusEl.replaceChildren(notice(tr('sending'), 'info'));
    const r = await submitFieldReport({ lon: b.lon, lat: b.lat, class: b.class, date: b.date, ...(b.category ? { category: b.category } : {}), ...(b.note ? { note: b.note } : {}), ...(b.model ? { model: b.model } : {}) });
    this.busy = false;
    button.disabled = false;
    if (r.ok && r.id !== undefined) this.statusEl.replaceChildren(notice(tr('thanks', { id: r.id }), 'info'));
    else if (r.status === 429) this.statusEl.replaceChildren(notice(tr('tooMany'), 'warn'));
    else if (r.status === 0) this.statusEl.replaceChildren(notice(tr('failed'), 'error'));
    else this.statusEl.replaceChildren(notice(tr('refused', { d: r.detail ?? `HTTP ${r.status}` }), 'error'));
  }
}
