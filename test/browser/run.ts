/**
 * Browser checks of the Granary dashboard in headless Chromium (playwright-core), against the real
 * service started here on a free port (the client is built first when client/dist is missing or
 * stale). One line per check, then `browser: N passed, M failed`; exit 1 on any failure.
 *
 *   node --import tsx test/browser/run.ts            (npm run test:browser)
 *
 * Screenshots go to test/browser/screenshots/. Checks that need a route the service does not have
 * fail and name the route; none passes without the thing it checks.
 */
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Feature, FeatureCollection, MultiPolygon, Polygon } from 'geojson';
import type { ConsoleMessage, Page, Request } from 'playwright-core';
import { launchChromium, waitForExpr, type Browser } from './browser.js';
import { parseCsv, regionAt } from './geo.js';
import { colourShare, decodePng } from './pixels.js';
import { REPO, startGranary, type RunningServer } from './server.js';
import { jsSize } from './first-render.js';
import { ACTUAL, compareWithReference, UPDATE, type ShotResult } from './visual.js';
import { axeViolations } from './a11y.js';
import type { YieldGapResponse } from '../../server/contract/regions.js';

const SHOTS = ACTUAL;
mkdirSync(SHOTS, { recursive: true });
const DESKTOP = { width: 1440, height: 900 };
const PHONE = { width: 390, height: 844 };
const shotResults: ShotResult[] = [];
/** the service's bearer token for this run (the crop-map job check types it into the analyst view) */
const TOKEN = process.env.GRANARY_TOKEN || 'browser-check-token-not-secret';

type Check = { name: string; run: () => Promise<string | void>; timeoutMs?: number };
type Regions = FeatureCollection<Polygon | MultiPolygon, { id: string; name: string }>;

let server!: RunningServer;
let browser!: Browser;
let page: Page;
const problems: string[] = [];

// ---------- helpers ----------

async function apiJson<T>(path: string): Promise<T> {
  const res = await fetch(`${server.url}${path}`);
  if (!res.ok) throw new Error(`GET ${path} -> ${res.status} (${(await res.text()).slice(0, 160)})`);
  return (await res.json()) as T;
}

async function regionsFromApi(): Promise<Regions> {
  try {
    return await apiJson<Regions>('/collections/regions/items?limit=1000');
  } catch {
    return await apiJson<Regions>('/api/layers/regions.geojson');
  }
}

const VERBOSE = process.env.GRANARY_BROWSER_VERBOSE === '1';
let stepT0 = performance.now();
/** With GRANARY_BROWSER_VERBOSE=1, prints how long each step of a check took. */
function step(label: string): void {
  if (VERBOSE) console.log(`       ${label} +${Math.round(performance.now() - stepT0)} ms`);
  stepT0 = performance.now();
}

const evalJson = <T>(expr: string): Promise<T> => page.evaluate(expr) as Promise<T>;

async function waitIdle(): Promise<void> {
  await page.evaluate('window.granary.idle()');
}

async function openDashboard(query = 'lang=en'): Promise<void> {
  await page.goto(`${server.url}/?${query}`);
  await waitForExpr(page, 'window.granary && (window.granary.ready || window.granary.error)', 60_000);
  const err = await evalJson<string | null>('window.granary.error');
  if (err) throw new Error(`the page shows an error: ${err}`);
}

/** Model, boundaries and indicators have loaded or failed (each shows its own message). */
async function waitSettled(): Promise<void> {
  await waitForExpr(page, `(() => { const c = window.granary.ctx; return c && (c.model.value || c.model.error) && (c.regions.value || c.regions.error); })()`, 30_000);
  await page.waitForLoadState('networkidle', { timeout: 30_000 }).catch(() => {});
  await waitIdle();
}

async function sceneCentre(): Promise<{ lon: number; lat: number; x: number; y: number }> {
  return evalJson(`(() => { const b = window.granary.ctx.scene.bbox; const lon = (b[0]+b[2])/2, lat = (b[1]+b[3])/2; const [x, y] = window.granary.project(lon, lat); return { lon, lat, x, y }; })()`);
}

/** A screenshot of the page, compared with its committed reference (test/browser/visual.ts). */
async function shot(name: string, fullPage = false, p: Page = page): Promise<void> {
  // no hover tooltip or caret in the picture
  await p.mouse.move(0, 0).catch(() => {});
  // every tile requested and drawn, no camera or fade in progress: a picture of a settled map (tiles still
  // arriving at shot time were what made the same page differ between runs)
  await Promise.race([p.evaluate('window.granary && window.granary.idle ? window.granary.idle() : null').catch(() => undefined), new Promise((r) => setTimeout(r, 15_000))]);
  const png = await p.screenshot({ fullPage, caret: 'hide', animations: 'disabled' });
  shotResults.push(await compareWithReference(name, png));
}

/** The analyst's URL list is complete: the answer layers' URLs join it when GET /ogc/collections answers (a picture taken before lacked them). */
async function endpointsListed(): Promise<void> {
  await page.locator('[data-testid="endpoints"][data-collections]').waitFor({ state: 'attached', timeout: 20_000 });
}

async function setToggle(layer: string, on: boolean): Promise<void> {
  const box = page.locator(`input[data-layer="${layer}"]`);
  if ((await box.count()) && (await box.isEnabled()) && (await box.isChecked()) !== on) await box.setChecked(on);
}

async function needsRoute(path: string): Promise<void> {
  const res = await fetch(`${server.url}${path}`);
  if (!res.ok) throw new Error(`waits for ${path.split('?')[0]} (the service answers ${res.status})`);
}


/** A screenshot of one element (an answers panel: no map tiles in it), compared with its reference. */
async function shotEl(name: string, selector: string, p: Page = page): Promise<void> {
  await p.mouse.move(0, 0).catch(() => {});
  const png = await p.locator(selector).first().screenshot({ caret: 'hide', animations: 'disabled' });
  shotResults.push(await compareWithReference(name, png, { maxShare: 0.02 }));
}

/** English that must not show in the Portuguese view of an answer (server words leaking through). */
const ENGLISH_LEAKS = /\b(Dry spell|days? (at|from)|Source|Station|fewer than|season\(s\)|the model|ranks higher|Statistical|a year|within 10 index|pest or disease|Crop condition)\b/;

async function openAnswers(query: string): Promise<void> {
  // tall enough that a whole answers panel is on screen (an element shot of a panel scrolled inside its column is cut)
  await page.setViewportSize({ width: 1440, height: 2600 });
  await openDashboard(query);
}

// ---------- the checks ----------

const checks: Check[] = [
  {
    name: 'page loads with no console errors and nothing fetched from outside',
    async run() {
      const errors: string[] = [];
      const onConsole = (m: ConsoleMessage) => {
        if (m.type() === 'error') errors.push(`${m.text()}${m.location().url ? ` [${m.location().url.replace(server.url, '')}]` : ''}`);
      };
      const onError = (e: Error) => errors.push(`page error: ${e.message}`);
      page.on('console', onConsole);
      page.on('pageerror', onError);
      try {
        await openDashboard();
        await waitSettled();
        await shot('desktop-overview.png');
      } finally {
        page.off('console', onConsole);
        page.off('pageerror', onError);
      }
      if (problems.length) throw new Error(`requests outside the server: ${problems.join(', ')}`);
      if (errors.length) throw new Error(`${errors.length} console error(s): ${[...new Set(errors)].slice(0, 6).join(' | ')}`);
      const ms = await evalJson<number | null>('window.granary.firstRenderMs');
      return `first map render ${ms === null ? '?' : Math.round(ms)} ms`;
    },
  },
  {
    name: 'map shows crop-map pixels in the scene area (screenshot pixels)',
    async run() {
      await needsRoute('/api/models');
      await waitForExpr(page, `window.granary.ctx.layers.hasLayer('crops') || window.granary.ctx.model.error`, 20_000);
      const modelId = await evalJson<string | null>('window.granary.ctx.model.value && window.granary.ctx.model.value.id');
      if (!modelId || !(await evalJson<boolean>(`window.granary.ctx.layers.hasLayer('crops')`))) {
        const status = await page.locator('[data-layer-block="crops"] .layer-status').innerText();
        throw new Error(`no crop layer on the map: ${status || 'model not loaded'}`);
      }
      const card = await apiJson<{ classes: Array<{ color: string; name: string }> }>(`/api/models/${encodeURIComponent(modelId)}`);
      await page.locator('#zoom-scene').click();
      await setToggle('imagery', false);
      await setToggle('regions', false);
      await setToggle('confidence', false);
      await setToggle('crops', true);
      await page.locator('input[data-opacity="crops"]').fill('100');
      await page.waitForTimeout(300);
      await waitIdle();
      const foot = await evalJson<Array<[number, number]>>(
        `(() => { const g = window.granary.ctx.item.geometry; const ring = g.type === 'Polygon' ? g.coordinates[0] : g.coordinates[0][0]; return ring.map(([x, y]) => window.granary.project(x, y)); })()`,
      );
      // shrink towards the centroid so boundary lines and the footprint outline are left out
      const cx = foot.reduce((s, p) => s + p[0], 0) / foot.length;
      const cy = foot.reduce((s, p) => s + p[1], 0) / foot.length;
      const inner = foot.map(([x, y]) => [cx + (x - cx) * 0.9, cy + (y - cy) * 0.9] as [number, number]);
      const png = await page.screenshot();
      const dpr = await evalJson<number>('window.devicePixelRatio');
      const r = colourShare(await decodePng(png), inner, card.classes.map((c) => c.color), 6, dpr);
      try {
        await shot('desktop-cropmap.png');
      } finally {
        await setToggle('imagery', true);
        await setToggle('regions', true);
        await page.locator('input[data-opacity="crops"]').fill('85');
      }
      if (r.total < 5000) throw new Error(`the scene covers only ${r.total} screen pixels`);
      if (r.share < 0.5) throw new Error(`only ${(r.share * 100).toFixed(1)}% of the scene's pixels have a class colour of model ${modelId}`);
      return `${(r.share * 100).toFixed(1)}% of ${r.total} px in class colours, ${r.perColor.size} classes`;
    },
  },
  {
    name: 'clicking a municipality shows the same numbers as the API',
    async run() {
      await needsRoute('/collections/regions/items?limit=1');
      const regions = await regionsFromApi();
      await page.locator('#tab-policy').click();
      await page.locator('#zoom-scene').click();
      await waitIdle();
      const c = await sceneCentre();
      const expected = regionAt(regions.features as Array<Feature<Polygon | MultiPolygon>>, c.lon, c.lat);
      if (!expected) throw new Error(`no municipality contains the scene centre ${c.lon},${c.lat}`);
      const props = (expected.properties ?? {}) as Record<string, unknown>;
      const id = String(expected.id); // the regions layer: feature id = IBGE code
      const { crop, year } = await evalJson<{ crop: string; year: number }>('({ crop: window.granary.ctx.crop, year: window.granary.ctx.year })');
      const body = await apiJson<YieldGapResponse>(`/api/yield-gap?crop=${crop}&year=${year}&region=${id}`);
      const row = body.rows.find((r) => r.regionId === id);
      if (!row) throw new Error(`/api/yield-gap has no row for ${id}`);
      await page.mouse.click(c.x, c.y);
      await page.locator(`[data-region-name="${id}"]`).waitFor({ timeout: 15_000 });
      await page.locator('[data-testid="region-panel"] dd[data-field]').first().waitFor({ timeout: 15_000 });
      const shown = await evalJson<Array<[string, string, string]>>(`[...document.querySelectorAll('[data-testid="region-panel"] dd[data-field]')].map((e) => [e.getAttribute('data-field'), e.getAttribute('data-value'), e.textContent])`);
      const bad: string[] = [];
      for (const [field, raw, text] of shown) {
        const api = (row as Record<string, unknown>)[field]; // data-field names a row field
        const apiNum = typeof api === 'number' ? api : null;
        const pageNum = raw === '' ? null : Number(raw);
        if (apiNum === null || pageNum === null) {
          if (apiNum !== pageNum) bad.push(`${field}: page ${raw} vs API ${String(api)}`);
          continue;
        }
        if (Math.abs(apiNum - pageNum) > 1e-9 * Math.max(1, Math.abs(apiNum))) bad.push(`${field}: page ${pageNum} vs API ${apiNum}`);
        const visible = Number(text.replace(/,/g, ''));
        const decimals = (text.split('.')[1] ?? '').length;
        if (!Number.isFinite(visible) || Math.abs(visible - apiNum) > 0.5 * 10 ** -decimals + 1e-9) bad.push(`${field}: shows "${text}" for ${apiNum}`);
      }
      await shot('desktop-region.png');
      if (shown.length < 8) throw new Error(`the panel shows only ${shown.length} indicators`);
      if (bad.length) throw new Error(bad.join('; '));
      return `${String(props.name)} (${id}): ${shown.length} indicators equal /api/yield-gap`;
    },
  },
  {
    name: 'farmer view draws a curve for a clicked point',
    async run() {
      step('farmer start');
      await needsRoute(`/api/point?lon=-55.5&lat=-11.65&scene=sinop`);
      step('route checked');
      // its own page: run alone (GRANARY_BROWSER_ONLY='farmer') there is none open before it
      await page.setViewportSize(DESKTOP);
      await openDashboard();
      await waitSettled();
      await page.locator('#tab-farmer').click();
      await page.locator('#zoom-scene').click();
      await waitIdle();
      step('zoomed');
      const c = await sceneCentre();
      await page.mouse.click(c.x + 15, c.y - 10);
      const path = page.locator('[data-testid="field-curve"] path[data-series="field"]');
      try {
        await path.waitFor({ timeout: 30_000 });
      } catch {
        throw new Error(`no curve: ${(await page.locator('.view-farmer').innerText()).slice(0, 300)}`);
      }
      step('curve drawn');
      const n = Number(await path.getAttribute('data-points'));
      if (!(n >= 10)) throw new Error(`the field's curve has ${n} points`);
      // let the comparison with sampled fields arrive, for the screenshot
      await waitForExpr(page, `!document.querySelector('[data-testid="field-curve"] [data-sampling]')`, 60_000).catch(() => {});
      await page.waitForTimeout(500);
      step('samples');
      await shot('desktop-farmer.png');
      step('screenshot');
      const series = await evalJson<string[]>(`[...document.querySelectorAll('[data-testid="field-curve"] path[data-series]')].map((e) => e.getAttribute('data-series'))`);
      const cls = await evalJson<string | null>(`document.querySelector('[data-testid="crop-class"]')?.getAttribute('data-class') ?? null`);
      return `${n} dates; lines: ${series.join(', ')}; class ${cls ?? 'unknown'}`;
    },
  },
  {
    name: 'download buttons deliver valid GeoJSON and CSV',
    timeoutMs: 60_000,
    async run() {
      await needsRoute('/collections/regions/items?limit=1');
      const { crop, year } = await evalJson<{ crop: string; year: number }>('({ crop: window.granary.ctx.crop, year: window.granary.ctx.year })');
      await needsRoute(`/api/yield-gap?crop=${crop}&year=${year}`);
      await page.locator('#tab-policy').click();
      const listed = await page.locator('.ranking-table tbody tr').count();
      if (!listed) throw new Error('the ranking lists no municipality');
      const [gj] = await Promise.all([page.waitForEvent('download'), page.locator('[data-download="geojson"]').click()]);
      const geo = JSON.parse(readFileSync((await gj.path())!, 'utf8')) as FeatureCollection;
      if (geo.type !== 'FeatureCollection' || !Array.isArray(geo.features)) throw new Error('GeoJSON is not a FeatureCollection');
      if (geo.features.length !== listed) throw new Error(`GeoJSON has ${geo.features.length} features, the ranking ${listed}`);
      for (const f of geo.features) {
        if (f.type !== 'Feature' || !f.geometry || !['Polygon', 'MultiPolygon'].includes(f.geometry.type)) throw new Error(`feature ${String(f.id)} has no polygon`);
        const flat = JSON.stringify((f.geometry as Polygon | MultiPolygon).coordinates).match(/-?\d+(\.\d+)?(e-?\d+)?/g) ?? [];
        if (!flat.length || flat.some((v) => !Number.isFinite(Number(v)))) throw new Error(`feature ${String(f.id)} has bad coordinates`);
        if (typeof f.properties?.regionId !== 'string' || !('yieldGapPct' in f.properties)) throw new Error(`feature ${String(f.id)} lacks regionId/indicators`);
      }
      const [cs] = await Promise.all([page.waitForEvent('download'), page.locator('[data-download="csv"]').click()]);
      const rows = parseCsv(readFileSync((await cs.path())!, 'utf8'));
      const header = rows[0] ?? [];
      for (const col of ['regionId', 'name', 'yieldGapPct', 'productionGapValueUsd', 'productionPerCapitaKg']) if (!header.includes(col)) throw new Error(`CSV lacks column ${col}`);
      const data = rows.slice(1).filter((r) => r.length > 1);
      if (data.length !== listed) throw new Error(`CSV has ${data.length} rows, the ranking ${listed}`);
      const ragged = data.find((r) => r.length !== header.length);
      if (ragged) throw new Error(`CSV row for ${ragged[0]} has ${ragged.length} cells, header ${header.length}`);
      const api = (await apiJson<YieldGapResponse>(`/api/yield-gap?crop=${crop}&year=${year}`)).rows;
      // the same columns as the API's own CSV, in the same order
      const apiCsv = await (await fetch(`${server.url}/api/yield-gap?crop=${crop}&year=${year}&format=csv`)).text();
      const apiHeader = parseCsv(apiCsv)[0] ?? [];
      if (header.join(',') !== apiHeader.join(',')) throw new Error(`CSV columns differ from the API's CSV: ${header.filter((c) => !apiHeader.includes(c)).join(' ')} | API only: ${apiHeader.filter((c) => !header.includes(c)).join(' ')}`);
      const idIdx = header.indexOf('regionId');
      const gapIdx = header.indexOf('yieldGapPct');
      const loIdx = header.indexOf('mappedAreaCi95LowHa');
      for (const r of data) {
        const a = api.find((x) => x.regionId === r[idIdx]);
        const v = r[gapIdx] === '' ? null : Number(r[gapIdx]);
        // rounded to 2 decimals: equal to the API within half a unit of the last digit
        const want = (a?.yieldGapPct ?? null) as number | null;
        if (!a || (want === null) !== (v === null) || (want !== null && Math.abs(want - v!) > 0.005 + 1e-9)) throw new Error(`CSV yieldGapPct of ${r[idIdx]} is ${r[gapIdx]}, API ${String(a?.yieldGapPct)}`);
        if (((r[gapIdx] ?? '').split('.')[1]?.length ?? 0) > 2) throw new Error(`CSV yieldGapPct ${r[gapIdx]} is not rounded`);
        const ci = a.mappedAreaCi95Ha as [number, number] | null | undefined;
        if (ci && Math.abs(Number(r[loIdx]) - ci[0]) > 0.5) throw new Error(`CSV mappedAreaCi95LowHa of ${r[idIdx]} is ${r[loIdx]}, API ${ci[0]}`);
      }
      // pt-BR for spreadsheets: BOM, semicolons, decimal commas, the same values
      const [pb] = await Promise.all([page.waitForEvent('download'), page.locator('[data-download="csv-ptbr"]').click()]);
      const ptText = readFileSync((await pb.path())!, 'utf8');
      if (ptText.charCodeAt(0) !== 0xfeff) throw new Error('pt-BR CSV has no UTF-8 BOM');
      const ptRows = parseCsv(ptText.slice(1), ';').filter((r) => r.length > 1);
      if (ptRows[0]!.join(',') !== apiHeader.join(',')) throw new Error('pt-BR CSV header differs');
      const withDecimals = ptRows.slice(1).map((r) => r[gapIdx]!).find((x) => /\d,\d/.test(x));
      if (!withDecimals) throw new Error('pt-BR CSV has no decimal comma in yieldGapPct');
      const first = ptRows[1]!;
      const apiFirst = api.find((x) => String(x.regionId) === first[idIdx]);
      if (Math.abs(Number(first[gapIdx]!.replace(',', '.')) - Number(apiFirst?.yieldGapPct)) > 0.005 + 1e-9) throw new Error(`pt-BR yieldGapPct ${first[gapIdx]} vs API ${String(apiFirst?.yieldGapPct)}`);
      return `GeoJSON ${geo.features.length} features, CSV ${data.length} rows x ${header.length} columns (= API CSV), pt-BR CSV with BOM and ';'`;
    },
  },
  {
    name: 'phone-size layout (390x844) has no horizontal scroll',
    async run() {
      await page.setViewportSize({ width: 390, height: 844 });
      const out: string[] = [];
      // back to the desktop size even when a step fails (the next checks assume it)
      try {
      // the farmer view in Portuguese, whose longer words are the harder case
      for (const [view, lang] of [['policy', 'en'], ['farmer', 'pt'], ['analyst', 'pt']] as const) {
        await openDashboard(`lang=${lang}&view=${view}`);
        await waitSettled();
        if (view === 'farmer') {
          const c = await sceneCentre();
          await page.mouse.click(c.x, c.y);
          await page.locator('[data-testid="farmer-result"] h2, .view-farmer [role="alert"]').first().waitFor({ timeout: 30_000 }).catch(() => {});
          await waitForExpr(page, `!document.querySelector('[data-sampling]')`, 60_000).catch(() => {});
          await page.waitForTimeout(800);
        }
        const m = await evalJson<{ sw: number; cw: number; iw: number; mapH: number }>(
          `({ sw: document.documentElement.scrollWidth, cw: document.documentElement.clientWidth, iw: window.innerWidth, mapH: document.getElementById('map').getBoundingClientRect().height })`,
        );
        const wide = await evalJson<string[]>(
          `[...document.querySelectorAll('body *')].filter((e) => { const r = e.getBoundingClientRect(); return r.width > 0 && r.right > document.documentElement.clientWidth + 1 && !e.closest('.maplibregl-map'); }).slice(0, 5).map((e) => e.tagName.toLowerCase() + (e.className && typeof e.className === 'string' ? '.' + e.className.split(' ')[0] : ''))`,
        );
        if (view === 'analyst') await endpointsListed();
        await shot(`phone-scroll-${view}-${lang}.png`, true);
        if (m.sw > m.cw) throw new Error(`${view}: page is ${m.sw}px wide in a ${m.cw}px viewport (${wide.join(', ')})`);
        if (m.mapH < 250) throw new Error(`${view}: the map is only ${m.mapH}px tall`);
        out.push(`${view} ${m.sw}/${m.cw}px`);
      }
      } finally {
        await page.setViewportSize(DESKTOP);
      }
      return out.join(', ');
    },
  },
  {
    name: 'keyboard reaches the views, language, map and panel controls',
    async run() {
      await openDashboard('lang=en');
      await waitSettled();
      const seen = new Set<string>();
      const want = ['tab-policy', 'lang-btn', 'map', 'crop', 'year', 'indicator', 'ranking', 'layer:imagery'];
      // the page holds more controls than it did (search, year player, panels): Tab until every wanted stop is seen
      for (let i = 0; i < 250 && want.some((w) => !seen.has(w)); i++) {
        await page.keyboard.press('Tab');
        const d = await evalJson<string>(
          `(() => { const e = document.activeElement; if (!e) return ''; return e.getAttribute('data-control') || (e.getAttribute('data-layer') && ('layer:' + e.getAttribute('data-layer'))) || (e.getAttribute('data-region-button') && 'ranking') || (e.tagName === 'CANVAS' ? 'map' : e.id || e.tagName.toLowerCase()); })()`,
        );
        seen.add(d);
      }
      const missing = want.filter((w) => !seen.has(w));
      if (missing.length) throw new Error(`not reached by Tab: ${missing.join(', ')} (reached ${[...seen].join(', ')})`);
      return `${seen.size} distinct stops`;
    },
  },
  {
    name: 'an unreachable server gives a message with a retry, not a blank page',
    async run() {
      const p2 = await browser.context.newPage();
      try {
        await p2.route('**/api/scenes', (r) => r.abort('connectionrefused'));
        await p2.goto(`${server.url}/?lang=en`);
        const alert = p2.locator('#banner [role="alert"]');
        await alert.waitFor({ timeout: 15_000 });
        const text = await alert.innerText();
        if (!/cannot be reached/i.test(text)) throw new Error(`message: ${text}`);
        if (!(await alert.locator('button').count())) throw new Error('no retry button');
        await p2.screenshot({ path: join(SHOTS, 'error-unreachable.png') });
        return text.split('\n')[0]!.slice(0, 80);
      } finally {
        await p2.close();
      }
    },
  },
  {
    name: 'Portuguese view: no English catalog text, no raw keys, in every view (desktop and phone), and switching language leaves nothing stale',
    timeoutMs: 150_000,
    async run() {
      const out: string[] = [];
      let marked = 0;
      for (const size of [DESKTOP, PHONE]) {
        await page.setViewportSize(size);
        // start in English and switch: what a stale string would survive
        await openDashboard('lang=en&view=policy');
        await waitSettled();
        await page.locator('#lang-btn').click();
        for (const view of ['policy', 'farmer', 'analyst'] as const) {
          await page.locator(`#tab-${view}`).click();
          if (view === 'policy') {
            await page.locator('.ranking-table tbody tr').first().waitFor({ timeout: 20_000 });
            await page.locator('[data-region-button]').first().click();
            await page.locator('[data-testid="region-panel"] dd[data-field]').first().waitFor({ timeout: 15_000 });
            // the service's answers (suitability, outlook, alerts) too: their words must be Portuguese as well
            await waitForExpr(page, `(() => { const p = document.querySelector('[data-testid="region-answers"]'); return p && p.querySelector('[data-testid="suitability"] ul') && !p.textContent.includes('Carregando'); })()`, 30_000);
          }
          if (view === 'farmer') {
            await page.locator('#zoom-scene').click();
            await waitIdle();
            const c = await sceneCentre();
            await page.mouse.click(c.x + 15, c.y - 10);
            await page.locator('[data-testid="field-curve"], .view-farmer [role="alert"]').first().waitFor({ timeout: 30_000 });
            // the comparison with sampled fields arrives later: wait, so the screenshot is of the finished page
            await waitForExpr(page, `!document.querySelector('[data-sampling]')`, 60_000).catch(() => {});
            await waitForExpr(page, `(() => { const p = document.querySelector('[data-testid="field-answers"]'); return p && !p.textContent.includes('Carregando'); })()`, 30_000).catch(() => {});
          }
          if (view === 'analyst') {
            await endpointsListed();
            await page.locator('.label-review-section summary').click();
            await page.locator('[data-testid="label-review"] table, [data-testid="label-review"] [role="status"]').first().waitFor({ timeout: 20_000 }).catch(() => {});
          }
          await page.waitForTimeout(400);
          // the region panel's flags and method (folded by default) are read open, then folded again for the picture
          const folded = view === 'policy' ? await evalJson<number>(`(() => { const d = [...document.querySelectorAll('[data-testid="region-panel"] details.flags, [data-testid="region-panel"] details.method')].filter((x) => !x.open); d.forEach((x) => { x.open = true; x.dataset.unfolded = '1'; }); return d.length; })()`) : 0;
          if (view === 'policy') {
            const shown = await evalJson<{ flags: number; method: string }>(`({ flags: document.querySelectorAll('[data-testid="region-panel"] details.flags li').length, method: document.querySelector('[data-testid="region-panel"] details.method p')?.textContent ?? '' })`);
            if (shown.flags === 0 || !/média/.test(shown.method)) throw new Error(`${size.width}px policy: the region panel shows ${shown.flags} flags and method "${shown.method.slice(0, 60)}" (expected flags and the method in Portuguese)`);
          }
          const found = await evalJson<{ english: string[]; raw: string[]; lang: string; server: string[]; marked: number }>(ENGLISH_ON_PAGE);
          if (folded) await page.evaluate(`document.querySelectorAll('[data-unfolded]').forEach((x) => { x.open = false; delete x.dataset.unfolded; })`);
          if (found.lang !== 'pt-BR') throw new Error(`html lang is ${found.lang}`);
          if (found.english.length || found.raw.length || found.server.length) throw new Error(`${size.width}px ${view}: English text ${JSON.stringify(found.english.slice(0, 6))}; from the service ${JSON.stringify(found.server.slice(0, 4))}; raw keys ${JSON.stringify(found.raw.slice(0, 6))}`);
          marked += found.marked;
          if (size === PHONE) await shot(`phone-${view}-pt.png`, true);
          else await shot(`desktop-${view}-pt.png`);
        }
        out.push(`${size.width}px ok`);
      }
      await page.setViewportSize(DESKTOP);
      return `${out.join(', ')}; ${marked} quoted source titles in their own language; flags and methods in Portuguese`;
    },
  },
  {
    name: 'ranking shows its value column for all indicators (1440x900 and 390x844, pt and en)',
    timeoutMs: 240_000,
    async run() {
      try {
        return await rankingColumns();
      } finally {
        await page.setViewportSize(DESKTOP);
      }
    },
  },
  {
    name: 'permalink restores crop, year, indicator, region, map position and layers; changes go to the URL',
    timeoutMs: 90_000,
    async run() {
      const q = 'lang=en&view=policy&crop=maize&year=2019&ind=productionT&region=5107909&map=8.50%2F-11.90000%2F-55.50000&layers=imagery,regions';
      await openDashboard(q);
      await waitSettled();
      await page.locator('[data-region-name="5107909"]').waitFor({ timeout: 20_000 });
      const st = await evalJson<{ crop: string; year: number; ind: string; zoom: number; lat: number; lon: number; crops: boolean; conf: boolean; regions: boolean; region: string | null }>(`(() => { const c = window.granary.ctx; const m = c.map; return {
        crop: c.crop, year: c.year, ind: document.querySelector('select[data-control="indicator"]').value,
        zoom: m.getZoom(), lat: m.getCenter().lat, lon: m.getCenter().lng,
        crops: c.layers.isVisible('crops'), conf: c.layers.isVisible('confidence'), regions: c.layers.isVisible('regions'),
        region: document.querySelector('[data-region-name]')?.getAttribute('data-region-name') ?? null }; })()`);
      const bad: string[] = [];
      if (st.crop !== 'maize' || st.year !== 2019) bad.push(`crop/year ${st.crop} ${st.year}`);
      if (st.ind !== 'productionT') bad.push(`indicator ${st.ind}`);
      if (Math.abs(st.zoom - 8.5) > 0.01 || Math.abs(st.lat + 11.9) > 1e-3 || Math.abs(st.lon + 55.5) > 1e-3) bad.push(`map ${st.zoom}/${st.lat}/${st.lon}`);
      if (st.crops || st.conf || !st.regions) bad.push(`layers crops=${st.crops} confidence=${st.conf} regions=${st.regions}`);
      if (st.region !== '5107909') bad.push(`region ${st.region}`);
      if (bad.length) throw new Error(`not restored: ${bad.join('; ')}`);
      // changes are written back
      await page.locator('select[data-control="crop"]').selectOption('soy');
      await page.locator('select[data-control="indicator"]').selectOption('yieldGapKgHa');
      await page.locator('input[data-layer="crops"]').setChecked(true);
      await page.waitForTimeout(400);
      const url = new URL(page.url());
      const p = Object.fromEntries(url.searchParams);
      if (p.crop !== 'soy' || p.ind !== 'yieldGapKgHa' || !(p.layers ?? '').split(',').includes('crops') || p.region !== '5107909' || !/^\d+\.\d+\/-?\d+\.\d+\/-?\d+\.\d+$/.test(p.map ?? '')) throw new Error(`URL after changes: ${url.search}`);
      // and a reload opens the same
      await page.reload();
      await waitForExpr(page, 'window.granary && window.granary.ready', 30_000);
      const again = await evalJson<{ crop: string; ind: string }>(`({ crop: window.granary.ctx.crop, ind: document.querySelector('select[data-control="indicator"]').value })`);
      if (again.crop !== 'soy' || again.ind !== 'yieldGapKgHa') throw new Error(`after reload: ${JSON.stringify(again)}`);
      return url.search.slice(0, 140);
    },
  },
  {
    name: 'map export is a PNG with title, map and legend; print layout hides the controls',
    timeoutMs: 60_000,
    async run() {
      await openDashboard('lang=pt&view=policy');
      await waitSettled();
      const [dl] = await Promise.all([page.waitForEvent('download'), page.locator('#export-png').click()]);
      const file = (await dl.path())!;
      const { decodePng: dec } = await import('./pixels.js');
      const img = await dec(readFileSync(file));
      const canvas = await evalJson<{ w: number; h: number }>(`({ w: window.granary.ctx.map.getCanvas().width, h: window.granary.ctx.map.getCanvas().height })`);
      if (img.width <= canvas.w || img.height <= canvas.h) throw new Error(`export ${img.width}x${img.height} is not larger than the map ${canvas.w}x${canvas.h} (no room for title/legend)`);
      // the legend's colours are in the picture, to the right of the map
      const legendColours = await evalJson<string[]>(`[...document.querySelectorAll('#view .choropleth-legend li[data-color]')].map((li) => li.dataset.color)`);
      const { colourShare } = await import('./pixels.js');
      const right: Array<[number, number]> = [[canvas.w + 10, 0], [img.width, 0], [img.width, img.height], [canvas.w + 10, img.height]];
      const r = colourShare(img, right, legendColours, 4, 1);
      if (r.perColor.size < legendColours.length) throw new Error(`legend colours in the PNG: ${r.perColor.size} of ${legendColours.length}`);
      writeFileSync(join(SHOTS, 'export-map.png'), readFileSync(file));
      await page.emulateMedia({ media: 'print' });
      let hidden: boolean[];
      let mapH: number;
      try {
        hidden = await evalJson<boolean[]>(`['#export-png', '.tabs', 'select[data-control="crop"]'].map((s) => { const e = document.querySelector(s); return !e || getComputedStyle(e).display === 'none' || e.getBoundingClientRect().width === 0; })`);
        mapH = await evalJson<number>(`document.getElementById('map').getBoundingClientRect().height`);
        await shot('print-policy-pt.png', true);
      } finally {
        await page.emulateMedia({ media: 'screen' });
      }
      if (hidden.some((x) => !x)) throw new Error(`print layout shows controls: ${hidden}`);
      if (mapH < 200) throw new Error(`print layout map is ${mapH}px tall`);
      return `PNG ${img.width}x${img.height}, ${legendColours.length} legend colours; print map ${Math.round(mapH)}px`;
    },
  },
  {
    name: 'farmer outside the imagery (Sorriso) gets the municipality figures in kg/ha and sacas/ha (pt, phone)',
    timeoutMs: 60_000,
    async run() {
      await page.setViewportSize(PHONE);
      try {
        await openDashboard('lang=pt&view=farmer&at=-12.5450,-55.7110');
        const gap = page.locator('[data-testid="farmer-gap"]').first();
        await gap.waitFor({ timeout: 30_000 });
        const text = await gap.innerText();
        const title = await page.locator('[data-testid="farmer-gaps"] h3').innerText();
        if (!/Sorriso/.test(title)) throw new Error(`not Sorriso: ${title}`);
        const row = (await apiJson<YieldGapResponse>(`/api/yield-gap?crop=soy&year=${await evalJson<number>("window.granary.ctx.year")}&region=5107925`)).rows[0]!;
        const kg = Number(row.actualYieldKgHa);
        const sc = new Intl.NumberFormat('pt-BR', { maximumFractionDigits: 1, minimumFractionDigits: 1 }).format(kg / 60);
        const kgText = new Intl.NumberFormat('pt-BR', { maximumFractionDigits: 0 }).format(kg);
        if (!text.includes(`${kgText} kg/ha`) || !text.includes(`${sc} sacas/ha`)) throw new Error(`figures: "${text}" (want ${kgText} kg/ha and ${sc} sacas/ha)`);
        await shot('phone-farmer-sorriso-pt.png', true);
        return text.slice(0, 120);
      } finally {
        await page.setViewportSize(DESKTOP);
      }
    },
  },
  {
    name: 'farmer draws a field (mouse, then keyboard) and gets its zonal statistics in ha and sacas/ha, equal to POST /api/zonal-stats',
    timeoutMs: 120_000,
    async run() {
      await openDashboard('lang=pt&view=farmer&scene=sinop');
      await waitSettled();
      await page.locator('#zoom-scene').click();
      await waitIdle();
      await evalJson(`(window.__drawn = [], window.granary.ctx.bus.addEventListener('field-drawn', (e) => window.__drawn.push(e.detail)), 0)`);
      const c = await sceneCentre();
      // four corners around the scene's centre, clicked on the map
      const corners = [[-70, -50], [70, -50], [70, 50], [-70, 50]].map(([dx, dy]) => [c.x + dx!, c.y + dy!] as const);
      await page.locator('[data-control="draw-start"]').click();
      for (const [x, y] of corners) await page.mouse.click(x, y);
      const status = await page.locator('[data-testid="draw-status"]').innerText();
      if (!status.includes('4')) throw new Error(`after four clicks: ${status}`);
      await page.locator('[data-control="draw-finish"]').click();
      await page.locator('[data-testid="field-stats"]').waitFor({ timeout: 60_000 });
      const drawn = await evalJson<Array<{ geometry: { coordinates: number[][][] } }>>('window.__drawn');
      if (drawn.length !== 1 || drawn[0]!.geometry.coordinates[0]!.length !== 5) throw new Error(`field-drawn events: ${JSON.stringify(drawn).slice(0, 200)}`);
      // the same polygon straight to the API
      const model = await evalJson<string>('window.granary.ctx.model.value.id');
      const res = await fetch(`${server.url}/api/zonal-stats?scene=sinop&model=${encodeURIComponent(model)}`, { method: 'POST', headers: { 'Content-Type': 'application/geo+json' }, body: JSON.stringify({ type: 'Feature', properties: {}, geometry: drawn[0]!.geometry }) });
      if (!res.ok) throw new Error(`POST /api/zonal-stats -> ${res.status}`);
      const api = (await res.json()) as { properties: { stats: { polygonAreaHa: number; crops: { adjusted: { classes: Array<{ class: string; adjustedAreaHa: number }> } | null } | null; variables: Record<string, { mean: number | null }> } } };
      const st = api.properties.stats;
      const shownArea = Number(await page.locator('[data-testid="field-stats"]').getAttribute('data-area-ha'));
      if (Math.abs(shownArea - st.polygonAreaHa) > 1e-6 * st.polygonAreaHa) throw new Error(`area ${shownArea} vs API ${st.polygonAreaHa}`);
      const areaText = await page.locator('[data-testid="field-area"]').innerText();
      const fmt1 = (v: number) => new Intl.NumberFormat('pt-BR', { minimumFractionDigits: 1, maximumFractionDigits: 1 }).format(v);
      if (!areaText.includes(`${fmt1(st.polygonAreaHa)} ha`)) throw new Error(`area text "${areaText}" (want ${fmt1(st.polygonAreaHa)} ha)`);
      const shownCrops = await evalJson<Array<[string, number]>>(`[...document.querySelectorAll('[data-testid="field-crops"] li')].map((l) => [l.dataset.class, Number(l.dataset.ha)])`);
      for (const [cls, ha] of shownCrops) {
        const a = st.crops?.adjusted?.classes.find((k) => k.class === cls);
        if (!a || Math.abs(a.adjustedAreaHa - ha) > 1e-9) throw new Error(`class ${cls}: ${ha} ha vs API ${a?.adjustedAreaHa}`);
      }
      if (!shownCrops.length) throw new Error('no crop classes shown for a field in the crop map');
      const ndvi = Number(await page.locator('[data-testid="field-ndvi"]').getAttribute('data-value'));
      if (Math.abs(ndvi - st.variables.ndvi!.mean!) > 1e-9) throw new Error(`NDVI ${ndvi} vs API ${st.variables.ndvi!.mean}`);
      // soy fields: the municipality's yield in sacas/ha for the field's soy area
      const soyHa = (st.crops?.adjusted?.classes ?? []).filter((k) => /soy/i.test(k.class)).reduce((x, k) => x + k.adjustedAreaHa, 0);
      let yieldNote = '';
      if (soyHa > 0) {
        const line = page.locator('[data-testid="field-yield"]');
        await line.waitFor({ timeout: 20_000 });
        const text = await line.innerText();
        if (!/sacas\/ha/.test(text) || !/ha\)/.test(text)) throw new Error(`yield line without units: ${text}`);
        const kg = Number(await line.getAttribute('data-kg'));
        const sacas = Number(await line.getAttribute('data-sacas'));
        if (Math.abs(sacas - (kg / 60) * soyHa) > 1e-6 * sacas) throw new Error(`sacas ${sacas} vs ${kg} kg/ha x ${soyHa} ha / 60`);
        yieldNote = `; ${text.slice(0, 140)}`;
      }
      // the drawn field's planting time: the page shows what POST /api/phenology/field answers for the same polygon
      const sosRes = await fetch(`${server.url}/api/phenology/field`, { method: 'POST', headers: { 'Content-Type': 'application/geo+json' }, body: JSON.stringify({ type: 'Feature', properties: {}, geometry: drawn[0]!.geometry }) });
      if (!sosRes.ok) throw new Error(`POST /api/phenology/field -> ${sosRes.status}`);
      const sosApi = (await sosRes.json()) as { seasons: Array<{ season: number; date: string | null }> };
      await page.locator('[data-testid="drawn-field-answers"] [data-testid="field-basis"]').waitFor({ timeout: 60_000 });
      const shownSos = await evalJson<Array<[string, string]>>(`[...document.querySelectorAll('[data-testid="drawn-field-answers"] [data-sos]')].map((l) => [l.dataset.season, l.dataset.sos])`);
      const wantSos = sosApi.seasons.filter((x) => x.date).map((x) => [String(x.season), x.date]);
      if (!wantSos.length || JSON.stringify(shownSos) !== JSON.stringify(wantSos)) throw new Error(`field start of season shown ${JSON.stringify(shownSos)} vs API ${JSON.stringify(wantSos)}`);
      await shot('desktop-farmer-field-pt.png');
      // by keyboard: three corners at the map's centre, the map moved between them
      await page.locator('[data-control="draw-start"]').focus();
      await page.keyboard.press('Enter');
      const focused = await evalJson<string>(`document.activeElement && document.activeElement.getAttribute('data-control')`);
      if (focused !== 'draw-centre') throw new Error(`focus after starting: ${focused}`);
      for (const [dx, dy] of [[0, 0], [90, 0], [0, 90]] as const) {
        await evalJson(`(window.granary.ctx.map.panBy([${dx}, ${dy}], { animate: false }), 0)`);
        await page.locator('[data-control="draw-centre"]').focus();
        await page.keyboard.press('Enter');
      }
      await page.locator('[data-control="draw-finish"]').focus();
      await page.keyboard.press('Enter');
      await waitForExpr(page, `window.__drawn.length === 2 && document.querySelector('[data-testid="field-stats"]')`, 60_000);
      const tri = await evalJson<number>('window.__drawn[1].geometry.coordinates[0].length');
      if (tri !== 4) throw new Error(`keyboard field has ${tri - 1} corners`);
      return `${fmt1(st.polygonAreaHa)} ha, ${shownCrops.length} classes, NDVI ${ndvi.toFixed(2)}${yieldNote}; keyboard triangle drawn`;
    },
  },
  {
    name: 'farmer comparison year is the farmer\'s own (fyear=), not the policymaker\'s',
    timeoutMs: 90_000,
    async run() {
      await openDashboard('lang=pt&view=farmer&year=2015&fyear=2021&at=-11.7000,-55.4500');
      const gap = page.locator('[data-testid="farmer-gap"]').first();
      await gap.waitFor({ timeout: 30_000 });
      const region = '5107909';
      const want = async (year: number) => (await apiJson<YieldGapResponse>(`/api/yield-gap?crop=soy&year=${year}&region=${region}`)).rows[0]!.yieldGapPct;
      const shown = async () => Number(await gap.getAttribute('data-value'));
      if ((await shown()) !== (await want(2021))) throw new Error(`fyear=2021 shows ${await shown()}, API 2021 ${await want(2021)} (2015: ${await want(2015)})`);
      // the policymaker's year changes: the farmer's figures stay
      await page.locator('#tab-policy').click();
      await page.locator('select[data-control="year"]').selectOption('2010');
      await page.locator('#tab-farmer').click();
      await page.waitForTimeout(300);
      if ((await shown()) !== (await want(2021))) throw new Error('the farmer figures followed the policymaker year');
      // the farmer's own control
      await page.locator('[data-control="farmer-year"]').selectOption('2018');
      await waitForExpr(page, `document.querySelector('[data-testid="farmer-gap"]') && Number(document.querySelector('[data-testid="farmer-gap"]').dataset.value) === ${await want(2018)}`, 20_000);
      await waitForExpr(page, `new URLSearchParams(location.search).get('fyear') === '2018'`, 5_000);
      return `2021 ${await want(2021)} % kept while the policymaker chose 2010; farmer year 2018 -> ${await want(2018)} %, fyear=2018 in the URL`;
    },
  },
  {
    name: 'analyst view: copyable API and OGC URLs that answer, the model card; test scenes not in the users\' list',
    timeoutMs: 60_000,
    async run() {
      await openDashboard('lang=en&view=analyst');
      await waitSettled();
      await waitForExpr(page, `!!document.querySelector('[data-copy*="/ogc/collections/alerts/items"]')`, 10_000).catch(() => undefined);
      const urls = await evalJson<string[]>(`[...document.querySelectorAll('[data-copy]')].map((b) => b.getAttribute('data-copy'))`);
      if (urls.length < 6) throw new Error(`${urls.length} endpoints listed`);
      // the answer layers the server lists as OGC collections are listed too (alerts always; start-of-season once a product is loaded)
      const served = (await apiJson<{ collections: Array<{ id: string }> }>('/ogc/collections')).collections.map((c) => c.id);
      for (const id of ['alerts', 'start-of-season']) {
        const listed = urls.some((u) => u.includes(`/ogc/collections/${id}/items`));
        if (listed !== served.includes(id)) throw new Error(`collection ${id}: served ${served.includes(id)}, listed ${listed}`);
      }
      if (!served.includes('start-of-season')) throw new Error('the test server lists no start-of-season collection to check');
      for (const u of urls) {
        const res = await fetch(u.replace(/^https?:\/\/[^/]+/, server.url));
        if (!res.ok) throw new Error(`${u} answers ${res.status}`);
        await res.body?.cancel();
      }
      await page.locator('[data-copy]').first().click();
      // the feedback follows the clipboard's answer (a promise), or a 3 s fallback when the browser never answers
      await waitForExpr(page, `(document.querySelector('.endpoint-list [role="status"]')?.textContent ?? '').trim().length > 0`, 10_000).catch(() => undefined);
      const copied = await page.locator('.endpoint-list [role="status"]').first().innerText();
      if (!copied) throw new Error('copy button gave no feedback');
      const card = await page.locator('[data-testid="model-card"]').innerText();
      if (!/Overall accuracy/.test(card) || !/SHA-256/.test(card)) throw new Error(`model card: ${card.slice(0, 200)}`);
      const scenes = await apiJson<{ scenes: Array<{ id: string; purpose?: string }> }>('/api/scenes');
      const tests = scenes.scenes.filter((x) => x.purpose === 'test' || x.purpose === 'product').map((x) => x.id);
      if (!scenes.scenes.some((x) => x.purpose === 'product')) throw new Error('no start-of-season product scene in the catalog to check');
      const listed = await evalJson<string[]>(`[...document.querySelectorAll('#scene-select option')].map((o) => o.value)`);
      const leaked = listed.filter((id) => tests.includes(id));
      if (leaked.length) throw new Error(`test or product scenes in the users' list: ${leaked.join(', ')}`);
      await endpointsListed();
      await shot('desktop-analyst.png');
      return `${urls.length} URLs answer; card ok; scene list ${listed.join(', ')} (test scenes in the catalog: ${tests.join(', ') || 'none'})`;
    },
  },
  {
    name: 'analyst view: a crop-map job for the sinop scene started with the token, its bar followed to done',
    timeoutMs: 240_000,
    // the job writes <data dir>/cropmaps/sinop__<model>.*: the run's own copy of fixtures/ (main() below), never the repo's
    async run() {
      await openDashboard('lang=en&view=analyst');
      await waitSettled();
      const posts: Array<{ url: string; auth: string | undefined }> = [];
      const polls: string[] = [];
      const onRequest = (r: Request) => {
        if (r.url().includes('/api/jobs/cropmap') && r.method() === 'POST') posts.push({ url: r.url(), auth: r.headers().authorization });
        else if (/\/api\/jobs\/[^/?]+$/.test(r.url())) polls.push(r.url());
      };
      page.on('request', onRequest);
      try {
        const panel = page.locator('[data-testid="cropmap-job"]');
        await panel.locator('[data-testid="job-token"]').fill(TOKEN);
        await panel.locator('[data-testid="job-scene"]').selectOption('sinop');
        const model = await panel.locator('[data-testid="job-model"]').inputValue();
        await panel.locator('[data-testid="job-start"]').click();
        await waitForExpr(page, `['done', 'failed'].includes(document.querySelector('[data-testid="job-status"]').dataset.state)`, 200_000);
        const state = await evalJson<string>(`document.querySelector('[data-testid="job-status"]').dataset.state`);
        const text = await panel.locator('[data-testid="job-status"]').innerText();
        if (state !== 'done') throw new Error(`the job ended ${state}: ${text.slice(0, 200)}`);
        if (posts.length !== 1) throw new Error(`${posts.length} POST /api/jobs/cropmap requests`);
        if (posts[0]!.auth !== `Bearer ${TOKEN}`) throw new Error('the POST did not carry the token in the Authorization header');
        if ([page.url(), posts[0]!.url, ...polls].some((u) => u.includes(TOKEN))) throw new Error('the token appears in a URL');
        if (polls.length < 1) throw new Error('the panel never polled GET /api/jobs/{id}');
        const id = polls[0]!.split('/').pop()!;
        const job = await apiJson<{ state: string; blocksDone: number; blocksTotal: number; params: { scene: string; model: string }; result: { polygonCount: number } | null }>(`/api/jobs/${id}`);
        if (job.state !== 'done' || job.params.scene !== 'sinop' || job.params.model !== model) throw new Error(`the API says ${JSON.stringify({ state: job.state, ...job.params })}`);
        const bar = await evalJson<{ value: number; max: number }>(`(() => { const p = document.querySelector('[data-testid="job-progress"]'); return { value: p.value, max: p.max }; })()`);
        if (job.blocksTotal < 1 || bar.value !== job.blocksDone || bar.max !== job.blocksTotal || job.blocksDone !== job.blocksTotal) throw new Error(`bar ${bar.value}/${bar.max}, API ${job.blocksDone}/${job.blocksTotal}`);
        if (!text.includes('Done') || !text.includes(`${job.blocksTotal} of ${job.blocksTotal} blocks`)) throw new Error(`status text: ${text.slice(0, 200)}`);
        // the panel only: its text holds run times, so it is kept for a person to look at, not compared with a reference
        await panel.screenshot({ path: join(SHOTS, 'desktop-analyst-job.png') });
        return `job ${id}: ${job.blocksDone}/${job.blocksTotal} blocks, ${job.result?.polygonCount ?? '?'} polygons, ${polls.length} polls; "${text.replace(/\s+/g, ' ').slice(0, 120)}"`;
      } finally {
        page.off('request', onRequest);
      }
    },
  },
  {
    name: 'failing tiles are reported in plain words inside their box',
    async run() {
      const p2 = await browser.context.newPage();
      try {
        await p2.setViewportSize(PHONE);
        await p2.route('**/tiles/**/*.png*', (r) => r.abort('connectionrefused'));
        await p2.goto(`${server.url}/?lang=pt`);
        const status = p2.locator('[data-layer-block="imagery"] .layer-status .notice');
        await status.waitFor({ state: 'attached', timeout: 20_000 });
        await p2.evaluate(`document.getElementById('layers').open = true`);
        const text = await status.innerText();
        if (/AJAXError|https?:\/\/|Failed to fetch/i.test(text)) throw new Error(`raw error shown: ${text}`);
        const fits = await p2.evaluate(`(() => { const n = document.querySelector('[data-layer-block="imagery"] .layer-status .notice'); return n.scrollWidth <= n.clientWidth + 1 && document.documentElement.scrollWidth <= document.documentElement.clientWidth; })()`);
        if (!fits) throw new Error('the message overflows its box or widens the page');
        return text.slice(0, 100);
      } finally {
        await p2.close();
      }
    },
  },
  {
    name: 'focus stays on the chosen municipality while its panel fills in; Tab order reaches the panel',
    async run() {
      await openDashboard('lang=pt&view=policy');
      await page.locator('[data-region-button]').first().waitFor({ timeout: 30_000 });
      await page.locator('[data-region-button]').first().focus();
      await page.keyboard.press('Enter');
      const where = `(() => { const e = document.activeElement; return e ? e.tagName + (e.getAttribute('data-region-name') ? ':' + e.getAttribute('data-region-name') : '') : 'none'; })()`;
      await waitForExpr(page, `${where}.startsWith('H2:')`, 10_000).catch(() => undefined);
      // the panel re-renders as its record, history and answer panels arrive: focus must survive every one of them
      await waitForExpr(page, `(() => { const p = document.querySelector('[data-testid="region-panel"]'); return p && p.querySelector('[data-testid="region-answers"] h3') && !p.textContent.includes('Carregando'); })()`, 30_000);
      const active = await evalJson<string>(where);
      if (!active.startsWith('H2:')) throw new Error(`focus went to ${active}`);
      // Tab from the heading goes on into the panel, not back to the page's start
      await page.keyboard.press('Tab');
      const next = await evalJson<boolean>(`Boolean(document.activeElement && document.activeElement.closest('[data-testid="region-panel"]'))`);
      if (!next) throw new Error(`Tab from the heading left the panel: ${await evalJson<string>('document.activeElement && document.activeElement.outerHTML.slice(0, 80)')}`);
      return `${active} after the panel filled in; Tab stays in the panel`;
    },
  },
  {
    name: 'compare with normal, state totals, fixed classes, weighted priority in BRL, year player, municipality search (desktop en, phone pt)',
    timeoutMs: 150_000,
    async run() {
      const out: string[] = [];
      try {
        for (const [size, lang] of [[DESKTOP, 'en'], [PHONE, 'pt']] as const) {
          await page.setViewportSize(size);
          await openDashboard(`lang=${lang}&view=policy&crop=soy&year=2021&region=5107909&ind=yieldVsNormalPct`);
          await waitSettled();
          // Sinop's yield against its normal = /api/normals
          const n = await apiJson<{ rows: Array<{ regionId: string; yieldDiffPct: number }>; state: { current: { productionT: number } } }>('/api/normals?crop=soy&year=2021');
          const sin = n.rows.find((r) => r.regionId === '5107909')!;
          const block = page.locator('[data-testid="normal-block"]');
          await block.waitFor({ timeout: 20_000 });
          if (Math.abs(Number(await block.getAttribute('data-yield-diff-pct')) - sin.yieldDiffPct) > 1e-9) throw new Error('normal block differs from /api/normals');
          const stateProd = Number(await page.locator('[data-testid="state-line"]').getAttribute('data-production'));
          if (stateProd !== n.state.current.productionT) throw new Error(`state production ${stateProd} vs API ${n.state.current.productionT}`);
          // fixed classes: the same legend for soy 2021 and maize 2015
          const legend = () => evalJson<string>(`[...document.querySelectorAll('#view .choropleth-legend li')].map((l) => l.textContent).join('|') + (document.querySelector('#view .choropleth-legend figure')?.getAttribute('data-fixed') ?? '')`);
          const l1 = await legend();
          await page.locator('select[data-control="crop"]').selectOption('maize');
          await page.locator('select[data-control="year"]').selectOption('2015');
          // the legend's title names the crop and year once their rows are on the map
          await waitForExpr(page, `(() => { const f = document.querySelector('#view .choropleth-legend figure'); return f && f.textContent.includes('2015') && document.querySelector('.priority-table tbody tr'); })()`, 30_000);
          const l2 = await legend();
          if (l1 !== l2 || !l1.endsWith('true')) throw new Error(`classes change with crop/year: ${l1} vs ${l2}`);
          // priority: formula, BRL at the year's rate, weights reorder, reason per municipality
          const formula = await page.locator('[data-testid="priority-formula"]').innerText();
          if (!/w₁/.test(formula)) throw new Error(`no formula: ${formula}`);
          const rates = await apiJson<{ rates: Array<{ year: number; brlPerUsd: number }> }>('/api/exchange-rates');
          const rate = rates.rates.find((r) => r.year === 2015)!.brlPerUsd;
          await waitForExpr(page, `document.querySelector('[data-testid="currency"]').textContent.length > 0`, 10_000);
          const cur = await page.locator('[data-testid="currency"]').innerText();
          const rateText = new Intl.NumberFormat(lang === 'pt' ? 'pt-BR' : 'en-GB', { minimumFractionDigits: 4, maximumFractionDigits: 4 }).format(rate);
          if (!cur.includes(rateText)) throw new Error(`currency note "${cur}" lacks the 2015 rate ${rateText}`);
          const first = () => evalJson<string>(`document.querySelector('.priority-table tbody tr')?.getAttribute('data-region') ?? ''`);
          await page.locator('input[data-weight="value"]').fill('0');
          await page.locator('input[data-weight="share"]').fill('0');
          const byPerCapita = await first();
          await page.locator('input[data-weight="perCapita"]').fill('0');
          await page.locator('input[data-weight="share"]').fill('10');
          const byShare = await first();
          if (byPerCapita === byShare) throw new Error('changing the weights does not change the first municipality');
          await waitForExpr(page, `new URLSearchParams(location.search).get('weights') === '0,0,10'`, 10_000).catch(() => {});
          if (new URL(page.url()).searchParams.get('weights') !== '0,0,10') throw new Error(`weights not in the URL: ${page.url()}`);
          // the year player advances
          await page.locator('[data-control="play"]').click();
          await waitForExpr(page, `window.granary.ctx.year !== 2015`, 10_000);
          await page.locator('[data-control="play"]').click();
          // where the player stopped depends on how fast the pause click came (one year per 1.5 s: 2016 or,
          // on a loaded machine, 2017): the picture below is of a year chosen, not of that race
          await page.locator('select[data-control="year"]').selectOption('2016');
          await waitForExpr(page, `(() => { const f = document.querySelector('#view .choropleth-legend figure'); return window.granary.ctx.year === 2016 && f && f.textContent.includes('2016') && document.querySelector('.priority-table tbody tr'); })()`, 30_000);
          // search flies to a municipality and selects it
          await page.locator('[data-control="place-search"]').fill(lang === 'pt' ? 'sorriso' : 'Sorriso');
          await page.locator('[data-control="place-search"]').press('Enter');
          await page.locator('[data-region-name="5107925"]').waitFor({ timeout: 20_000 });
          // the camera flies there: wait until it has arrived and stopped
          await waitForExpr(page, `(() => { const m = window.granary.ctx.map; const c = m.getCenter(); return !m.isMoving() && Math.abs(c.lng + 55.9) < 0.6 && Math.abs(c.lat + 12.6) < 0.6; })()`, 20_000).catch(() => undefined);
          const centre = await evalJson<{ lon: number; lat: number }>(`({ lon: window.granary.ctx.map.getCenter().lng, lat: window.granary.ctx.map.getCenter().lat })`);
          if (Math.abs(centre.lon + 55.9) > 0.6 || Math.abs(centre.lat + 12.6) > 0.6) throw new Error(`map not at Sorriso: ${JSON.stringify(centre)}`);
          // the panel's history and answers arrive after the selection: the picture is of the finished panel
          await waitForExpr(page, `(() => { const p = document.querySelector('[data-testid="region-panel"]'); return p && !/Carregando|Loading/.test(p.textContent); })()`, 30_000).catch(() => undefined);
          await waitIdle();
          await shot(size === PHONE ? 'phone-normal-priority-pt.png' : 'desktop-normal-priority.png', size === PHONE);
          out.push(`${size.width}px: Sinop ${sin.yieldDiffPct.toFixed(1)} % vs normal, first ${byPerCapita} -> ${byShare}`);
        }
      } finally {
        await page.setViewportSize(DESKTOP);
      }
      return out.join('; ');
    },
  },
  {
    name: 'history chart: year labels never overlap (desktop and phone, a current year between two labels)',
    timeoutMs: 90_000,
    async run() {
      const out: string[] = [];
      try {
        for (const size of [DESKTOP, PHONE]) {
          await page.setViewportSize(size);
          for (const year of [2021, 2018]) {
            await openDashboard(`lang=pt&view=policy&crop=soy&year=${year}&region=5107909`);
            await page.locator('[data-testid="history"] svg text').first().waitFor({ timeout: 30_000 });
            const r = await evalJson<{ labels: string[]; overlaps: string[] }>(`(() => {
              const ts = [...document.querySelectorAll('[data-testid="history"] svg > text')].map((t) => ({ s: t.textContent, b: t.getBoundingClientRect() }));
              const overlaps = [];
              for (let i = 0; i < ts.length; i++) for (let j = i + 1; j < ts.length; j++) {
                const a = ts[i].b, c = ts[j].b;
                if (a.left < c.right && c.left < a.right && a.top < c.bottom && c.top < a.bottom) overlaps.push(ts[i].s + '/' + ts[j].s);
              }
              return { labels: ts.map((t) => t.s), overlaps };
            })()`);
            if (r.overlaps.length) throw new Error(`${size.width}px ${year}: labels overlap: ${r.overlaps.join(', ')}`);
            if (!r.labels.includes(String(year))) throw new Error(`${size.width}px: the current year ${year} has no label (${r.labels.join(' ')})`);
            out.push(`${size.width}px ${year}: ${r.labels.join(' ')}`);
          }
        }
      } finally {
        await page.setViewportSize(DESKTOP);
      }
      return out.join('; ');
    },
  },
  {
    name: 'side by side: swipe of two years in the same classes, aligned, keyboard operable, permalinked (pt and en)',
    timeoutMs: 150_000,
    async run() {
      const base = 'view=policy&crop=soy&year=2021&layers=regions&map=6.00/-12.60000/-55.60000';
      const mapShot = async () => {
        // the divider, its line and labels are not part of the comparison
        await page.evaluate(`document.querySelectorAll('.swipe-line, .swipe-label, .swipe-handle, .map-buttons, .maplibregl-control-container').forEach((e) => (e.style.visibility = 'hidden'))`);
        await page.mouse.move(0, 0);
        const png = await page.locator('#map-wrap').screenshot({ animations: 'disabled' });
        await page.evaluate(`document.querySelectorAll('.swipe-line, .swipe-label, .swipe-handle, .map-buttons, .maplibregl-control-container').forEach((e) => (e.style.visibility = ''))`);
        return decodePng(png);
      };
      const swipeDrawn = async () => {
        await waitForExpr(page, `(() => { const s = document.querySelector('[data-testid="swipe"]'); const st = document.querySelector('[data-testid="swipe-status"]'); return s && s.dataset.state === 'idle' && st && !st.textContent; })()`, 30_000);
        await waitIdle();
      };
      /** share of pixels differing (any channel by more than 12) between two shots in a rectangle given as fractions of the map */
      const differ = (a: Awaited<ReturnType<typeof decodePng>>, b: Awaited<ReturnType<typeof decodePng>>, fx0: number, fx1: number) => {
        let n = 0;
        let d = 0;
        for (let y = Math.round(a.height * 0.2); y < Math.round(a.height * 0.85); y += 2)
          for (let x = Math.round(a.width * fx0); x < Math.round(a.width * fx1); x += 2) {
            const i = (y * a.width + x) * 4;
            n++;
            if (Math.abs(a.data[i]! - b.data[i]!) > 12 || Math.abs(a.data[i + 1]! - b.data[i + 1]!) > 12 || Math.abs(a.data[i + 2]! - b.data[i + 2]!) > 12) d++;
          }
        return d / n;
      };
      await openDashboard(`lang=pt&${base}`);
      await waitSettled();
      await page.locator('.ranking-table tbody tr').first().waitFor({ timeout: 30_000 });
      const plain = await mapShot();
      // the right side: the same crop and year first (must look like the map without the swipe), then 2016
      await page.locator('[data-control="swipe"]').check();
      await page.locator('[data-control="swipe-year"]').selectOption('2021');
      await swipeDrawn();
      const same = await mapShot();
      const sameRight = differ(plain, same, 0.55, 0.95);
      if (sameRight > 0.03) throw new Error(`with the same year on both sides, ${(sameRight * 100).toFixed(1)} % of the right side differs from the map without the swipe (not aligned, or other classes)`);
      await page.locator('[data-control="swipe-year"]').selectOption('2016');
      await swipeDrawn();
      const other = await mapShot();
      const leftKept = differ(plain, other, 0.05, 0.45);
      const rightChanged = differ(plain, other, 0.55, 0.95);
      if (leftKept > 0.03) throw new Error(`the left side changed (${(leftKept * 100).toFixed(1)} %)`);
      if (rightChanged < 0.05) throw new Error(`soy 2016 on the right looks like 2021 (${(rightChanged * 100).toFixed(1)} % differ)`);
      const labels = await evalJson<string[]>(`[...document.querySelectorAll('.swipe-label')].map((e) => e.textContent)`);
      if (labels[0] !== 'Soja 2021' || labels[1] !== 'Soja 2016') throw new Error(`labels ${labels.join(' | ')}`);
      await shot('desktop-swipe-pt.png');
      // keyboard: the divider takes focus and moves with the arrow keys; the URL follows
      await page.locator('[data-control="swipe-divider"]').focus();
      for (let i = 0; i < 10; i++) await page.keyboard.press('ArrowLeft');
      await waitForExpr(page, `new URLSearchParams(location.search).get('swipex') === '40'`, 5_000).catch(() => undefined);
      const url = new URL(page.url());
      if (url.searchParams.get('swipe') !== 'soy-2016' || url.searchParams.get('swipex') !== '40') throw new Error(`URL after the arrow keys: ${url.search}`);
      const line = await evalJson<{ line: number; map: number; left: number }>(`(() => { const l = document.querySelector('.swipe-line').getBoundingClientRect(); const m = document.querySelector('#map').getBoundingClientRect(); return { line: l.left + l.width / 2, map: m.width, left: m.left }; })()`);
      if (Math.abs(line.line - line.left - 0.4 * line.map) > 3) throw new Error(`divider at ${Math.round(line.line - line.left)} px, expected 40 % of ${line.map}`);
      const aria = await page.locator('[data-control="swipe-divider"]').getAttribute('aria-label');
      if (!aria || !aria.includes('Soja 2016')) throw new Error(`divider label: ${aria}`);
      // the link reopens the same comparison, in English too
      await openDashboard(url.search.slice(1).replace('lang=pt', 'lang=en'));
      await waitSettled();
      await swipeDrawn();
      const back = await evalJson<{ labels: string[]; year: string; x: string }>(`({ labels: [...document.querySelectorAll('.swipe-label')].map((e) => e.textContent), year: document.querySelector('[data-control="swipe-year"]').value, x: document.querySelector('[data-control="swipe-divider"]').value })`);
      if (back.labels.join('|') !== 'Soybean 2021|Soybean 2016' || back.year !== '2016' || back.x !== '40') throw new Error(`the link reopened ${JSON.stringify(back)}`);
      // a crop on the right instead of a year
      await page.locator('[data-control="swipe-crop"]').selectOption('maize');
      await page.locator('[data-control="swipe-year"]').selectOption('2021');
      await swipeDrawn();
      const crops = await evalJson<string>(`[...document.querySelectorAll('.swipe-label')].map((e) => e.textContent).join('|')`);
      if (crops !== 'Soybean 2021|Maize 2021') throw new Error(`crop comparison labels ${crops}`);
      await shot('desktop-swipe-crops-en.png');
      return `same year: ${(sameRight * 100).toFixed(1)} % of the right side differs; 2016 on the right: ${(rightChanged * 100).toFixed(1)} % differs, left ${(leftKept * 100).toFixed(1)} %; divider 40 % by keyboard; link reopens it in English`;
    },
  },
  {
    name: 'farmer at Ipiranga (7 seasons): this season beside the normal season',
    timeoutMs: 60_000,
    async run() {
      await openDashboard('lang=pt&view=farmer&scene=ipiranga&at=-12.0150,-55.9500');
      const normal = page.locator('[data-testid="field-curve"] path[data-series="normal"]');
      await normal.waitFor({ timeout: 40_000 });
      const pts = Number(await normal.getAttribute('data-points'));
      const field = Number(await page.locator('[data-testid="field-curve"] path[data-series="field"]').getAttribute('data-points'));
      if (pts < 10 || field > 24) throw new Error(`normal ${pts} points, field ${field} points (one season expected)`);
      await shot('desktop-farmer-ipiranga-pt.png');
      return `season curve ${field} dates, normal ${pts}`;
    },
  },
  {
    name: 'axe: no accessibility violations (policy, farmer, analyst; desktop en and pt, phone pt)',
    timeoutMs: 150_000,
    async run() {
      const found: string[] = [];
      let runs = 0;
      try {
        for (const [size, lang] of [[DESKTOP, 'en'], [DESKTOP, 'pt'], [PHONE, 'pt']] as const) {
          await page.setViewportSize(size);
          // one load per size and language: the farmer's place and the municipality come from the permalink
          await openDashboard(`lang=${lang}&view=farmer&at=-11.7000,-55.4500&region=5107909`);
          await waitSettled();
          await page.locator('[data-testid="farmer-gaps"]').waitFor({ timeout: 30_000 }).catch(() => {});
          for (const view of ['farmer', 'policy', 'analyst']) {
            await page.locator(`#tab-${view}`).click();
            if (view === 'policy') await page.locator('[data-testid="region-panel"] dd[data-field]').first().waitFor({ timeout: 20_000 }).catch(() => {});
            if (view === 'analyst') await page.locator('.label-review-section summary').click();
            await page.waitForTimeout(300);
            const v = await axeViolations(page);
            runs++;
            for (const x of v) found.push(`${size.width}px ${lang} ${view}: ${x.id} (${x.impact}) ${x.nodes.join(', ')}`);
          }
        }
      } finally {
        await page.setViewportSize(DESKTOP);
      }
      if (found.length) throw new Error(`${found.length} violation(s): ${found.slice(0, 5).join(' | ')}`);
      return `${runs} pages, 0 violations`;
    },
  },
  ...(['en', 'pt'] as const).map((lang): Check => ({
    name: `answers: farmer view (${lang}): green-up per season against the class window, weather at the nearest station, alerts`,
    timeoutMs: 150_000,
    async run() {
      // a Soybean-maize sample of Ipiranga do Norte (lucc_mt_samples_public.csv, 2010) that every crop model
      // classes Soy_Corn (the page's model for this scene is the 6-band one; the server's default the NDVI+EVI one)
      const [lon, lat] = [-55.9748, -11.9927];
      const asked: string[] = [];
      const onRequest = (r: Request) => {
        if (r.url().includes('/api/point?')) asked.push(r.url());
      };
      page.on('request', onRequest);
      try {
        await openAnswers(`view=farmer&lang=${lang}&scene=ipiranga&at=${lat},${lon}`);
        // the link's place is asked once the page's crop model has loaded, and of that model (it used to be asked
        // before, so the server's default model classed it: another class, and no window, depending on load order)
        await waitForExpr(page, `document.querySelectorAll('[data-testid=planting] li[data-sos]').length >= 5 && !!document.querySelector('[data-testid=weather] [data-station]') && !!document.querySelector('[data-testid=alerts] li, [data-testid=alerts] p')`, 120_000);
        const model = await evalJson<string | null>('window.granary.ctx.model.value?.id ?? null');
        const mine = asked.filter((u) => u.includes(`lon=${lon}&lat=${lat}`));
        if (!model || mine.length !== 1 || !mine[0]!.includes(`model=${model}`)) throw new Error(`the place was asked ${mine.length} time(s), not once of the page's model ${model}: ${mine.map((u) => u.replace(server.url, '')).join(' ')}`);
        const cls = await evalJson<string | null>(`document.querySelector('[data-testid="crop-class"]')?.getAttribute('data-class') ?? null`);
        if (cls !== 'Soy_Corn') throw new Error(`the page classes the sample ${cls}, not Soy_Corn`);
        await waitForExpr(page, `/(usual|típicas)/.test(document.querySelector('[data-testid=planting]').textContent)`, 10_000);
      } finally {
        page.off('request', onRequest);
      }
      await page.waitForLoadState('networkidle', { timeout: 30_000 }).catch(() => {});
      const all = await page.locator('[data-testid=field-answers]').innerText();
      const planting = await page.locator('[data-testid=planting]').innerText();
      const weather = await page.locator('[data-testid=weather]').innerText();
      if (lang === 'pt' && !/Safra 20\d\d-\d\d: início do verde/.test(planting)) throw new Error(`no Portuguese season line: ${planting.slice(0, 120)}`);
      if (lang === 'en' && !/Season 20\d\d-\d\d: green-up around/.test(planting)) throw new Error(`no season line: ${planting.slice(0, 120)}`);
      if (!/km/.test(weather) || !/INMET/.test(weather)) throw new Error(`weather without station distance or attribution: ${weather.slice(0, 160)}`);
      const codes = await evalJson<string[]>(`[...document.querySelectorAll('[data-testid=alerts] li[data-code]')].map((l) => l.getAttribute('data-code'))`);
      const alertLines = await evalJson<string[]>(`[...document.querySelectorAll('[data-testid=alerts] li[data-code]')].map((l) => l.textContent)`);
      if (codes.length && lang === 'pt' && !alertLines.every((l) => /^(Veranico|Condição|\d+ relatos)/.test(l))) throw new Error(`alerts not in Portuguese: ${alertLines[0]}`);
      if (lang === 'pt' && ENGLISH_LEAKS.test(all)) throw new Error(`English in the Portuguese view: ${all.match(ENGLISH_LEAKS)![0]}`);
      await shotEl(`answers-farmer-${lang}.png`, '[data-testid=field-answers]');
      return `${weather.match(/(Station|Estação) [^,]+, (a )?[^ ]+ km/)?.[0] ?? ''}; ${codes.length} alerts (${[...new Set(codes)].join(', ')})`;
    },
  })),
  {
    name: 'farmer report form (pt): what the report is about, sent as its category (pest), nothing written',
    timeoutMs: 90_000,
    async run() {
      // the POST is answered here, so the service's data directory (the run's copy of fixtures/) gets no report
      const sent: Array<Record<string, unknown>> = [];
      await page.route('**/api/field-reports', async (route) => {
        sent.push(route.request().postDataJSON() as Record<string, unknown>);
        await route.fulfill({ status: 201, contentType: 'application/json', body: JSON.stringify({ id: 4242, status: 'pending', submittedAt: '2026-01-01T00:00:00.000Z', message: 'thank you' }) });
      });
      try {
        await openAnswers('view=farmer&lang=pt&scene=ipiranga&at=-11.9927,-55.9748');
        const form = page.locator('[data-testid=field-report] form');
        await form.locator('select[name=category]').waitFor({ timeout: 60_000 });
        const labels = await form.locator('select[name=category] option').allInnerTexts();
        if (labels.length !== 6 || labels[0] !== 'Só o que cresce aqui' || !labels.some((l) => l.startsWith('Uma praga'))) throw new Error(`category options ${labels.join(' | ')}`);
        if (ENGLISH_LEAKS.test(await form.innerText())) throw new Error('English in the Portuguese report form');
        await form.locator('select[name=category]').selectOption('pest');
        await form.locator('textarea[name=note]').fill('lagartas na bordadura');
        await form.locator('button[type=submit]').click();
        await waitForExpr(page, `/4242/.test(document.querySelector('[data-testid=field-report]').textContent)`, 20_000);
        // the default ('only what grows here') sends no category at all, as an API.md client
        await form.locator('select[name=category]').selectOption('');
        await form.locator('button[type=submit]').click();
        for (let i = 0; i < 20 && sent.length < 2; i++) await page.waitForTimeout(250);
      } finally {
        await page.unroute('**/api/field-reports');
      }
      if (sent.length !== 2) throw new Error(`${sent.length} reports sent, 2 expected`);
      if (sent[0]!['category'] !== 'pest' || sent[0]!['note'] !== 'lagartas na bordadura' || sent[0]!['class'] !== 'Soy_Corn') throw new Error(`first report sent ${JSON.stringify(sent[0])}`);
      if ('category' in sent[1]!) throw new Error(`a report about nothing in particular sent a category: ${JSON.stringify(sent[1])}`);
      return `sent ${JSON.stringify(sent[0])}; then one without category`;
    },
  },
  ...(['en', 'pt'] as const).map((lang): Check => ({
    name: `answers: policymaker view (${lang}): suitability, outlook with its error, alerts, policy impact with interval and placebo`,
    timeoutMs: 150_000,
    async run() {
      await openAnswers(`view=policy&lang=${lang}&region=5104526`);
      await waitForExpr(page, `!!document.querySelector('[data-testid=suitability] li[data-index]') && !!document.querySelector('[data-testid=outlook] p[data-error]') && !!document.querySelector('[data-testid=region-alerts] ul, [data-testid=region-alerts] p')`, 120_000);
      await page.fill('[data-testid=policy-impact] input[type=number]', '2015');
      await page.click('[data-testid=policy-impact] button[type=submit]');
      await waitForExpr(page, `!!document.querySelector('[data-testid=policy-impact] [data-effect]')`, 60_000);
      const all = await page.locator('[data-testid=region-answers]').innerText();
      const outlook = await page.locator('[data-testid=outlook]').innerText();
      const impact = await page.locator('[data-testid=policy-impact]').innerText();
      if (!/±/.test(outlook)) throw new Error(`outlook without its error: ${outlook.slice(0, 120)}`);
      if (!/95 %/.test(impact) || !/[Pp]lacebo/.test(impact)) throw new Error(`impact without interval or placebo: ${impact.slice(0, 160)}`);
      if (lang === 'pt' && ENGLISH_LEAKS.test(all)) throw new Error(`English in the Portuguese view: ${all.match(ENGLISH_LEAKS)![0]}`);
      // the chart draws the API's yearly series: the same request (the CSV link's, as JSON) asked here directly
      const csvHref = await page.locator('[data-testid=policy-impact] a[download]').getAttribute('href');
      const api = (await (await fetch(`${server.url}${csvHref!.replace('&format=csv', '')}`)).json()) as { estimate: { post: [number, number] }; placebo: { effect: number }; series: Array<{ year: number; treatedMean: number | null; comparisonMean: number | null }> };
      const drawn = await evalJson<Record<string, string>>(`Object.fromEntries([...document.querySelectorAll('[data-testid=impact-chart] path[data-series]')].map((p) => [p.getAttribute('data-series'), p.getAttribute('data-values')]))`);
      for (const [id, key] of [['treated', 'treatedMean'], ['comparison', 'comparisonMean']] as const) {
        const want = api.series.map((r) => `${r.year}:${r[key] ?? ''}`).join(' ');
        if (drawn[id] !== want) throw new Error(`chart series ${id} is not the API's: drawn ${drawn[id]?.slice(0, 80)} want ${want.slice(0, 80)}`);
      }
      const mark = await evalJson<string | null>(`document.querySelector('[data-testid=impact-chart] [data-mark-x]')?.getAttribute('data-mark-x') ?? null`);
      if (mark !== String(api.estimate.post[0])) throw new Error(`start year marked at ${mark}, the API's start is ${api.estimate.post[0]}`);
      const placeboShown = Number(await page.locator('[data-testid=policy-impact] [data-placebo-effect]').getAttribute('data-placebo-effect'));
      if (placeboShown !== api.placebo.effect || !/(pretend start|início fictício)/.test(impact)) throw new Error(`placebo estimate not in words: ${impact.slice(-200)}`);
      await shotEl(`answers-policy-impact-${lang}.png`, '[data-testid=policy-impact]');
      await shotEl(`answers-policy-${lang}.png`, '[data-testid=region-answers]');
      // a municipality without imagery: the outlook says why, in the page's language
      await openAnswers(`view=policy&lang=${lang}&region=5107909`);
      await waitForExpr(page, `!!document.querySelector('[data-testid=outlook] p[data-reason]') && !!document.querySelector('[data-testid=suitability] li[data-index]')`, 90_000);
      const none = await page.locator('[data-testid=region-answers]').innerText();
      if (lang === 'pt' && ENGLISH_LEAKS.test(none)) throw new Error(`English in the Portuguese view (Sinop): ${none.match(ENGLISH_LEAKS)![0]}`);
      await shotEl(`answers-policy-sinop-${lang}.png`, '[data-testid=region-answers]');
      return `${outlook.split('\n').slice(1, 2).join(' ').slice(0, 90)}; impact chart ${api.series.length} years, start ${mark}`;
    },
  })),
  {
    name: 'answers: weather stations are drawn on the map',
    async run() {
      await openAnswers('view=policy&lang=en');
      await waitForExpr(page, `!!window.granary.ctx && !!window.granary.ctx.layers.map.getLayer('weather-stations')`, 30_000);
      await waitForExpr(page, `window.granary.ctx.layers.map.querySourceFeatures('weather-stations').length > 0`, 30_000);
      const n = await evalJson<number>(`window.granary.ctx.layers.map.querySourceFeatures('weather-stations').length`);
      return `${n} station features rendered`;
    },
  },
];

/** The ranking's value column is on screen for every indicator, at both sizes and in both languages. */
async function rankingColumns(): Promise<string> {
  let n = 0;
  for (const size of [DESKTOP, PHONE]) {
        await page.setViewportSize(size);
        for (const lang of ['pt', 'en']) {
          await openDashboard(`lang=${lang}&view=policy`);
          await page.locator('.ranking-table tbody tr').first().waitFor({ timeout: 30_000 });
          const keys = await evalJson<string[]>(`[...document.querySelectorAll('select[data-control="indicator"] option')].map((o) => o.value)`);
          if (keys.length < 12) throw new Error(`only ${keys.length} indicators offered`);
          for (const k of keys) {
            await page.locator('select[data-control="indicator"]').selectOption(k);
            const m = await evalJson<{ ok: boolean; detail: string }>(`(() => {
              const wrap = document.querySelector('.table-wrap').getBoundingClientRect();
              const th = document.querySelector('.ranking-table th[aria-sort] + th, .ranking-table thead th:last-child').getBoundingClientRect();
              const td = document.querySelector('.ranking-table tbody tr td:last-child');
              const r = td.getBoundingClientRect();
              const textW = td.scrollWidth;
              const ok = r.width > 30 && r.right <= wrap.right + 1 && th.right <= wrap.right + 1 && textW <= r.width + 1 && td.textContent.trim().length > 0;
              return { ok, detail: 'cell ' + Math.round(r.left) + '-' + Math.round(r.right) + ' in ' + Math.round(wrap.left) + '-' + Math.round(wrap.right) + ' text ' + td.textContent.trim() };
            })()`);
            if (!m.ok) throw new Error(`${size.width}px ${lang} ${k}: value column not visible (${m.detail})`);
            n++;
          }
          if (size === PHONE && lang === 'pt') await shot('phone-ranking-pt.png');
        }
      }
  return `${n} indicator x size x language combinations`;
}

/** Visible text on the page that is English catalog text (absent from the Portuguese catalog) or a raw key. */
const ENGLISH_ON_PAGE = `(() => {
  const cats = window.granary.catalogs();
  const ptValues = new Set();
  const english = new Set();
  for (const c of Object.values(cats)) for (const v of Object.values(c.pt)) ptValues.add(v.trim());
  const keys = new Set();
  for (const c of Object.values(cats)) for (const [k, v] of Object.entries(c.en)) {
    keys.add(k);
    // templates match on their fixed text before the first placeholder
    const fixed = v.split('{')[0].trim();
    if (fixed.length >= 6 && !ptValues.has(v.trim()) && ![...ptValues].some((p) => p.startsWith(fixed))) english.add(fixed);
  }
  const texts = [];
  // sentences from the service (or anywhere) in English: English function words, which Portuguese lacks
  const ENGLISH_WORDS = /\b(the|and|with|of|from|than|between|has|have|not|season\(s\)|days at)\b/i;
  const server = [];
  let marked = 0;
  const walk = (el) => {
    if (el.closest && (el.closest('.maplibregl-ctrl-attrib') || el.closest('[hidden]'))) return;
    for (const n of el.childNodes) {
      if (n.nodeType === 3) {
        const s = n.textContent.trim();
        if (!s) continue;
        texts.push(s);
        if (ENGLISH_WORDS.test(s) && s.split(/\s+/).length >= 3) {
          // quoted sources (their providers' own titles) are the only English allowed; flags and methods are worded from their codes
          if (n.parentElement.closest('[data-source-text]')) marked++;
          else server.push(s);
        }
      }
      else if (n.nodeType === 1) {
        const e = n;
        const st = getComputedStyle(e);
        if (st.display === 'none' || st.visibility === 'hidden') continue;
        for (const a of ['aria-label', 'title', 'placeholder']) if (e.getAttribute(a)) texts.push(e.getAttribute(a));
        walk(e);
      }
    }
  };
  walk(document.body);
  return {
    lang: document.documentElement.lang,
    english: [...new Set(texts.filter((s) => [...english].some((f) => s.startsWith(f))))],
    server: [...new Set(server)],
    marked,
    raw: [...new Set(texts.filter((s) => /^(ind|cm|scene)_[A-Za-z-]+$/.test(s) || keys.has(s)))],
  };
})()`;

// ---------- runner ----------

async function withTimeout<T>(p: Promise<T>, ms: number, name: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([p, new Promise<never>((_, rej) => (timer = setTimeout(() => rej(new Error(`${name}: timed out after ${ms} ms`)), ms)))]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * The service's data directory for this run: a copy of fixtures/ in a temporary directory, so what
 * the checks write (the crop-map job's map, field reports, caches) never lands in the repository.
 */
const dataDir = mkdtempSync(join(tmpdir(), 'granary-browser-data-'));

async function main(): Promise<number> {
  cpSync(join(REPO, 'fixtures'), dataDir, { recursive: true });
  server = await startGranary({ env: { GRANARY_TOKEN: TOKEN, GRANARY_DATA_DIR: dataDir } });
  browser = await launchChromium({ viewport: DESKTOP });
  // the product must work on a closed network: refuse and record anything not from the server
  await browser.context.route('**/*', (route) => {
    const u = route.request().url();
    if (u.startsWith(server.url) || u.startsWith('data:') || u.startsWith('blob:')) return route.continue();
    problems.push(u);
    return route.abort('blockedbyclient');
  });
  page = await browser.context.newPage();
  if (VERBOSE) page.on('response', (r) => r.status() >= 400 && console.log(`       ${r.status()} ${r.url().replace(server.url, '')} at ${Math.round(performance.now())} ms`));
  let passed = 0;
  let failed = 0;
  // GRANARY_BROWSER_ONLY=<text>: run only the checks whose name contains it (while working on one)
  const only = process.env.GRANARY_BROWSER_ONLY;
  for (const [i, c] of checks.entries()) {
    if (only && !c.name.includes(only)) continue;
    const t0 = performance.now();
    // one retry, as Playwright's own runner offers: a check that fails twice fails; a pass on retry is printed as such
    let firstError: Error | undefined;
    for (let attempt = 1; attempt <= 2; attempt++) {
      try {
        const info = await withTimeout(c.run(), c.timeoutMs ?? 90_000, c.name);
        passed++;
        const retried = firstError ? ` [passed on retry; first attempt: ${firstError.message.split('\n')[0]}]` : '';
        console.log(`ok   ${i + 1} ${c.name} (${Math.round(performance.now() - t0)} ms)${info ? `: ${info}` : ''}${retried}`);
        break;
      } catch (e) {
        if (attempt === 1) {
          firstError = e as Error;
          continue;
        }
        failed++;
        console.log(`FAIL ${i + 1} ${c.name}: ${(e as Error).message.split('\n')[0]}`);
      }
    }
  }
  const js = jsSize();
  console.log(`info: client JS ${(js.jsGzipBytes / 1024).toFixed(1)} KiB gzipped (${js.files.map((f) => `${f.name} ${(f.gzipBytes / 1024).toFixed(1)}`).join(', ')}); screenshots in test/browser/screenshots/`);
  const diffs = shotResults.filter((r) => r.diffShare !== null).map((r) => `${r.name} ${(r.diffShare! * 100).toFixed(2)}%`);
  console.log(UPDATE ? `info: references written: ${shotResults.map((r) => r.name).join(', ')}` : `info: screenshots vs references (differing pixels): ${diffs.join(', ')}`);
  console.log(`browser: ${passed} passed, ${failed} failed`);
  if (!only) writeSummary(passed, failed);
  return failed === 0 ? 0 : 1;
}

/** For .ci/run's closing line (test/summary.mjs). */
function writeSummary(passed: number, failed: number): void {
  mkdirSync('test/artifacts', { recursive: true });
  writeFileSync('test/artifacts/browser-summary.json', JSON.stringify({ passed, failed }));
}

let code = 1;
try {
  code = await main();
} catch (e) {
  console.log(`FAIL setup: ${(e as Error).stack ?? String(e)}`);
  console.log('browser: 0 passed, 1 failed');
  writeSummary(0, 1);
} finally {
  await (browser as Browser | undefined)?.close().catch(() => {});
  await (server as RunningServer | undefined)?.close().catch(() => {});
  rmSync(dataDir, { recursive: true, force: true });
}
process.exit(code);
