/**
 * The state's totals for the chosen crop and year: production against its 10-year normal, yield,
 * the 10-year trend, and the production of every year as bars (GET /api/normals).
 */
import { barChart } from '../chart';
import { h } from '../dom';
import type { NormalsResponse as Normals } from '../../../server/contract/index';
import { fmtCompact, fmtNum, t } from '../i18n';
import { areaName } from '../crops';

const signed = (v: number, digits = 0) => `${v > 0 ? '+' : ''}${fmtNum(v, digits)}`;

export function stateTotalsPanel(n: Normals, cropLabel: string): HTMLElement {
  const cur = n.state.current;
  const normal = n.state.normal.productionT;
  const parts: Array<HTMLElement | null> = [h('h3', {}, [areaName(), t('stateTitle', { crop: cropLabel, year: n.year })].filter(Boolean).join(': '))];
  if (cur) {
    const pct = normal ? `${signed(((cur.productionT - normal) / normal) * 100, 1)} %` : '–';
    parts.push(h('p', { 'data-testid': 'state-line', 'data-production': cur.productionT }, t('stateLine', { prod: fmtNum(cur.productionT), pct, normal: fmtNum(normal), yield: fmtNum(cur.yieldKgHa) })));
  }
  const tr = n.state.trend;
  if (tr) parts.push(h('p', { class: 'muted small' }, t('stateTrend', { from: tr.years[0]!, to: tr.years[1]!, prodTrend: signed(tr.productionTPerYear), yieldTrend: tr.yieldKgHaPerYear === null ? '–' : signed(tr.yieldKgHaPerYear) })));
  const data = n.state.series.filter((s) => s.municipalities > 0).slice(-15).map((s) => ({ year: s.year, value: s.productionT }));
  const title = t('stateChart', { crop: cropLabel });
  parts.push(barChart({ data, current: n.year, color: '#35978f', ariaLabel: `${title}: ${data.map((d) => `${d.year} ${fmtNum(d.value)}`).join('; ')}`, fmtY: (v) => fmtCompact(v) }));
  return h('section', { class: 'state-totals', 'data-testid': 'state-totals' }, ...parts);
}

/** The municipality's year against its normal, in words. */
export function normalBlock(row: Normals['rows'][number] | undefined, n: Normals): HTMLElement | null {
  if (!row) return null;
  const from = n.year - n.windowYears;
  const to = n.year - 1;
  const line = (what: string, v: number | null, normal: number | null, diff: number | null, pct: number | null, unit: string) =>
    v === null || normal === null || diff === null
      ? null
      : h('li', {}, t('normalLine', { what, value: `${fmtNum(v)} ${unit}`, year: n.year, normal: `${fmtNum(normal)} ${unit}`, diff: `${signed(diff)} ${unit}`, pct: pct === null ? '–' : `${signed(pct, 1)} %` }));
  const items = [
    line(t('nYield'), row.yieldKgHa, row.normalYieldKgHa, row.yieldDiffKgHa, row.yieldDiffPct, 'kg/ha'),
    line(t('nProduction'), row.productionT, row.normalProductionT, row.productionDiffT, row.productionDiffPct, 't'),
  ].filter((x): x is HTMLLIElement => x !== null);
  return h('section', { class: 'normal', 'data-testid': 'normal-block', 'data-yield-diff-pct': row.yieldDiffPct ?? '' }, h('h3', {}, t('normalTitle', { from, to })),
    items.length ? h('ul', {}, ...items) : h('p', { class: 'muted' }, t('normalNone', { n: n.minYears })));
}
