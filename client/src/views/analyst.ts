/**
 * Analyst view: what a county GIS analyst needs and the other users do not: the service's API and
 * OGC API - Features endpoints as copyable URLs (for the current crop, year and scene), the crop
 * model's card (inputs, classes, validation figures, training data, checksum), whole-scene crop-map
 * jobs (client/src/jobs.ts) and the label audit.
 */
import { LabelReviewPanel } from './label-review';
import { CropMapJobPanel } from '../jobs';
import { h, nextId } from '../dom';
import { defineStrings, fmtNum, fmtPct, onLangChange, sceneTitle } from '../i18n';
import { modelTitle, modelVariables } from '../models';
import { on, type Ctx } from '../state';
import { cropLabel } from '../crops';
import { getJson } from '../api';

const tr = defineStrings(
  'analyst',
  {
    title: 'Data services',
    intro: 'Every figure on this page comes from these addresses; GIS tools and county systems can read them directly.',
    copy: 'Copy',
    copied: 'Copied',
    copyFailed: 'Select the address and copy it',
    openapi: 'API contract (OpenAPI)',
    docs: 'API documentation (browsable)',
    ogc: 'OGC API - Features landing page (QGIS, GDAL: OAPIF)',
    regions: 'Municipalities as GeoJSON (OGC items)',
    alerts: 'Current alerts (dry spells, crop-condition drops, pest and disease reports) as GeoJSON (OGC items)',
    startOfSeason: 'Start of season per municipality and season as GeoJSON (OGC items)',
    yieldGapJson: 'Yield-gap indicators, {crop} {year} (JSON)',
    yieldGapCsv: 'Yield-gap indicators, {crop} {year} (CSV)',
    tileJson: 'Imagery tiles of the scene (TileJSON)',
    cropTileJson: 'Crop-map tiles of the scene (TileJSON)',
    card: 'Model card',
    noModel: 'No crop model is loaded.',
    inputs: 'Inputs',
    classes: 'Classes',
    accuracy: 'Overall accuracy',
    macroF1: 'Macro-F1',
    validation: 'Validation',
    training: 'Training data',
    checksum: 'SHA-256 of the model file',
    scene: 'Scene',
    audit: 'Label audit',
  },
  {
    title: 'Serviços de dados',
    intro: 'Todos os números desta página vêm destes endereços; programas de SIG e sistemas das prefeituras podem lê-los diretamente.',
    copy: 'Copiar',
    copied: 'Copiado',
    copyFailed: 'Selecione o endereço e copie',
    openapi: 'Contrato da API (OpenAPI)',
    docs: 'Documentação da API (navegável)',
    ogc: 'Página inicial OGC API - Features (QGIS, GDAL: OAPIF)',
    regions: 'Municípios em GeoJSON (itens OGC)',
    alerts: 'Alertas atuais (veranicos, queda da condição da lavoura, relatos de pragas e doenças) em GeoJSON (itens OGC)',
    startOfSeason: 'Início da safra por município e safra em GeoJSON (itens OGC)',
    yieldGapJson: 'Indicadores de lacuna de produtividade, {crop} {year} (JSON)',
    yieldGapCsv: 'Indicadores de lacuna de produtividade, {crop} {year} (CSV)',
    tileJson: 'Blocos de imagem da cena (TileJSON)',
    cropTileJson: 'Blocos do mapa de culturas da cena (TileJSON)',
    card: 'Ficha do modelo',
    noModel: 'Nenhum modelo de culturas carregado.',
    inputs: 'Entradas',
    classes: 'Classes',
    accuracy: 'Acurácia global',
    macroF1: 'F1 macro',
    validation: 'Validação',
    training: 'Dados de treino',
    checksum: 'SHA-256 do arquivo do modelo',
    scene: 'Cena',
    audit: 'Auditoria de rótulos',
  },
);

/** OGC collections of the #18 answers, with the catalog key of their label */
const ANSWER_COLLECTIONS = [
  ['alerts', 'alerts'],
  ['start-of-season', 'startOfSeason'],
] as const;

export class AnalystView {
  readonly el: HTMLElement;
  private readonly endpointsEl = h('section', { class: 'endpoints', 'data-testid': 'endpoints' });
  private readonly cardEl = h('section', { class: 'model-card', 'data-testid': 'model-card' });
  private readonly audit: LabelReviewPanel;
  private readonly auditEl: HTMLDetailsElement;
  private auditLoaded = false;
  /** ids of the OGC collections this server lists (some, like start-of-season, only once their data is loaded) */
  private collections: ReadonlySet<string> = new Set();

  constructor(private readonly ctx: Ctx) {
    this.audit = new LabelReviewPanel(ctx);
    this.audit.setVisible(false);
    this.auditEl = h('details', { class: 'label-review-section' }, h('summary', {}, tr('audit')), this.audit.el);
    this.auditEl.addEventListener('toggle', () => this.syncAudit());
    this.el = h('div', { class: 'view view-analyst' }, this.endpointsEl, this.cardEl, new CropMapJobPanel(ctx).el, this.auditEl);
    onLangChange(() => this.render());
    on(ctx, 'model', () => this.renderCard());
    on(ctx, 'crop-year', () => this.renderEndpoints());
    on(ctx, 'view', () => this.syncAudit());
    this.render();
    void this.loadCollections();
  }

  /** The answer layers are listed only when the server serves them (GET /ogc/collections), so every URL shown answers. */
  private async loadCollections(): Promise<void> {
    const doc = await getJson<{ collections: Array<{ id: string }> }>('/ogc/collections').catch(() => null);
    // the list is complete (or stays without the answer layers): a picture of this view waits for it
    this.endpointsEl.dataset.collections = doc ? 'listed' : 'unavailable';
    if (!doc) return;
    this.collections = new Set(doc.collections.map((c) => c.id));
    this.renderEndpoints();
  }

  /** The audit's map layer shows only while this view is on screen with the audit open. */
  private syncAudit(): void {
    const open = this.auditEl.open && this.ctx.view === 'analyst';
    if (open && !this.auditLoaded) {
      this.auditLoaded = true;
      void this.audit.load();
    }
    this.audit.setVisible(open);
  }

  private render(): void {
    (this.auditEl.querySelector('summary') as HTMLElement).textContent = tr('audit');
    this.renderEndpoints();
    this.renderCard();
  }

  private renderEndpoints(): void {
    const { ctx } = this;
    const o = location.origin;
    const crop = cropLabel(ctx.crop);
    const scene = encodeURIComponent(ctx.scene.id);
    const model = ctx.model.value ? `?model=${encodeURIComponent(ctx.model.value.id)}` : '';
    const rows: Array<[string, string]> = [
      [tr('ogc'), `${o}/ogc`],
      [tr('regions'), `${o}/ogc/collections/regions/items?limit=1000`],
      ...ANSWER_COLLECTIONS.filter(([id]) => this.collections.has(id)).map(([id, label]): [string, string] => [tr(label), `${o}/ogc/collections/${id}/items?limit=1000`]),
      [tr('yieldGapJson', { crop, year: ctx.year }), `${o}/api/yield-gap?crop=${ctx.crop}&year=${ctx.year}`],
      [tr('yieldGapCsv', { crop, year: ctx.year }), `${o}/api/yield-gap?crop=${ctx.crop}&year=${ctx.year}&format=csv`],
      [tr('tileJson'), `${o}/tiles/${scene}/tilejson.json`],
      [tr('cropTileJson'), `${o}/tiles/${scene}/crops/tilejson.json${model}`],
      [tr('openapi'), `${o}/openapi.json`],
      [tr('docs'), `${o}/docs`],
    ];
    this.endpointsEl.replaceChildren(
      h('h2', {}, tr('title')),
      h('p', { class: 'hint' }, tr('intro')),
      h('ul', { class: 'endpoint-list' }, ...rows.map(([label, url]) => endpointRow(label, url))),
    );
  }

  private renderCard(): void {
    const card = this.ctx.model.value;
    if (!card) {
      this.cardEl.replaceChildren(h('h2', {}, tr('card')), h('p', { class: 'muted' }, tr('noModel')));
      return;
    }
    const m = card.metrics ?? {};
    const training = card.trainingData;
    const dl = h('dl', { class: 'card-list' });
    const add = (k: string, v: string | null | undefined) => v && dl.append(h('dt', {}, k), h('dd', {}, v));
    add(tr('scene'), sceneTitle(this.ctx.scene.id, this.ctx.scene.title));
    add(tr('inputs'), modelVariables(card).map((v) => v.toUpperCase()).join(', '));
    add(tr('classes'), String(card.classes.length));
    add(tr('accuracy'), typeof m.overallAccuracy === 'number' ? fmtPct(m.overallAccuracy, 1) : null);
    add(tr('macroF1'), typeof m.macroF1 === 'number' ? fmtNum(m.macroF1, 3) : null);
    add(tr('validation'), typeof m.validation === 'string' ? m.validation : null);
    add(tr('training'), training ? [training.source, fmtNum(training.samples)].filter(Boolean).join(' · ') : null);
    add(tr('checksum'), typeof card.sha256 === 'string' ? card.sha256 : null);
    this.cardEl.replaceChildren(h('h2', {}, tr('card')), h('p', { class: 'muted', 'data-model': card.id }, `${modelTitle(card)} (${card.id})`), dl);
  }
}

function endpointRow(label: string, url: string): HTMLElement {
  const id = nextId('ep');
  const input = h('input', { id, type: 'text', readonly: true, value: url, class: 'endpoint-url', spellcheck: 'false' });
  const status = h('span', { class: 'muted small', role: 'status' });
  const button = h('button', {
    type: 'button',
    class: 'btn btn-small',
    'data-copy': url,
    onclick: () => {
      input.select();
      // the Clipboard API needs a secure context (https or localhost); on a LAN over http, select it for the user
      let answered = false;
      const done = (ok: boolean) => {
        if (answered) return;
        answered = true;
        status.textContent = ok ? tr('copied') : tr('copyFailed');
      };
      if (navigator.clipboard && window.isSecureContext) {
        navigator.clipboard.writeText(url).then(() => done(true), () => done(false));
        // a browser that neither writes nor refuses (a pending permission prompt) still gets an answer: the URL is selected
        setTimeout(() => done(false), 3000);
      } else done(false);
    },
  }, tr('copy'));
  return h('li', {}, h('label', { for: id }, label), h('div', { class: 'endpoint-row' }, input, button), status);
}
