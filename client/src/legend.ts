/**
 * Legends, drawn from the same registry the tiles use: continuous colormaps from /api/colormaps
 * (with the rescale range of the layer), classes with colours from a model card, and the
 * choropleth's classes.
 */
import { h, safeColor } from './dom';
import { cap, className, t } from './i18n';
import type { Classes } from './map/choropleth';
import type { Colormap, ModelClass } from './types';

export const NO_DATA_COLOR = '#d9d9d9';

/** A gradient bar for a continuous colormap between `min` and `max` (layer units). */
export function rampLegend(cm: Colormap, min: number, max: number, fmt: (v: number) => string, caption: string): HTMLElement {
  const bar = h('div', { class: 'legend-ramp', role: 'img', 'aria-label': `${caption}: ${cm.title}, ${fmt(min)} – ${fmt(max)}` });
  if (cm.kind === 'continuous') {
    bar.style.background = `linear-gradient(to right, ${cm.stops.map((s) => `${safeColor(s.color)} ${(s.value * 100).toFixed(1)}%`).join(', ')})`;
  }
  const mid = (min + max) / 2;
  return h(
    'figure',
    { class: 'legend', 'data-legend': cm.name },
    h('figcaption', {}, caption),
    bar,
    h('div', { class: 'legend-ticks', 'aria-hidden': 'true' }, h('span', {}, fmt(min)), h('span', {}, fmt(mid)), h('span', {}, fmt(max))),
  );
}

/** Swatches for categorical classes (a model card's classes, or a categorical colormap). */
export function classLegend(classes: ReadonlyArray<Pick<ModelClass, 'name' | 'color'>>, caption: string): HTMLElement {
  return h(
    'figure',
    { class: 'legend', 'data-legend': 'classes' },
    h('figcaption', {}, caption),
    h(
      'ul',
      { class: 'legend-classes' },
      ...classes.map((c) => {
        const sw = h('span', { class: 'swatch', 'aria-hidden': 'true' });
        sw.style.background = safeColor(c.color);
        return h('li', { title: c.name, 'data-color': safeColor(c.color) }, sw, h('span', {}, cap(className(c.name))));
      }),
    ),
  );
}

/** The choropleth's classes with their value ranges, plus "no data". */
export function choroplethLegend(c: Classes | null, fmt: (v: number) => string, caption: string): HTMLElement {
  const items: HTMLElement[] = [];
  if (c) {
    const bounds = [c.min, ...c.breaks, c.max];
    c.colors.forEach((color, i) => {
      const sw = h('span', { class: 'swatch', 'aria-hidden': 'true' });
      sw.style.background = safeColor(color);
      const label = !c.fixed ? `${fmt(bounds[i]!)} – ${fmt(bounds[i + 1]!)}` : i === 0 ? `< ${fmt(c.breaks[0]!)}` : i === c.colors.length - 1 ? `≥ ${fmt(c.breaks[i - 1]!)}` : `${fmt(c.breaks[i - 1]!)} – ${fmt(c.breaks[i]!)}`;
      items.push(h('li', { 'data-color': color }, sw, h('span', {}, label)));
    });
  }
  const nd = h('span', { class: 'swatch swatch-nodata', 'aria-hidden': 'true' });
  nd.style.background = NO_DATA_COLOR;
  items.push(h('li', {}, nd, h('span', {}, t('noDataLegend'))));
  return h('figure', { class: 'legend', 'data-legend': 'choropleth', 'data-fixed': c?.fixed ? 'true' : 'false' }, h('figcaption', {}, caption), h('ul', { class: 'legend-classes' }, ...items),
    c?.fixed ? h('p', { class: 'muted small' }, t('fixedClasses')) : null);
}
