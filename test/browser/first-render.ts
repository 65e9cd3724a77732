/**
 * For `npm run bench`: the dashboard's page weight and render times on a cold visit.
 *
 *   import { measureFirstRender } from './test/browser/first-render.js';
 *   const r = await measureFirstRender({ runs: 5 });   // starts its own Granary unless `url` is given
 *   // r.firstRenderMs, r.choroplethMs (medians), r.transferBytes (median), r.byType, r.runs
 *
 * - time to first render: from navigation start to the first frame in which every imagery tile of
 *   the initial view is drawn (MapLibre `render` with the imagery source loaded), as
 *   `performance.now()` in the page (window.granary.firstRenderMs);
 * - choropleth with ranking: the first animation frame in which the municipal choropleth layer is on
 *   the map with its source loaded and the ranking table has rows (polled every frame in the page);
 * - bytes transferred: the sum of Chromium's `encodedDataLength` (bytes on the wire, headers and
 *   compressed bodies) of every response from navigation until the network is idle after the
 *   choropleth, with the HTTP cache disabled, so each run is a cold visit (the server's tile cache
 *   stays warm after the first run; `runs[0]` is the cold one).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { launchChromium, waitForExpr } from './browser.js';
import { DIST, startGranary } from './server.js';

export interface JsSize {
  jsBytes: number;
  jsGzipBytes: number;
  files: Array<{ name: string; bytes: number; gzipBytes: number }>;
}

/** Size of every .js/.mjs file of the built client (including MapLibre's worker), raw and gzip -9. */
export function jsSize(dist: string = DIST): JsSize {
  const dir = join(dist, 'assets');
  const files = readdirSync(dir)
    .filter((f) => /\.(m?js)$/.test(f))
    .map((name) => {
      const buf = readFileSync(join(dir, name));
      return { name, bytes: buf.length, gzipBytes: gzipSync(buf, { level: 9 }).length };
    });
  return { jsBytes: files.reduce((s, f) => s + f.bytes, 0), jsGzipBytes: files.reduce((s, f) => s + f.gzipBytes, 0), files };
}

export interface VisitRun {
  firstRenderMs: number;
  choroplethMs: number;
  transferBytes: number;
  requests: number;
  /** bytes on the wire per kind of resource (script, geojson, json, tiles, other) */
  byType: Record<string, number>;
  /** URLs fetched more than once in the visit */
  repeated: string[];
}

export interface FirstRender extends JsSize {
  firstRenderMs: number;
  choroplethMs: number;
  transferBytes: number;
  runs: VisitRun[];
  runsMs: number[];
  viewport: { width: number; height: number };
}

const CHOROPLETH_READY = `new Promise((resolve) => {
  const f = () => {
    let ok = false;
    try {
      const map = window.granary && window.granary.ctx && window.granary.ctx.map;
      ok = Boolean(map && map.getLayer('regions-fill') && map.isSourceLoaded('regions') && document.querySelector('.ranking-table tbody tr'));
    } catch { ok = false; }
    if (ok) resolve(performance.now()); else requestAnimationFrame(f);
  };
  f();
})`;

const median = (v: number[]) => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)]!;

function kindOf(url: string, mime: string): string {
  if (/\/tiles\//.test(url)) return 'tiles';
  if (/javascript/.test(mime)) return 'script';
  if (/css/.test(mime)) return 'css';
  if (/geo\+json|topo|regions/.test(mime + url)) return 'boundaries';
  if (/json/.test(mime)) return 'json';
  return 'other';
}

export async function measureFirstRender(opts: { url?: string; runs?: number; viewport?: { width: number; height: number } } = {}): Promise<FirstRender> {
  const n = opts.runs ?? 3;
  const viewport = opts.viewport ?? { width: 1280, height: 800 };
  const server = opts.url ? null : await startGranary();
  const url = opts.url ?? server!.url;
  const browser = await launchChromium({ viewport });
  try {
    const runs: VisitRun[] = [];
    for (let i = 0; i < n; i++) {
      const page = await browser.context.newPage();
      const cdp = await browser.context.newCDPSession(page);
      await cdp.send('Network.enable');
      await cdp.send('Network.setCacheDisabled', { cacheDisabled: true });
      const meta = new Map<string, { url: string; mime: string }>();
      const byType: Record<string, number> = {};
      const seen = new Map<string, number>();
      let transferBytes = 0;
      let requests = 0;
      cdp.on('Network.responseReceived', (e) => meta.set(e.requestId, { url: e.response.url, mime: e.response.mimeType }));
      cdp.on('Network.loadingFinished', (e) => {
        const m = meta.get(e.requestId);
        if (!m || m.url.startsWith('data:') || m.url.startsWith('blob:')) return;
        transferBytes += e.encodedDataLength;
        requests++;
        const k = kindOf(m.url, m.mime);
        byType[k] = (byType[k] ?? 0) + e.encodedDataLength;
        if (!/\/tiles\/.*\/\d+\/\d+\/\d+/.test(m.url)) seen.set(m.url, (seen.get(m.url) ?? 0) + 1);
      });
      await page.goto(`${url}/?lang=en`);
      // choropleth + ranking: polled every animation frame inside the page
      // (a string: tsx's keepNames would put an undefined __name helper into a serialised function)
      const choro = page.evaluate(CHOROPLETH_READY) as Promise<number>;
      await waitForExpr(page, 'window.granary && (window.granary.firstRenderMs !== null || window.granary.error)', 60_000);
      const ms = (await page.evaluate('window.granary.firstRenderMs')) as number | null;
      if (ms === null) throw new Error(`the dashboard failed: ${String(await page.evaluate('window.granary.error'))}`);
      const choroplethMs = await Promise.race([choro, new Promise<number>((_, rej) => setTimeout(() => rej(new Error('no choropleth with ranking in 60 s')), 60_000))]);
      await page.waitForLoadState('networkidle', { timeout: 30_000 }).catch(() => {});
      // MapLibre's worker script is fetched by the worker, which this page's DevTools session does
      // not see: count it as served to a browser (Brotli-accepting request from here)
      const workerUrl = (await page.evaluate(`performance.getEntriesByType('resource').map((e) => e.name).find((n) => /maplibre-gl-worker.*\\.m?js/.test(n)) ?? ''`)) as string;
      if (workerUrl) {
        const res = await fetch(workerUrl, { headers: { 'accept-encoding': 'br, gzip' } });
        const body = Buffer.from(await res.arrayBuffer());
        const encoded = Number(res.headers.get('content-length') ?? 0) || body.length;
        transferBytes += encoded + 300;
        byType.script = (byType.script ?? 0) + encoded + 300;
        requests++;
      }
      runs.push({ firstRenderMs: ms, choroplethMs, transferBytes, requests, byType, repeated: [...seen].filter(([, c]) => c > 1).map(([u]) => u.replace(url, '')) });
      await page.close();
    }
    return {
      firstRenderMs: median(runs.map((r) => r.firstRenderMs)),
      choroplethMs: median(runs.map((r) => r.choroplethMs)),
      transferBytes: median(runs.map((r) => r.transferBytes)),
      runs,
      runsMs: runs.map((r) => r.firstRenderMs),
      viewport,
      ...jsSize(),
    };
  } finally {
    await browser.close();
    await server?.close();
  }
}

export function describeVisit(r: FirstRender): string {
  const kib = (b: number) => `${(b / 1024).toFixed(0)} KiB`;
  const last = r.runs[r.runs.length - 1]!;
  return [
    `cold visit ${kib(r.transferBytes)} transferred (median of ${r.runs.length}; ${Object.entries(last.byType).map(([k, v]) => `${k} ${kib(v)}`).join(', ')}; ${last.requests} requests)`,
    `first map ${Math.round(r.firstRenderMs)} ms, choropleth + ranking ${Math.round(r.choroplethMs)} ms (runs ${r.runs.map((x) => `${Math.round(x.firstRenderMs)}/${Math.round(x.choroplethMs)}`).join(', ')} ms)`,
    `fetched more than once: ${last.repeated.length ? last.repeated.join(', ') : 'none'}`,
  ].join('\n');
}

// `node --import tsx test/browser/first-render.ts` prints one measurement
if (import.meta.url === `file://${process.argv[1]}`) {
  const r = await measureFirstRender({ runs: Number(process.env.RUNS ?? 3) });
  console.log(describeVisit(r));
  console.log(`JS ${(r.jsGzipBytes / 1024).toFixed(1)} KiB gzipped`);
}
