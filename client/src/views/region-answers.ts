/**
 * Policymaker view, in a municipality's panel: statistical suitability of each crop and "would another
 * crop do better", the yield outlook with its validated error (or why there is none), the alerts, and a
 * policy-impact question (start year + indicator -> difference in differences with interval and placebo,
 * CSV download).
 */
import { h, nextId, replaceKeepingFocus } from '../dom';
import { defineStrings, fmtNum, getLang } from '../i18n';
import { alertText } from '../../../server/contract/alert-messages';
import { cropLabel } from '../crops';
import { notice } from '../notice';
import { lineChart, type LineSeries } from '../chart';
import { answersApi, type AlertList, type Outlook, type PolicyImpact, type Suitability } from './answers-api';

const s = defineStrings(
  'region-answers',
  {
    suitTitle: 'Which crop does best here? (statistical)',
    suitRow: '{crop}: index {index}/100 ({cls}); mean {y} kg/ha, {trend} kg/ha a year, variation {cv} %',
    suitNone: '{crop}: {reason}',
    cls_higher: 'higher than most of the state',
    cls_middle: 'middle of the state',
    cls_lower: 'lower than most of the state',
    suitLabel: 'From the yield history against the state\'s municipalities (IBGE PAM), not from soil or climate.',
    outlookTitle: 'Yield outlook',
    outlookValue: 'Season {season}: about {y} kg/ha ± {pm} kg/ha (error measured leave-one-season-out over {n} seasons)',
    outlookNone: 'No outlook: {reason}',
    alertsTitle: 'Alerts',
    alertsNone: 'No alerts.',
    alertsCount: '{n} alerts; the latest:',
    impactTitle: 'Did a policy change things here?',
    impactStart: 'Policy started in',
    impactIndicator: 'Indicator',
    ind_yield: 'yield',
    ind_area: 'planted area',
    ind_production: 'production',
    impactRun: 'Estimate',
    impactResult: 'Change against comparable municipalities: {effect} {unit} (95 % interval {lo} to {hi}), years {post} against {pre}.',
    impactZero: 'The interval includes zero: no clear effect.',
    impactPlaceboOk: 'Placebo check passed: no "effect" before the start.',
    impactPlaceboBad: 'Placebo check failed: an "effect" appears before the start; read with caution.',
    impactCsv: 'Download CSV',
    impactPlacebo: 'Placebo: a pretend start in {start}, using only years before the real start, gives {effect} {unit} (95 % interval {lo} to {hi}).',
    impactChart: '{ind} of the chosen municipalities and of their matched comparison group, {from}-{to}; the policy starts in {start}',
    impactTreated: 'chosen municipalities',
    impactComparison: 'matched comparison group (mean)',
    impactStartMark: 'start {start}',
    tooFewYears: 'fewer than {min} years with a known yield in {from}-{to} (the data has {n})',
    cmpOne: 'Only one crop has enough history here: no comparison.',
    cmpBest: '{best} ranks higher against the state than {others} ({diff} index points).',
    cmpSimilar: 'The crops rank within 10 index points of each other: no clear difference.',
    cmpLabel: 'A statistical comparison of the crops the data has (IBGE PAM soybean and maize; maize includes the second crop), not agronomic advice.',
    noImagery: 'no satellite imagery covers this municipality (the bundled imagery covers Sinop, Sorriso, Cláudia and Ipiranga do Norte)',
    tooFewSeasons: '{n} season(s) with both imagery and a yield; a validated outlook needs at least {min}',
    outlookBeats: 'Model error (leave-one-season-out) {rmse} kg/ha, below the {base} kg/ha of simply taking the average of the other seasons.',
    outlookNotBetter: 'The model does NOT beat the average of the other seasons (error {rmse} against {base} kg/ha): read the outlook as no better than the average.',
    unit_yield: 'kg/ha',
    unit_area: 'ha planted',
    unit_production: 't',
    loading: 'Loading…',
  },
  {
    suitTitle: 'Qual cultura vai melhor aqui? (estatístico)',
    suitRow: '{crop}: índice {index}/100 ({cls}); média {y} kg/ha, {trend} kg/ha por ano, variação {cv} %',
    suitNone: '{crop}: {reason}',
    cls_higher: 'acima da maior parte do estado',
    cls_middle: 'no meio do estado',
    cls_lower: 'abaixo da maior parte do estado',
    suitLabel: 'A partir do histórico de produtividade comparado aos municípios do estado (IBGE PAM), não de solo ou clima.',
    outlookTitle: 'Previsão de produtividade',
    outlookValue: 'Safra {season}: cerca de {y} kg/ha ± {pm} kg/ha (erro medido deixando uma safra de fora, em {n} safras)',
    outlookNone: 'Sem previsão: {reason}',
    alertsTitle: 'Alertas',
    alertsNone: 'Nenhum alerta.',
    alertsCount: '{n} alertas; os mais recentes:',
    impactTitle: 'Uma política mudou algo aqui?',
    impactStart: 'Início da política',
    impactIndicator: 'Indicador',
    ind_yield: 'produtividade',
    ind_area: 'área plantada',
    ind_production: 'produção',
    impactRun: 'Estimar',
    impactResult: 'Mudança em relação a municípios comparáveis: {effect} {unit} (intervalo de 95 % de {lo} a {hi}), anos {post} contra {pre}.',
    impactZero: 'O intervalo inclui zero: sem efeito claro.',
    impactPlaceboOk: 'Teste placebo aprovado: nenhum "efeito" antes do início.',
    impactPlaceboBad: 'Teste placebo falhou: aparece um "efeito" antes do início; leia com cautela.',
    impactCsv: 'Baixar CSV',
    impactPlacebo: 'Placebo: um início fictício em {start}, usando só anos anteriores ao início real, dá {effect} {unit} (intervalo de 95 % de {lo} a {hi}).',
    impactChart: '{ind} dos municípios escolhidos e do seu grupo de comparação pareado, {from}-{to}; a política começa em {start}',
    impactTreated: 'municípios escolhidos',
    impactComparison: 'grupo de comparação pareado (média)',
    impactStartMark: 'início {start}',
    tooFewYears: 'menos de {min} anos com produtividade conhecida em {from}-{to} (os dados têm {n})',
    cmpOne: 'Só uma cultura tem histórico suficiente aqui: sem comparação.',
    cmpBest: '{best} fica mais bem colocada no estado do que {others} ({diff} pontos de índice).',
    cmpSimilar: 'As culturas ficam a menos de 10 pontos de índice umas das outras: sem diferença clara.',
    cmpLabel: 'Comparação estatística das culturas que os dados têm (soja e milho da PAM/IBGE; o milho inclui a segunda safra), não recomendação agronômica.',
    noImagery: 'nenhuma imagem de satélite cobre este município (as imagens incluídas cobrem Sinop, Sorriso, Cláudia e Ipiranga do Norte)',
    tooFewSeasons: '{n} safra(s) com imagem e produtividade; uma previsão validada precisa de pelo menos {min}',
    outlookBeats: 'Erro do modelo (deixando uma safra de fora) {rmse} kg/ha, abaixo dos {base} kg/ha de simplesmente usar a média das outras safras.',
    outlookNotBetter: 'O modelo NÃO supera a média das outras safras (erro {rmse} contra {base} kg/ha): leia a previsão como não melhor que a média.',
    unit_yield: 'kg/ha',
    unit_area: 'ha plantados',
    unit_production: 't',
    loading: 'Carregando…',
  },
);

type Loaded<T> = T | Error | null;

export class RegionAnswers {
  readonly el = h('section', { class: 'region-answers', 'data-testid': 'region-answers' });
  private id = '';
  private crop = '';
  private suit: Loaded<Suitability> = null;
  private outlook: Loaded<Outlook> = null;
  private alerts: Loaded<AlertList> = null;
  private impact: Loaded<PolicyImpact> = null;
  private impactUrl = '';
  private start = 2015;
  private indicator = 'yield';
  private ctrl: AbortController | null = null;

  /** The panel for a municipality (fetches once per municipality; re-renders otherwise). */
  for(id: string, crop: string): HTMLElement {
    if (id !== this.id || crop !== this.crop) {
      this.id = id;
      this.crop = crop;
      this.ctrl?.abort();
      const ctrl = (this.ctrl = new AbortController());
      this.suit = this.outlook = this.alerts = this.impact = null;
      const set = <T>(p: Promise<T>, f: (v: Loaded<T>) => void) => p.then(f, (e: unknown) => f(e instanceof Error ? e : new Error(String(e)))).then(() => ctrl.signal.aborted || this.render());
      void set(answersApi.suitability(id, ctrl.signal), (v) => (this.suit = v));
      void set(answersApi.outlook(id, ctrl.signal), (v) => (this.outlook = v));
      void set(answersApi.alerts(id, ctrl.signal), (v) => (this.alerts = v));
    }
    this.render();
    return this.el;
  }

  private render(): void {
    replaceKeepingFocus(this.el, this.suitBlock(), this.outlookBlock(), this.alertsBlock(), this.impactBlock());
  }

  private suitBlock(): HTMLElement {
    const box = h('div', { class: 'answer-block', 'data-testid': 'suitability' }, h('h3', {}, s('suitTitle')));
    const d = this.suit;
    if (d === null) return box.appendChild(h('p', { class: 'muted' }, s('loading'))).parentElement!;
    if (d instanceof Error) return box.appendChild(notice(d.message, 'warn')).parentElement!;
    box.append(
      h('ul', {}, ...d.crops.map((c) => h('li', { 'data-crop': c.crop, 'data-index': c.index ?? '' }, c.available
        ? s('suitRow', { crop: cropLabel(c.crop), index: fmtNum(c.index), cls: s(`cls_${c.class ?? 'middle'}`), y: fmtNum(c.meanYieldKgHa), trend: fmtNum(c.trendKgHaPerYear), cv: fmtNum(c.cvDetrendedPct, 1) })
        : s('suitNone', { crop: cropLabel(c.crop), reason: s('tooFewYears', { min: c.minYears, from: c.years[0], to: c.years[1], n: c.yearsWithData }) })))),
      h('p', { 'data-verdict': d.comparison.verdict }, this.verdict(d)),
      h('p', { class: 'muted small' }, `${s('suitLabel')} ${s('cmpLabel')}`),
    );
    return box;
  }

  private verdict(d: Suitability): string {
    const c = d.comparison;
    if (c.verdict === 'one-crop') return s('cmpOne');
    if (c.verdict === 'similar' || !c.best) return s('cmpSimilar');
    const others = c.ranking.filter((r) => r.crop !== c.best && r.index !== null).map((r) => cropLabel(r.crop)).join(', ');
    return s('cmpBest', { best: cropLabel(c.best), others, diff: fmtNum(c.indexDifference) });
  }

  private outlookBlock(): HTMLElement {
    const box = h('div', { class: 'answer-block', 'data-testid': 'outlook' }, h('h3', {}, s('outlookTitle')));
    const d = this.outlook;
    if (d === null) box.append(h('p', { class: 'muted' }, s('loading')));
    else if (d instanceof Error) box.append(notice(d.message, 'warn'));
    else if (!d.available || !d.outlook || !d.validation) box.append(h('p', { 'data-reason': d.reasonCode ?? '' }, s('outlookNone', { reason: d.reasonCode === 'too-few-seasons' ? s('tooFewSeasons', { n: d.usableSeasons, min: d.minSeasons }) : d.reasonCode === 'no-imagery' ? s('noImagery') : (d.reason ?? '') })));
    else {
      const v = d.validation;
      box.append(
        h('p', { 'data-value': d.outlook.predictedYieldKgHa, 'data-error': d.outlook.plusMinusKgHa }, s('outlookValue', { season: `${d.outlook.season}-${String(d.outlook.season + 1).slice(2)}`, y: fmtNum(d.outlook.predictedYieldKgHa), pm: fmtNum(d.outlook.plusMinusKgHa), n: v.n })),
        h('p', { class: v.beatsBaseline ? 'muted small' : 'notice notice-warn' }, s(v.beatsBaseline ? 'outlookBeats' : 'outlookNotBetter', { rmse: fmtNum(v.rmseKgHa), base: fmtNum(v.baselineRmseKgHa) })),
      );
    }
    return box;
  }

  private alertsBlock(): HTMLElement {
    const box = h('div', { class: 'answer-block', 'data-testid': 'region-alerts' }, h('h3', {}, s('alertsTitle')));
    const d = this.alerts;
    if (d === null) box.append(h('p', { class: 'muted' }, s('loading')));
    else if (d instanceof Error) box.append(notice(d.message, 'warn'));
    else if (d.numberMatched === 0) box.append(h('p', {}, s('alertsNone')));
    else box.append(h('p', {}, s('alertsCount', { n: d.numberMatched })), h('ul', { class: 'alert-list' }, ...d.alerts.map((a) => h('li', { class: `alert alert-${a.severity}`, 'data-code': a.code }, alertText(a.code, a.params, getLang()).title))));
    return box;
  }

  private impactBlock(): HTMLElement {
    const startId = nextId('impact-start');
    const indId = nextId('impact-ind');
    const startIn = h('input', { id: startId, type: 'number', min: 2005, max: 2024, value: String(this.start), class: 'input-small' }) as HTMLInputElement;
    const indSel = h('select', { id: indId }, ...['yield', 'area', 'production'].map((k) => h('option', { value: k, selected: k === this.indicator }, s(`ind_${k}` as 'ind_yield'))));
    const run = () => {
      this.start = Number(startIn.value);
      this.indicator = indSel.value;
      this.impactUrl = answersApi.policyImpactUrl(this.id, this.start, this.indicator, this.crop);
      this.impact = null;
      const id = this.id;
      answersApi.policyImpact(this.impactUrl).then((v) => (this.impact = v), (e: unknown) => (this.impact = e instanceof Error ? e : new Error(String(e)))).then(() => id === this.id && this.render());
      this.render();
    };
    const box = h('div', { class: 'answer-block', 'data-testid': 'policy-impact' }, h('h3', {}, s('impactTitle')),
      h('form', { class: 'impact-form', onsubmit: (e: Event) => { e.preventDefault(); run(); } },
        h('label', { for: startId }, s('impactStart')), startIn, h('label', { for: indId }, s('impactIndicator')), indSel,
        h('button', { type: 'submit', class: 'btn btn-small' }, s('impactRun'))));
    const d = this.impact;
    if (this.impactUrl && d === null) box.append(h('p', { class: 'muted' }, s('loading')));
    else if (d instanceof Error) box.append(notice(d.message, 'warn'));
    else if (d) {
      const e = d.estimate;
      box.append(
        h('p', { 'data-effect': e.effect, 'data-low': e.ci95[0], 'data-high': e.ci95[1] }, s('impactResult', { effect: fmtNum(e.effect), unit: s(`unit_${d.indicator}`), lo: fmtNum(e.ci95[0]), hi: fmtNum(e.ci95[1]), post: `${e.post[0]}-${e.post[1]}`, pre: `${e.pre[0]}-${e.pre[1]}` })),
        e.coversZero ? h('p', {}, s('impactZero')) : '',
        this.impactChart(d),
        h('p', { class: d.placebo.passed ? 'muted small' : 'notice notice-warn', 'data-placebo-effect': d.placebo.effect, 'data-placebo-passed': String(d.placebo.passed) }, d.placebo.passed ? s('impactPlaceboOk') : s('impactPlaceboBad'), ' ',
          s('impactPlacebo', { start: d.placebo.post[0], effect: fmtNum(d.placebo.effect), unit: s(`unit_${d.indicator}`), lo: fmtNum(d.placebo.ci95[0]), hi: fmtNum(d.placebo.ci95[1]) })),
        h('a', { href: answersApi.policyImpactUrl(this.id, this.start, this.indicator, this.crop, 'csv'), download: '' }, s('impactCsv')),
      );
    }
    return box;
  }

  /** The chosen municipalities' indicator against the matched comparison group, year by year, start marked. */
  private impactChart(d: PolicyImpact): HTMLElement {
    const ind = s(`ind_${d.indicator}`);
    const unit = s(`unit_${d.indicator}`);
    const series: LineSeries[] = [
      { id: 'treated', label: s('impactTreated'), color: '#b45309', width: 2.5, points: d.series.map((r) => ({ x: r.year, y: r.treatedMean })) },
      { id: 'comparison', label: s('impactComparison'), color: '#1d4ed8', dash: '6 4', points: d.series.map((r) => ({ x: r.year, y: r.comparisonMean })) },
    ];
    const first = d.series[0]?.year ?? d.estimate.pre[0];
    const last = d.series[d.series.length - 1]?.year ?? d.estimate.post[1];
    const start = d.estimate.post[0];
    const chart = lineChart({
      series,
      xAxis: 'years',
      markX: { x: start, label: s('impactStartMark', { start }) },
      yLabel: unit,
      ariaLabel: s('impactChart', { ind, from: first, to: last, start }),
      fmtY: (v) => fmtNum(v),
    });
    chart.dataset.testid = 'impact-chart';
    return chart;
  }
}
