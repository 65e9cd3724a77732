/**
 * Choropleth classes (pure): quantile breaks of an indicator and colours sampled from a colormap
 * of the server's registry (/api/colormaps), so the map and its legend use the same colours.
 */
import type { Stop } from '../types';
import { percentileLinear } from '../../../server/analytics/percentile';

export interface Classes {
  /** upper bounds of classes 0..n-2 (class i holds values < breaks[i]; the last class the rest) */
  breaks: number[];
  colors: string[];
  min: number;
  max: number;
  /** fixed breaks (the first class is "< breaks[0]", the last ">= the last break") */
  fixed?: boolean;
}

const hex = (c: string): [number, number, number] => {
  const h = c.replace('#', '');
  const f = h.length === 3 ? h.split('').map((x) => x + x).join('') : h.slice(0, 6);
  return [parseInt(f.slice(0, 2), 16), parseInt(f.slice(2, 4), 16), parseInt(f.slice(4, 6), 16)];
};

const toHex = (rgb: number[]): string => `#${rgb.map((v) => Math.round(v).toString(16).padStart(2, '0')).join('')}`;

/** The colour at t in 0..1 along a stop list, interpolated in sRGB (as the tile renderer does). */
function rampColor(stops: readonly Stop[], t: number): string {
  if (stops.length === 0) return '#888888';
  const x = Math.max(0, Math.min(1, t));
  let k = 0;
  while (k < stops.length - 2 && x > stops[k + 1]!.value) k++;
  const a = stops[k]!;
  const b = stops[Math.min(k + 1, stops.length - 1)]!;
  const f = b.value === a.value ? 0 : Math.max(0, Math.min(1, (x - a.value) / (b.value - a.value)));
  const ca = hex(a.color);
  const cb = hex(b.color);
  return toHex(ca.map((v, i) => v + (cb[i]! - v) * f));
}

/** Quantile (0..1) of sorted values: the service's one percentile definition (Hyndman-Fan type 7). */
const quantile = (sorted: readonly number[], p: number): number => percentileLinear(sorted, p * 100, { sorted: true });

/** Up to `n` quantile classes of the finite values; fewer when values repeat. */
function quantileClasses(values: ReadonlyArray<number | null | undefined>, n: number, stops: readonly Stop[]): Classes | null {
  const v = values.filter((x): x is number => typeof x === 'number' && Number.isFinite(x)).sort((a, b) => a - b);
  if (v.length === 0) return null;
  const breaks: number[] = [];
  for (let i = 1; i < n; i++) {
    const q = quantile(v, i / n);
    if (q > v[0]! && (breaks.length === 0 || q > breaks[breaks.length - 1]!)) breaks.push(q);
  }
  const k = breaks.length + 1;
  const colors = Array.from({ length: k }, (_, i) => rampColor(stops, k === 1 ? 0.5 : i / (k - 1)));
  return { breaks, colors, min: v[0]!, max: v[v.length - 1]! };
}

/** Fixed classes (the same breaks whatever the data), coloured along the colormap. */
export function fixedClasses(breaks: readonly number[], values: ReadonlyArray<number | null | undefined>, stops: readonly Stop[]): Classes | null {
  const v = values.filter((x): x is number => typeof x === 'number' && Number.isFinite(x));
  if (v.length === 0 || breaks.length === 0) return quantileClasses(values, 5, stops);
  const k = breaks.length + 1;
  const colors = Array.from({ length: k }, (_, i) => rampColor(stops, i / (k - 1)));
  return { breaks: [...breaks], colors, min: Math.min(...v), max: Math.max(...v), fixed: true };
}

/** MapLibre paint expression reading the value from feature-state `key`. */
export function fillExpression(c: Classes | null, key: string, noData: string): unknown {
  const v = ['feature-state', key];
  if (!c) return noData;
  const step: unknown[] = ['step', ['to-number', v], c.colors[0]];
  c.breaks.forEach((b, i) => step.push(b, c.colors[i + 1]));
  return ['case', ['==', ['typeof', v], 'number'], step, noData];
}
