/**
 * Small SVG charts (no chart library): a time-series line chart and a bar chart over years.
 * Lines differ by dash pattern as well as colour, so they read without colour vision too.
 */
import { h, s, safeColor } from './dom';
import { fmtDate } from './i18n';

export interface LineSeries {
  id: string;
  label: string;
  color: string;
  dash?: string;
  width?: number;
  points: Array<{ x: number; y: number | null }>;
}

const W = 460;
const H = 230;
const M = { top: 12, right: 10, bottom: 30, left: 42 };

function niceTicks(min: number, max: number, n = 5): number[] {
  const span = max - min || 1;
  const step0 = span / n;
  const mag = 10 ** Math.floor(Math.log10(step0));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * mag).find((s2) => span / s2 <= n) ?? 10 * mag;
  const out: number[] = [];
  for (let v = Math.ceil(min / step) * step; v <= max + 1e-9; v += step) out.push(Math.round(v / step) * step);
  return out;
}

/**
 * Line chart of time series: x in ms since epoch with month ticks (the default), or x in whole years
 * (`xAxis: 'years'`). `markX` draws a dashed vertical line with a label at one x (e.g. a policy's start year).
 */
export function lineChart(opts: {
  series: LineSeries[];
  yLabel: string;
  ariaLabel: string;
  yDomain?: [number, number];
  fmtY: (v: number) => string;
  xAxis?: 'months' | 'years';
  markX?: { x: number; label: string };
}): HTMLElement {
  const xs = opts.series.flatMap((se) => se.points.map((p) => p.x));
  const ys = opts.series.flatMap((se) => se.points.map((p) => p.y).filter((y): y is number => y !== null));
  const x0 = Math.min(...xs);
  const x1 = Math.max(...xs);
  let [y0, y1] = opts.yDomain ?? [Math.min(...ys), Math.max(...ys)];
  if (!opts.yDomain) {
    const pad = (y1 - y0) * 0.08 || 0.1;
    y0 -= pad;
    y1 += pad;
  }
  // labels longer than four characters (e.g. "3,500") get room on the left, about 6 units a character,
  // so they do not run into the rotated axis label; shorter ones keep the usual margin
  const yTicks = niceTicks(y0, y1);
  const longest = Math.max(0, ...yTicks.map((v) => opts.fmtY(v).length));
  const left = longest > 4 ? 22 + 6 * longest : M.left;
  const px = (x: number) => left + ((x - x0) / (x1 - x0 || 1)) * (W - left - M.right);
  const py = (y: number) => H - M.bottom - ((y - y0) / (y1 - y0 || 1)) * (H - M.top - M.bottom);

  const svg = s('svg', { viewBox: `0 0 ${W} ${H}`, class: 'chart', role: 'img', 'aria-label': opts.ariaLabel, preserveAspectRatio: 'xMidYMid meet' });
  svg.append(s('title', {}, opts.ariaLabel));
  const grid = s('g', { class: 'chart-grid' });
  for (const v of yTicks) {
    grid.append(s('line', { x1: left, x2: W - M.right, y1: py(v), y2: py(v) }));
    grid.append(s('text', { x: left - 6, y: py(v) + 4, 'text-anchor': 'end' }, opts.fmtY(v)));
  }
  if (opts.xAxis === 'years') {
    // a tick per year, labels thinned to about 40 viewBox units apart (four digits and a gap)
    // counted back from the last year, which ends at the plot's edge rather than being centred past it
    const every = Math.max(1, Math.ceil(48 / ((W - left - M.right) / Math.max(1, x1 - x0))));
    for (let y = Math.ceil(x0); y <= x1; y++) {
      const x = px(y);
      grid.append(s('line', { x1: x, x2: x, y1: H - M.bottom, y2: H - M.bottom + 4 }));
      if ((Math.floor(x1) - y) % every === 0) grid.append(s('text', { x, y: H - M.bottom + 16, 'text-anchor': y + 1 > x1 ? 'end' : 'middle' }, String(y)));
    }
  } else {
    // monthly ticks
    const start = new Date(x0);
    const d = new Date(Date.UTC(start.getUTCFullYear(), start.getUTCMonth() + 1, 1));
    let i = 0;
    for (; d.getTime() <= x1; d.setUTCMonth(d.getUTCMonth() + 1), i++) {
      const x = px(d.getTime());
      grid.append(s('line', { x1: x, x2: x, y1: H - M.bottom, y2: H - M.bottom + 4 }));
      if (i % 2 === 0) grid.append(s('text', { x, y: H - M.bottom + 16, 'text-anchor': 'middle' }, fmtDate(d.toISOString(), 'short')));
    }
  }
  grid.append(s('text', { x: 12, y: M.top + (H - M.top - M.bottom) / 2, transform: `rotate(-90 12 ${M.top + (H - M.top - M.bottom) / 2})`, 'text-anchor': 'middle', class: 'chart-axis-label' }, opts.yLabel));
  svg.append(grid);
  if (opts.markX) {
    const x = px(opts.markX.x);
    svg.append(
      s('g', { class: 'chart-mark', 'data-mark-x': opts.markX.x },
        s('line', { x1: x, x2: x, y1: M.top, y2: H - M.bottom, stroke: '#555', 'stroke-width': 1.5, 'stroke-dasharray': '4 3' }),
        s('text', { x: x + 4, y: M.top + 10, 'text-anchor': 'start', class: 'chart-axis-label' }, opts.markX.label)),
    );
  }

  for (const se of opts.series) {
    let dAttr = '';
    let pen = false;
    let n = 0;
    for (const p of se.points) {
      if (p.y === null) {
        pen = false;
        continue;
      }
      dAttr += `${pen ? 'L' : 'M'}${px(p.x).toFixed(1)},${py(p.y).toFixed(1)}`;
      pen = true;
      n++;
    }
    svg.append(
      s('path', {
        d: dAttr,
        fill: 'none',
        stroke: safeColor(se.color),
        'stroke-width': se.width ?? 2,
        'stroke-dasharray': se.dash ?? null,
        'stroke-linejoin': 'round',
        'stroke-linecap': 'round',
        'data-series': se.id,
        'data-points': n,
        // the drawn values, x:y in order (empty y = gap), so a check can compare the line with its data
        'data-values': se.points.map((p) => `${p.x}:${p.y ?? ''}`).join(' '),
      }),
    );
  }
  const legend = h(
    'ul',
    { class: 'chart-legend' },
    ...opts.series.map((se) => {
      const key = s('svg', { viewBox: '0 0 28 8', width: 28, height: 8, 'aria-hidden': 'true' }, s('line', { x1: 0, x2: 28, y1: 4, y2: 4, stroke: safeColor(se.color), 'stroke-width': 3, 'stroke-dasharray': se.dash ?? null }));
      return h('li', {}, key, h('span', {}, se.label));
    }),
  );
  return h('figure', { class: 'chart-wrap' }, svg, legend);
}

/** Bars over years; `current` is outlined. */
export function barChart(opts: { data: Array<{ year: number; value: number | null }>; current: number; color: string; ariaLabel: string; fmtY: (v: number) => string }): HTMLElement {
  const vals = opts.data.map((d) => d.value).filter((v): v is number => v !== null);
  const y1 = Math.max(0, ...vals);
  const y0 = Math.min(0, ...vals);
  const n = opts.data.length;
  const bw = (W - M.left - M.right) / Math.max(1, n);
  const py = (y: number) => H - M.bottom - ((y - y0) / (y1 - y0 || 1)) * (H - M.top - M.bottom);
  const svg = s('svg', { viewBox: `0 0 ${W} ${H}`, class: 'chart', role: 'img', 'aria-label': opts.ariaLabel });
  svg.append(s('title', {}, opts.ariaLabel));
  const grid = s('g', { class: 'chart-grid' });
  for (const v of niceTicks(y0, y1 || 1)) {
    grid.append(s('line', { x1: M.left, x2: W - M.right, y1: py(v), y2: py(v) }));
    grid.append(s('text', { x: M.left - 6, y: py(v) + 4, 'text-anchor': 'end' }, opts.fmtY(v)));
  }
  svg.append(grid);
  // year labels thinned to the room a label needs (about 4 digits at 12 units plus a gap, in viewBox
  // units, which the text scales with), counted from the current year so its label never lands beside another
  const LABEL_W = 40;
  const step = Math.max(1, Math.ceil(LABEL_W / bw));
  const anchor = Math.max(0, opts.data.findIndex((d) => d.year === opts.current));
  const anchorIdx = opts.data.some((d) => d.year === opts.current) ? anchor : n - 1;
  opts.data.forEach((d, i) => {
    const x = M.left + i * bw;
    if (d.value !== null) {
      const top = py(Math.max(0, d.value));
      const bottom = py(Math.min(0, d.value));
      svg.append(
        s('rect', {
          x: x + bw * 0.15,
          width: bw * 0.7,
          y: top,
          height: Math.max(1, bottom - top),
          fill: safeColor(opts.color),
          stroke: d.year === opts.current ? '#111' : 'none',
          'stroke-width': 2,
          'data-year': d.year,
          'data-value': d.value,
        }, s('title', {}, `${d.year}: ${opts.fmtY(d.value)}`)),
      );
    }
    if ((((i - anchorIdx) % step) + step) % step === 0) svg.append(s('text', { x: x + bw / 2, y: H - M.bottom + 16, 'text-anchor': 'middle', class: d.year === opts.current ? 'chart-current' : '' }, String(d.year)));
  });
  return h('figure', { class: 'chart-wrap' }, svg);
}
