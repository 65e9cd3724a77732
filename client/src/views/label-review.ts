/**
 * Label review panel: the label audit (`granary labels audit`, docs/data-centric.md) in the
 * dashboard. A table per class (samples, flagged, threshold), the suspect samples as a map layer
 * (circles in the colour of the likely class, outlined in the given class), and, for the selected
 * suspect, its NDVI curve beside the typical (median) curves of the given and the likely class,
 * with the reviewer's decision (keep / drop / relabel) and note.
 *
 * Reads GET /api/labels/audit, /api/labels/audit/suspects.geojson and /api/labels/audit/decisions.csv.
 * Self-contained (its own pt/en strings). To add it to the policymaker view:
 *
 *   const review = new LabelReviewPanel(ctx);   // once
 *   someContainer.append(review.el);
 *   void review.load();                          // fetches and adds the map layer
 *   review.setVisible(false | true);             // hides or shows the layer with the panel
 */
import { getJson } from '../api';
import { lineChart, type LineSeries } from '../chart';
import { h, safeColor } from '../dom';
import { className, defineStrings, onLangChange } from '../i18n';
import { describeError, notice } from '../notice';
import type { Ctx } from '../state';

const EN = {
    title: 'Label audit',
    intro: 'Training samples whose label the model finds implausible (confident learning on location-grouped cross-validation). Select one to compare its curve with the typical curves.',
    cls: 'Class', n: 'Samples', flagged: 'Flagged', threshold: 'Threshold',
    sample: 'this sample', given: 'typical', likely: 'typical',
    decision: 'Decision', none: 'not reviewed',
    keep: 'keep', drop: 'drop', relabel: 'relabel to',
    pick: 'Select a suspect sample on the map or in the list.',
    summary: '{f} of {n} samples flagged',
};
const PT: typeof EN = {
    title: 'Auditoria de rótulos',
    intro: 'Amostras de treino cujo rótulo o modelo considera implausível (aprendizado confiante sobre validação cruzada agrupada por local). Selecione uma para comparar sua curva com as curvas típicas.',
    cls: 'Classe', n: 'Amostras', flagged: 'Sinalizadas', threshold: 'Limiar',
    sample: 'esta amostra', given: 'típica', likely: 'típica',
    decision: 'Decisão', none: 'não revisada',
    keep: 'manter', drop: 'descartar', relabel: 'trocar para',
    pick: 'Selecione uma amostra suspeita no mapa ou na lista.',
    summary: '{f} de {n} amostras sinalizadas',
};
const tr = defineStrings('label-review', EN, PT);

interface ClassRow { name: string; n: number; flagged: number; threshold: number }
interface Report { samples: number; flagged: number; classes: ClassRow[] }
interface Curves { ndvi: number[]; evi: number[] }
interface SuspectProps {
  sample_id: string; location_id: string; season: string; given_label: string; likely_label: string;
  p_given: number; p_likely: number;
  evidence: { compositeDoy: number[]; sample: Curves; givenMedian: Curves; likelyMedian: Curves } | string;
}
interface Suspects { type: 'FeatureCollection'; features: Array<{ type: 'Feature'; geometry: { type: 'Point'; coordinates: [number, number] }; properties: SuspectProps }> }
interface Decision { decision: string; newLabel: string; reviewer: string; note: string }

const SOURCE = 'label-audit-suspects';

/** Minimal CSV reader for the decisions file (quoted fields with "" escapes). */
function parseDecisionsCsv(text: string): Map<string, Decision> {
  const rows: string[][] = [];
  let row: string[] = [];
  let f = '';
  let q = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (q) {
      if (c === '"' && text[i + 1] === '"') { f += '"'; i++; } else if (c === '"') q = false; else f += c;
    } else if (c === '"') q = true;
    else if (c === ',') { row.push(f); f = ''; }
    else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i++;
      row.push(f); f = '';
      if (row.some((x) => x !== '')) rows.push(row);
      row = [];
    } else f += c;
  }
  if (f !== '' || row.length) { row.push(f); rows.push(row); }
  const [head, ...body] = rows;
  const col = (name: string) => (head ?? []).indexOf(name);
  const out = new Map<string, Decision>();
  for (const r of body) out.set(r[col('sample_id')] ?? '', { decision: r[col('decision')] ?? '', newLabel: r[col('new_label')] ?? '', reviewer: r[col('reviewer')] ?? '', note: r[col('note')] ?? '' });
  return out;
}

export class LabelReviewPanel {
  readonly el = h('section', { class: 'label-review', 'data-testid': 'label-review' });
  private report: Report | null = null;
  private suspects: Suspects | null = null;
  private decisions = new Map<string, Decision>();
  private selected: string | null = null;
  private error: unknown = null;
  private visible = true;

  constructor(private readonly ctx: Ctx) {
    onLangChange(() => this.render());
    this.render();
  }

  async load(): Promise<void> {
    try {
      const [report, suspects] = await Promise.all([getJson<Report>('/api/labels/audit'), getJson<Suspects>('/api/labels/audit/suspects.geojson')]);
      this.report = report;
      this.suspects = suspects;
      try {
        const res = await fetch('/api/labels/audit/decisions.csv');
        if (res.ok) this.decisions = parseDecisionsCsv(await res.text());
      } catch {
        /* decisions are optional */
      }
      this.error = null;
      this.addLayer();
    } catch (e) {
      this.error = e;
    }
    this.render();
  }

  setVisible(v: boolean): void {
    this.visible = v;
    for (const id of [`${SOURCE}-circles`]) if (this.ctx.map.getLayer(id)) this.ctx.map.setLayoutProperty(id, 'visibility', v ? 'visible' : 'none');
  }

  private colorOf(name: string): string {
    return safeColor(this.ctx.model.value?.classes.find((c) => c.name === name)?.color);
  }

  private addLayer(): void {
    const map = this.ctx.map;
    if (!this.suspects) return;
    const data = {
      type: 'FeatureCollection' as const,
      features: this.suspects.features.map((f) => ({ ...f, properties: { sample_id: f.properties.sample_id, likelyColor: this.colorOf(f.properties.likely_label), givenColor: this.colorOf(f.properties.given_label) } })),
    };
    const src = map.getSource(SOURCE) as { setData?: (d: unknown) => void } | undefined;
    if (src?.setData) src.setData(data);
    else {
      map.addSource(SOURCE, { type: 'geojson', data });
      map.addLayer({
        id: `${SOURCE}-circles`,
        type: 'circle',
        source: SOURCE,
        layout: { visibility: this.visible ? 'visible' : 'none' },
        paint: { 'circle-radius': 6, 'circle-color': ['get', 'likelyColor'], 'circle-stroke-color': ['get', 'givenColor'], 'circle-stroke-width': 3 },
      });
      map.on('click', `${SOURCE}-circles`, (e) => {
        const id = e.features?.[0]?.properties?.['sample_id'];
        if (id !== undefined) this.select(String(id));
      });
    }
  }

  select(sampleId: string): void {
    this.selected = sampleId;
    this.render();
  }

  private render(): void {
    const parts: Array<HTMLElement> = [h('h3', {}, tr('title')), h('p', { class: 'muted small' }, tr('intro'))];
    if (this.error) {
      parts.push(notice(describeError(this.error, 'wPoint'), 'warn', () => void this.load()));
      this.el.replaceChildren(...parts);
      return;
    }
    if (!this.report || !this.suspects) {
      this.el.replaceChildren(...parts);
      return;
    }
    parts.push(h('p', {}, tr('summary', { f: this.report.flagged, n: this.report.samples })));
    parts.push(
      h('table', { class: 'table small' },
        h('thead', {}, h('tr', {}, h('th', {}, tr('cls')), h('th', {}, tr('n')), h('th', {}, tr('flagged')), h('th', {}, tr('threshold')))),
        h('tbody', {}, ...this.report.classes.map((c) => h('tr', {}, h('td', {}, className(c.name)), h('td', {}, c.n), h('td', {}, c.flagged), h('td', {}, c.threshold.toFixed(2)))))),
    );
    const select = h('select', { 'aria-label': tr('pick') }, h('option', { value: '' }, '—'), ...this.suspects.features.map((f) => {
      const p = f.properties;
      return h('option', { value: p.sample_id, selected: p.sample_id === this.selected }, `${p.sample_id}: ${className(p.given_label)} → ${className(p.likely_label)} (${p.p_likely.toFixed(2)})`);
    }));
    select.onchange = () => this.select(select.value);
    parts.push(select);
    const f = this.suspects.features.find((x) => x.properties.sample_id === this.selected);
    if (!f) parts.push(h('p', { class: 'muted small' }, tr('pick')));
    else parts.push(this.detail(f.properties));
    this.el.replaceChildren(...parts);
  }

  private detail(p: SuspectProps): HTMLElement {
    const ev = typeof p.evidence === 'string' ? (JSON.parse(p.evidence) as Exclude<SuspectProps['evidence'], string>) : p.evidence;
    // x: days since the season start (14 September), from the day of year of each composite
    const days = ev.compositeDoy.map((d) => (d >= 257 ? d - 257 : d + 365 - 257));
    const start = Date.UTC(2001, 8, 14);
    const pts = (ys: number[]) => ys.map((y, i) => ({ x: start + (days[i] ?? 0) * 86_400_000, y }));
    const series: LineSeries[] = [
      { id: 'sample', label: tr('sample'), color: '#0072b2', width: 2.5, points: pts(ev.sample.ndvi) },
      { id: 'given', label: `${className(p.given_label)} (${tr('given')})`, color: '#e69f00', dash: '6 3', points: pts(ev.givenMedian.ndvi) },
      { id: 'likely', label: `${className(p.likely_label)} (${tr('likely')})`, color: '#009e73', dash: '2 2', points: pts(ev.likelyMedian.ndvi) },
    ];
    const d = this.decisions.get(p.sample_id);
    const dText = !d || !d.decision ? tr('none') : d.decision === 'relabel' ? `${tr('relabel')} ${className(d.newLabel)}` : d.decision === 'drop' ? tr('drop') : tr('keep');
    return h('div', { class: 'label-review-detail' },
      h('p', {}, `${p.sample_id} (${p.season}): ${className(p.given_label)} p=${p.p_given.toFixed(2)} → ${className(p.likely_label)} p=${p.p_likely.toFixed(2)}`),
      lineChart({ series, yLabel: 'NDVI', ariaLabel: `NDVI: ${series.map((x) => x.label).join(', ')}`, yDomain: [0, 1], fmtY: (v) => v.toFixed(1) }),
      h('p', {}, h('strong', {}, `${tr('decision')}: `), dText, d?.reviewer ? ` (${d.reviewer})` : ''),
      d?.note ? h('p', { class: 'muted small' }, d.note) : null,
    );
  }
}
