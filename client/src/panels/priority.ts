/**
 * Priority for intervention that users can reason about: three parts, each the municipality's
 * percentile rank among the municipalities with data (0 = lowest, 1 = highest), weighted by the
 * user:  score = (w1 x rank(value of the gap) + w2 x rank(gap per inhabitant) + w3 x rank(share of
 * the state's production)) / (w1 + w2 + w3). The formula, the weights and each municipality's
 * largest part ("the reason") are on screen; money in BRL at the year's average exchange rate
 * where the service has one (FRED DEXBZUS), else in USD with a note. Weights go in the URL.
 */
import { getJson } from '../api';
import { h, nextId } from '../dom';
import { once } from '../datasets';
import { defineStrings, fmtNum, onLangChange } from '../i18n';
import { param, setParams } from '../permalink';
import type { YieldGapRow } from '../types';

const tr = defineStrings(
  'priority',
  {
    title: 'Priority for intervention',
    formula: 'score = (w₁ × rank of the gap’s value + w₂ × rank of the gap per inhabitant + w₃ × rank of the share of state production) ÷ (w₁ + w₂ + w₃); each rank from 0 (lowest) to 1 (highest) among the {n} municipalities with data.',
    wValue: 'w₁: value of the production gap',
    wPerCapita: 'w₂: gap per inhabitant',
    wShare: 'w₃: share of state production',
    top: 'First {k} with these weights',
    reasonValue: 'large value of the gap ({v})',
    reasonPerCapita: 'large gap per inhabitant ({v} per person)',
    reasonShare: 'large share of the state’s production ({v})',
    brl: 'Money in BRL at the {year} average rate of {rate} BRL per USD (FRED DEXBZUS); world prices, not farm-gate prices.',
    noRate: 'No exchange rate for {year} on this server: money stays in USD (world prices).',
    rankCol: '#',
    scoreCol: 'Score',
    whyCol: 'Main reason',
    nameCol: 'Municipality',
    reasonLine: 'Priority with the weights above: {score} ({rank}º of {n}); main reason: {why}.',
  },
  {
    title: 'Prioridade para intervenção',
    formula: 'pontuação = (w₁ × posição do valor da lacuna + w₂ × posição da lacuna por habitante + w₃ × posição da participação na produção do estado) ÷ (w₁ + w₂ + w₃); cada posição vai de 0 (menor) a 1 (maior) entre os {n} municípios com dados.',
    wValue: 'w₁: valor da lacuna de produção',
    wPerCapita: 'w₂: lacuna por habitante',
    wShare: 'w₃: participação na produção do estado',
    top: 'Primeiros {k} com estes pesos',
    reasonValue: 'grande valor da lacuna ({v})',
    reasonPerCapita: 'grande lacuna por habitante ({v} por pessoa)',
    reasonShare: 'grande participação na produção do estado ({v})',
    brl: 'Valores em reais à taxa média de {year}, {rate} BRL por USD (FRED DEXBZUS); preços mundiais, não preços ao produtor.',
    noRate: 'Não há taxa de câmbio de {year} neste servidor: os valores ficam em USD (preços mundiais).',
    rankCol: 'nº',
    scoreCol: 'Pontuação',
    whyCol: 'Principal motivo',
    nameCol: 'Município',
    reasonLine: 'Prioridade com os pesos acima: {score} ({rank}º de {n}); principal motivo: {why}.',
  },
);

interface Weights {
  value: number;
  perCapita: number;
  share: number;
}

interface Scored {
  regionId: string;
  name: string;
  score: number;
  parts: { value: number; perCapita: number; share: number };
  reason: keyof Weights;
}

/** Percentile rank in 0..1 (ties share the mean rank). */
function percentRanks(values: number[]): number[] {
  const idx = values.map((v, i) => [v, i] as const).sort((a, b) => a[0] - b[0]);
  const out = new Array<number>(values.length);
  for (let i = 0; i < idx.length; ) {
    let j = i;
    while (j + 1 < idx.length && idx[j + 1]![0] === idx[i]![0]) j++;
    const r = values.length > 1 ? (i + j) / 2 / (values.length - 1) : 0.5;
    for (let k = i; k <= j; k++) out[idx[k]![1]] = r;
    i = j + 1;
  }
  return out;
}

function scorePriority(rows: readonly YieldGapRow[], w: Weights): Scored[] {
  const usable = rows.filter((r) => typeof r.productionGapValueUsd === 'number' && typeof r.priorityScore === 'number' && typeof r.productionT === 'number');
  const total = usable.reduce((s, r) => s + (r.productionT as number), 0) || 1;
  const rv = percentRanks(usable.map((r) => r.productionGapValueUsd as number));
  const rp = percentRanks(usable.map((r) => r.priorityScore as number));
  const rs = percentRanks(usable.map((r) => (r.productionT as number) / total));
  const sum = w.value + w.perCapita + w.share || 1;
  return usable
    .map((r, i) => {
      const parts = { value: rv[i]!, perCapita: rp[i]!, share: rs[i]! };
      const contrib = { value: w.value * parts.value, perCapita: w.perCapita * parts.perCapita, share: w.share * parts.share };
      const reason = (Object.keys(contrib) as Array<keyof Weights>).reduce((a, b) => (contrib[b] > contrib[a] ? b : a));
      return { regionId: String(r.regionId), name: r.name, score: (contrib.value + contrib.perCapita + contrib.share) / sum, parts, reason };
    })
    .sort((a, b) => b.score - a.score);
}

const rates = () => once('exchange-rates', () => getJson<{ rates: Array<{ year: number; brlPerUsd: number }> }>('/api/exchange-rates'));

function weightsFromUrl(): Weights {
  const m = /^(\d{1,3}),(\d{1,3}),(\d{1,3})$/.exec(param('weights') ?? '');
  return m ? { value: Number(m[1]), perCapita: Number(m[2]), share: Number(m[3]) } : { value: 1, perCapita: 1, share: 1 };
}

export class PriorityPanel {
  readonly el = h('section', { class: 'priority', 'data-testid': 'priority' });
  private weights = weightsFromUrl();
  private rows: readonly YieldGapRow[] = [];
  private year = 0;
  private rate: number | null | undefined = undefined;

  constructor(private readonly onSelect: (id: string) => void) {
    onLangChange(() => this.render());
  }

  set(rows: readonly YieldGapRow[], year: number): void {
    this.rows = rows;
    this.year = year;
    this.rate = undefined;
    this.render();
    void rates().then(
      (r) => (this.rate = r.rates.find((x) => x.year === year)?.brlPerUsd ?? null),
      () => (this.rate = null),
    ).then(() => this.year === year && this.render());
  }

  /** "Main reason" of a municipality with the current weights, for the region panel. */
  reasonOf(id: string): string | null {
    const all = scorePriority(this.rows, this.weights);
    const i = all.findIndex((x) => x.regionId === id);
    return i < 0 ? null : tr('reasonLine', { score: fmtNum(all[i]!.score, 2), rank: i + 1, n: all.length, why: this.reasonText(all[i]!) });
  }

  private money(usd: number): string {
    return this.rate ? `R$ ${fmtNum(usd * this.rate)}` : `USD ${fmtNum(usd)}`;
  }

  private reasonText(s: Scored): string {
    const r = this.rows.find((x) => String(x.regionId) === s.regionId)!;
    const total = this.rows.reduce((a, x) => a + (typeof x.productionT === 'number' ? x.productionT : 0), 0) || 1;
    if (s.reason === 'value') return tr('reasonValue', { v: this.money(r.productionGapValueUsd as number) });
    if (s.reason === 'perCapita') return tr('reasonPerCapita', { v: this.money(r.priorityScore as number) });
    return tr('reasonShare', { v: `${fmtNum(((r.productionT as number) / total) * 100, 1)} %` });
  }

  private render(): void {
    if (!this.rows.length) {
      this.el.replaceChildren();
      return;
    }
    const scored = scorePriority(this.rows, this.weights);
    const slider = (key: keyof Weights, label: string) => {
      const id = nextId('w');
      const out = h('output', { for: id }, String(this.weights[key]));
      return h('div', { class: 'field weight' }, h('label', { for: id }, label, ' ', out), h('input', {
        id, type: 'range', min: 0, max: 10, step: 1, value: this.weights[key], 'data-weight': key,
        oninput: (e) => {
          this.weights = { ...this.weights, [key]: Number((e.target as HTMLInputElement).value) };
          out.textContent = String(this.weights[key]);
          setParams({ weights: `${this.weights.value},${this.weights.perCapita},${this.weights.share}` });
          this.renderList(scorePriority(this.rows, this.weights));
        },
      }));
    };
    this.el.replaceChildren(
      h('h2', {}, tr('title')),
      h('p', { class: 'formula', 'data-testid': 'priority-formula' }, tr('formula', { n: scored.length })),
      slider('value', tr('wValue')), slider('perCapita', tr('wPerCapita')), slider('share', tr('wShare')),
      h('p', { class: 'muted small', 'data-testid': 'currency' }, this.rate === undefined ? '' : this.rate ? tr('brl', { year: this.year, rate: fmtNum(this.rate, 4) }) : tr('noRate', { year: this.year })),
      h('div', { class: 'priority-list' }),
    );
    this.renderList(scored);
  }

  private renderList(scored: Scored[]): void {
    const k = 10;
    const list = this.el.querySelector('.priority-list');
    list?.replaceChildren(
      h('h3', {}, tr('top', { k })),
      h('table', { class: 'priority-table' },
        h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, tr('rankCol')), h('th', { scope: 'col' }, tr('nameCol')), h('th', { scope: 'col', class: 'num' }, tr('scoreCol')), h('th', { scope: 'col' }, tr('whyCol')))),
        h('tbody', {}, ...scored.slice(0, k).map((s, i) => h('tr', { 'data-region': s.regionId },
          h('td', { class: 'num' }, i + 1),
          h('td', {}, h('button', { type: 'button', class: 'link-btn', onclick: () => this.onSelect(s.regionId) }, s.name)),
          h('td', { class: 'num' }, fmtNum(s.score, 2)),
          h('td', { class: 'why' }, this.reasonText(s)))))),
    );
  }
}
