/**
 * Municipality search over the map: type a name (accents and case ignored), pick it, and the map
 * flies there; in the policymaker view it is selected, in the farmer view its figures are shown at
 * its centre. Plus municipality labels on the map from zoom 8 (HTML labels: the map has no
 * glyph server on a closed network, so MapLibre text layers cannot be used).
 */
import { h } from '../dom';
import { geometryBBox, maplibregl } from '../map/map';
import { defineStrings, onLangChange } from '../i18n';
import { emit, on, type Ctx } from '../state';
import type { RegionFeature } from '../types';

const tr = defineStrings(
  'place-search',
  { label: 'Find a municipality', placeholder: 'Municipality…', notFound: 'No municipality called “{q}”.' },
  { label: 'Procurar município', placeholder: 'Município…', notFound: 'Nenhum município chamado “{q}”.' },
);

const fold = (s: string): string => s.normalize('NFD').replace(/[\u0300-\u036f]/g, '').toLocaleLowerCase('pt-BR').trim();

function findRegion(features: readonly RegionFeature[], q: string): RegionFeature | null {
  const f = fold(q);
  if (!f) return null;
  return features.find((x) => fold(x.properties.name) === f) ?? features.find((x) => fold(x.properties.name).startsWith(f)) ?? null;
}

export function setupPlaceSearch(ctx: Ctx, container: HTMLElement, onFarmerPlace: (lon: number, lat: number) => void): void {
  const input = h('input', { type: 'search', id: 'place-search', list: 'place-list', autocomplete: 'off', class: 'place-input', 'data-control': 'place-search' });
  const list = h('datalist', { id: 'place-list' });
  const status = h('span', { class: 'sr-only', role: 'status' });
  const label = h('label', { for: 'place-search', class: 'sr-only' });
  const form = h('form', { class: 'place-search', role: 'search' }, label, input, list, status);
  const text = () => {
    label.textContent = tr('label');
    input.placeholder = tr('placeholder');
  };
  text();
  onLangChange(text);
  const fill = () => {
    const names = (ctx.regions.value?.features ?? []).map((f) => f.properties.name).sort((a, b) => a.localeCompare(b, 'pt-BR'));
    list.replaceChildren(...names.map((n) => h('option', { value: n })));
    addLabels(ctx);
  };
  // the boundaries may have arrived before this was set up
  if (ctx.regions.value) fill();
  on(ctx, 'regions', fill);
  const go = () => {
    const f = findRegion((ctx.regions.value?.features ?? []) as RegionFeature[], input.value);
    if (!f) {
      status.textContent = input.value ? tr('notFound', { q: input.value }) : '';
      return;
    }
    status.textContent = f.properties.name;
    const b = geometryBBox(f.geometry);
    ctx.map.fitBounds(b, { padding: 40, maxZoom: 11, duration: 800 });
    if (ctx.view === 'farmer') onFarmerPlace((b[0] + b[2]) / 2, (b[1] + b[3]) / 2);
    else emit(ctx, 'region-select', String(f.properties.id));
  };
  form.onsubmit = (e) => {
    e.preventDefault();
    go();
  };
  // picking from the list fires `change` without a submit
  input.addEventListener('change', go);
  container.append(form);
}

/** A label at the centre of each municipality's bounding box, shown from zoom 8 on. */
function addLabels(ctx: Ctx): void {
  const fc = ctx.regions.value;
  if (!fc || ctx.map.getContainer().querySelector('.region-label')) return;
  for (const f of fc.features) {
    const b = geometryBBox(f.geometry);
    const el = h('div', { class: 'region-label', 'aria-hidden': 'true' }, f.properties.name);
    new maplibregl.Marker({ element: el }).setLngLat([(b[0] + b[2]) / 2, (b[1] + b[3]) / 2]).addTo(ctx.map);
  }
  const toggle = () => ctx.map.getContainer().classList.toggle('labels-on', ctx.map.getZoom() >= 8);
  ctx.map.on('zoomend', toggle);
  toggle();
}
