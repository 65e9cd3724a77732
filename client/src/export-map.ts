/**
 * The current map as a PNG for a memo or a report: a title (what is shown, crop, year), the map as
 * on screen, the legend of the layers that are on (read from the page's legends, so it is the
 * legend the user sees), the sources and the date of the export. Drawn on a canvas in the browser;
 * the map's pixels are read inside MapLibre's render event (no preserveDrawingBuffer needed).
 */

import { sourcesLine } from './crops';
import { defineStrings, fmtDate } from './i18n';
import type { GMap } from './map/map';

const tr = defineStrings(
  'export-map',
  {
    exportPng: 'Save map as PNG',
    print: 'Print',
    sources: 'Sources: {list}',
    made: 'Granary · {date} · {url}',
  },
  {
    exportPng: 'Salvar mapa em PNG',
    print: 'Imprimir',
    sources: 'Fontes: {list}',
    made: 'Granary · {date} · {url}',
  },
);

export const exportStrings = { exportPng: () => tr('exportPng'), print: () => tr('print') };

/** The map's current frame as an image (read during a render, while the drawing buffer is valid). */
function mapImage(map: GMap): Promise<HTMLCanvasElement> {
  return new Promise((resolve) => {
    map.once('render', () => {
      const src = map.getCanvas();
      const c = document.createElement('canvas');
      c.width = src.width;
      c.height = src.height;
      c.getContext('2d')!.drawImage(src, 0, 0);
      resolve(c);
    });
    map.triggerRepaint();
  });
}

interface LegendEntry {
  caption: string;
  items: Array<{ color: string | null; text: string }>;
}

/** The legends on screen (choropleth, crop classes, imagery ramps), as text and colours. */
function legends(): LegendEntry[] {
  const out: LegendEntry[] = [];
  const seen = new Set<string>();
  for (const fig of document.querySelectorAll<HTMLElement>('.layer-legend figure.legend, .choropleth-legend figure.legend')) {
    const caption = fig.querySelector('figcaption')?.textContent ?? '';
    if (seen.has(caption) || fig.closest('[hidden]')) continue;
    seen.add(caption);
    const items = [...fig.querySelectorAll<HTMLElement>('li')].map((li) => ({ color: li.dataset.color ?? (li.querySelector('.swatch-nodata') ? '#d9d9d9' : null), text: li.textContent?.trim() ?? '' }));
    const ticks = fig.querySelector('.legend-ticks')?.textContent;
    if (!items.length && ticks) items.push({ color: null, text: [...fig.querySelectorAll('.legend-ticks span')].map((s) => s.textContent).join(' … ') });
    out.push({ caption, items });
  }
  return out;
}

export async function exportMapPng(map: GMap, title: string, attribution: string): Promise<Blob> {
  const img = await mapImage(map);
  const dpr = img.width / map.getCanvas().clientWidth || 1;
  const pad = 16 * dpr;
  const legendW = 300 * dpr;
  const font = (px: number, bold = false) => `${bold ? '600 ' : ''}${px * dpr}px system-ui, 'DejaVu Sans', sans-serif`;
  const leg = legends();
  const lineH = 18 * dpr;
  const legendH = leg.reduce((h, l) => h + lineH * (1.4 + l.items.length), 0);
  const headH = 44 * dpr;
  const footH = 48 * dpr;
  const W = img.width + legendW + pad * 3;
  const H = headH + Math.max(img.height, legendH) + footH + pad;
  const c = document.createElement('canvas');
  c.width = W;
  c.height = H;
  const g = c.getContext('2d')!;
  g.fillStyle = '#ffffff';
  g.fillRect(0, 0, W, H);
  g.fillStyle = '#1d2326';
  g.font = font(20, true);
  g.fillText(title, pad, 30 * dpr);
  g.drawImage(img, pad, headH);
  g.strokeStyle = '#9aa5ab';
  g.strokeRect(pad, headH, img.width, img.height);
  // legend
  let y = headH + lineH;
  const x = img.width + pad * 2;
  for (const l of leg) {
    g.font = font(13, true);
    g.fillStyle = '#1d2326';
    g.fillText(l.caption, x, y, legendW);
    y += lineH * 1.2;
    g.font = font(12);
    for (const it of l.items) {
      if (it.color) {
        g.fillStyle = it.color;
        g.fillRect(x, y - 11 * dpr, 14 * dpr, 14 * dpr);
        g.strokeStyle = 'rgba(0,0,0,0.3)';
        g.strokeRect(x, y - 11 * dpr, 14 * dpr, 14 * dpr);
      }
      g.fillStyle = '#1d2326';
      g.fillText(it.text, x + (it.color ? 20 * dpr : 0), y, legendW - 20 * dpr);
      y += lineH;
    }
    y += lineH * 0.2;
  }
  // sources and date
  g.font = font(11);
  g.fillStyle = '#5a6469';
  const fy = headH + Math.max(img.height, legendH) + 20 * dpr;
  g.fillText(tr('sources', { list: [sourcesLine(), attribution].filter(Boolean).join('; ') }), pad, fy, W - pad * 2);
  g.fillText(tr('made', { date: fmtDate(new Date().toISOString()), url: location.href }), pad, fy + lineH, W - pad * 2);
  return new Promise((resolve, reject) => c.toBlob((b) => (b ? resolve(b) : reject(new Error('canvas.toBlob failed'))), 'image/png'));
}
