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
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Feature, FeatureCollection, MultiPolygon, Polygon } from 'geojson';
import type { ConsoleMessage, Page } from 'playwright-core';
import { launchChromium, waitForExpr, type Browser } from './browser.js';
import { parseCsv, regionAt } from './geo.js';
import { colourShare, decodePng } from './pixels.js';
import { startGranary, type RunningServer } from './server.js';
import { jsSize } from './first-render.js';

const SHOTS = join(import.meta.dirname, 'screenshots');
mkdirSync(SHOTS, { recursive: true });

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

function rowsOf(body: unknown): Array<Record<string, unknown>> {
  if (Array.isArray(body)) return body as Array<Record<string, unknown>>;
  for (const k of ['rows', 'items', 'data', 'results']) {
    const v = (body as Record<string, unknown>)?.[k];
    if (Array.isArray(v)) return v as Array<Record<string, unknown>>;
  }
  return [];
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
  await waitForExpr(page, 'window.granary && (window.granary.ready || window.granary.error)', 30_000);
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

async function shot(name: string, fullPage = false): Promise<void> {
  await page.screenshot({ path: join(SHOTS, name), fullPage });
}

async function setToggle(layer: string, on: boolean): Promise<void> {
  const box = page.locator(`input[data-layer="${layer}"]`);
  if ((await box.count()) && (await box.isEnabled()) && (await box.isChecked()) !== on) await box.setChecked(on);
}

async function needsRoute(path: string): Promise<void> {
  const res = await fetch(`${server.url}${path}`);
  if (!res.ok) throw new Error(`waits for ${path.split('?')[0]} (the service answers ${res.status})`);
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
      await shot('desktop-cropmap.png');
      const dpr = await evalJson<number>('window.devicePixelRatio');
      const r = colourShare(await decodePng(png), inner, card.classes.map((c) => c.color), 6, dpr);
      await setToggle('imagery', true);
      await setToggle('regions', true);
      await page.locator('input[data-opacity="crops"]').fill('85');
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
      const id = String(expected.id ?? props.regionId ?? props.id);
      const { crop, year } = await evalJson<{ crop: string; year: number }>('({ crop: window.granary.ctx.crop, year: window.granary.ctx.year })');
      const body = await apiJson<unknown>(`/api/yield-gap?crop=${crop}&year=${year}&region=${id}`);
      const row = rowsOf(body).find((r) => String(r.regionId) === id);
      if (!row) throw new Error(`/api/yield-gap has no row for ${id}`);
      await page.mouse.click(c.x, c.y);
      await page.locator(`[data-region-name="${id}"]`).waitFor({ timeout: 15_000 });
      await page.locator('[data-testid="region-panel"] dd[data-field]').first().waitFor({ timeout: 15_000 });
      const shown = await evalJson<Array<[string, string, string]>>(`[...document.querySelectorAll('[data-testid="region-panel"] dd[data-field]')].map((e) => [e.getAttribute('data-field'), e.getAttribute('data-value'), e.textContent])`);
      const bad: string[] = [];
      for (const [field, raw, text] of shown) {
        const api = row[field];
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
      const api = rowsOf(await apiJson<unknown>(`/api/yield-gap?crop=${crop}&year=${year}`));
      const idIdx = header.indexOf('regionId');
      const gapIdx = header.indexOf('yieldGapPct');
      for (const r of data) {
        const a = api.find((x) => String(x.regionId) === r[idIdx]);
        const v = r[gapIdx] === '' ? null : Number(r[gapIdx]);
        if (!a || (a.yieldGapPct ?? null) !== v) throw new Error(`CSV yieldGapPct of ${r[idIdx]} is ${r[gapIdx]}, API ${String(a?.yieldGapPct)}`);
      }
      return `GeoJSON ${geo.features.length} features, CSV ${data.length} rows x ${header.length} columns`;
    },
  },
  {
    name: 'phone-size layout (390x844) has no horizontal scroll',
    async run() {
      await page.setViewportSize({ width: 390, height: 844 });
      const out: string[] = [];
      // the farmer view in Portuguese, whose longer words are the harder case
      for (const [view, lang] of [['policy', 'en'], ['farmer', 'pt']] as const) {
        await openDashboard(`lang=${lang}&view=${view}`);
        await waitSettled();
        if (view === 'farmer') {
          const c = await sceneCentre();
          await page.mouse.click(c.x, c.y);
          await page.locator('[data-testid="farmer-result"] h2, .view-farmer [role="alert"]').first().waitFor({ timeout: 30_000 }).catch(() => {});
          await page.waitForTimeout(800);
        }
        const m = await evalJson<{ sw: number; cw: number; iw: number; mapH: number }>(
          `({ sw: document.documentElement.scrollWidth, cw: document.documentElement.clientWidth, iw: window.innerWidth, mapH: document.getElementById('map').getBoundingClientRect().height })`,
        );
        const wide = await evalJson<string[]>(
          `[...document.querySelectorAll('body *')].filter((e) => { const r = e.getBoundingClientRect(); return r.width > 0 && r.right > document.documentElement.clientWidth + 1 && !e.closest('.maplibregl-map'); }).slice(0, 5).map((e) => e.tagName.toLowerCase() + (e.className && typeof e.className === 'string' ? '.' + e.className.split(' ')[0] : ''))`,
        );
        await shot(`phone-${view}${lang === 'pt' ? '-pt' : ''}.png`, true);
        if (m.sw > m.cw) throw new Error(`${view}: page is ${m.sw}px wide in a ${m.cw}px viewport (${wide.join(', ')})`);
        if (m.mapH < 250) throw new Error(`${view}: the map is only ${m.mapH}px tall`);
        out.push(`${view} ${m.sw}/${m.cw}px`);
      }
      await page.setViewportSize({ width: 1280, height: 800 });
      return out.join(', ');
    },
  },
  {
    name: 'keyboard reaches the views, language, map and panel controls',
    async run() {
      await openDashboard('lang=en');
      await waitSettled();
      const seen = new Set<string>();
      for (let i = 0; i < 45; i++) {
        await page.keyboard.press('Tab');
        const d = await evalJson<string>(
          `(() => { const e = document.activeElement; if (!e) return ''; return e.getAttribute('data-control') || (e.getAttribute('data-layer') && ('layer:' + e.getAttribute('data-layer'))) || (e.getAttribute('data-region-button') && 'ranking') || (e.tagName === 'CANVAS' ? 'map' : e.id || e.tagName.toLowerCase()); })()`,
        );
        seen.add(d);
      }
      const want = ['tab-policy', 'lang-btn', 'map', 'crop', 'year', 'indicator', 'ranking', 'layer:imagery'];
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
];

// ---------- runner ----------

async function withTimeout<T>(p: Promise<T>, ms: number, name: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([p, new Promise<never>((_, rej) => (timer = setTimeout(() => rej(new Error(`${name}: timed out after ${ms} ms`)), ms)))]);
  } finally {
    clearTimeout(timer);
  }
}

async function main(): Promise<number> {
  server = await startGranary();
  browser = await launchChromium({ viewport: { width: 1280, height: 800 } });
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
  for (const [i, c] of checks.entries()) {
    const t0 = performance.now();
    try {
      const info = await withTimeout(c.run(), c.timeoutMs ?? 90_000, c.name);
      passed++;
      console.log(`ok   ${i + 1} ${c.name} (${Math.round(performance.now() - t0)} ms)${info ? `: ${info}` : ''}`);
    } catch (e) {
      failed++;
      console.log(`FAIL ${i + 1} ${c.name}: ${(e as Error).message.split('\n')[0]}`);
    }
  }
  const js = jsSize();
  console.log(`info: client JS ${(js.jsGzipBytes / 1024).toFixed(1)} KiB gzipped (${js.files.map((f) => `${f.name} ${(f.gzipBytes / 1024).toFixed(1)}`).join(', ')}); screenshots in test/browser/screenshots/`);
  console.log(`browser: ${passed} passed, ${failed} failed`);
  writeSummary(passed, failed);
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
}
process.exit(code);
