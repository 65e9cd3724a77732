/**
 * For `npm run bench -- browser`: the dashboard's page weight and render times on a cold visit.
 *
 *   import { measureFirstRender } from './test/browser/first-render.js';
 *   const r = await measureFirstRender({ runs: 3 });   // starts its own Granary (from `repo`, default this checkout)
 *   // r.warm (a new visitor to a running service), r.afterStart (the first visitor after a start)
 *
 * What is measured, and when:
 * - every visit is a new visitor: a new Chromium with an empty profile (no HTTP cache, no V8 code
 *   cache, MapLibre's worker script fetched too), the page opened at 1280x800 in English;
 * - `warm`: the service has started and finished its own after-listen work (the warm-up of
 *   plugins/warmup.ts: its processes have used less than 30 ms of CPU in the last second); this is
 *   the visit the aims are about;
 * - `afterStart`: the first visit to a service that has just become healthy (`/healthz` 200), while
 *   its warm-up still runs; reported beside, never mixed into the medians of `warm`;
 * - first map: `performance.now()` in the page at the first frame MapLibre draws with every imagery
 *   tile of the initial view loaded (a `render` event with the imagery source loaded; the app's own
 *   hook, window.granary.firstRenderMs);
 * - choropleth with ranking: the first frame MapLibre draws (a `render` event) in which the municipal
 *   fill layer is on the map, its source loaded, the indicator values written into the features
 *   (feature-state `v` of the first ranked municipality set), and the ranking table has rows;
 * - bytes transferred: the sum of Chromium's `encodedDataLength` (bytes on the wire, headers and
 *   compressed bodies) of every response from navigation until the network is idle after the
 *   choropleth, plus MapLibre's worker script (fetched by the worker, which the page's DevTools
 *   session does not see; counted as served to a Brotli-accepting browser).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { launchChromium, waitForExpr } from './browser.js';
import { DIST, startGranary, type RunningServer } from './server.js';

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
  /** the app's start-up marks (window.granary.marks), ms from navigation */
  marks: Record<string, number>;
}

export interface VisitSummary {
  firstRenderMs: number;
  choroplethMs: number;
  transferBytes: number;
  runs: VisitRun[];
}

export interface FirstRender extends JsSize {
  warm: VisitSummary;
  afterStart: VisitSummary;
  viewport: { width: number; height: number };
}

// resolves at the first MapLibre frame drawn with the choropleth's values and the ranking's rows
// (a string: tsx's keepNames would put an undefined __name helper into a serialised function)
const CHOROPLETH_DRAWN = `new Promise((resolve) => {
  const ready = (map) => {
    try {
      const row = document.querySelector('.ranking-table tbody tr[data-region]');
      if (!row || !map.getLayer('regions-fill') || !map.isSourceLoaded('regions')) return false;
      return map.getFeatureState({ source: 'regions', id: row.dataset.region }).v !== undefined;
    } catch { return false; }
  };
  let hooked = false;
  let done = false;
  const poll = () => {
    if (done) return;
    const map = window.granary && window.granary.ctx && window.granary.ctx.map;
    if (map && !hooked) {
      hooked = true;
      const onRender = () => { if (ready(map)) { done = true; map.off('render', onRender); resolve(performance.now()); } };
      map.on('render', onRender);
    }
    // the ranking's rows can come after the map's last frame: ask for one more
    if (map && ready(map)) { map.triggerRepaint(); return; }
    requestAnimationFrame(poll);
  };
  poll();
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

/** One new visitor: a fresh Chromium profile, the page until its choropleth is drawn and the network idle. */
async function visit(url: string, viewport: { width: number; height: number }): Promise<VisitRun> {
  const browser = await launchChromium({ viewport });
  try {
    const page = await browser.context.newPage();
    const cdp = await browser.context.newCDPSession(page);
    await cdp.send('Network.enable');
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
    const choro = page.evaluate(CHOROPLETH_DRAWN) as Promise<number>;
    await waitForExpr(page, 'window.granary && (window.granary.firstRenderMs !== null || window.granary.error)', 60_000, 20);
    const ms = (await page.evaluate('window.granary.firstRenderMs')) as number | null;
    if (ms === null) throw new Error(`the dashboard failed: ${String(await page.evaluate('window.granary.error'))}`);
    const choroplethMs = await Promise.race([choro, new Promise<number>((_, rej) => setTimeout(() => rej(new Error('no choropleth with ranking in 60 s')), 60_000))]);
    await page.waitForLoadState('networkidle', { timeout: 30_000 }).catch(() => {});
    const workerUrl = (await page.evaluate(`performance.getEntriesByType('resource').map((e) => e.name).find((n) => /maplibre-gl-worker.*\\.m?js/.test(n)) ?? ''`)) as string;
    if (workerUrl) {
      const res = await fetch(workerUrl, { headers: { 'accept-encoding': 'br, gzip' } });
      const body = Buffer.from(await res.arrayBuffer());
      const encoded = Number(res.headers.get('content-length') ?? 0) || body.length;
      transferBytes += encoded + 300;
      byType.script = (byType.script ?? 0) + encoded + 300;
      requests++;
    }
    const marks = (await page.evaluate('window.granary.marks')) as Record<string, number>;
    return { firstRenderMs: ms, choroplethMs, transferBytes, requests, byType, repeated: [...seen].filter(([, c]) => c > 1).map(([u]) => u.replace(url, '')), marks };
  } finally {
    await browser.close();
  }
}

/** CPU time (clock ticks) of a process and all its descendants, from /proc. */
function treeTicks(root: number): number {
  const parentOf = new Map<number, number>();
  const ticks = new Map<number, number>();
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const stat = readFileSync(`/proc/${d}/stat`, 'utf8');
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      parentOf.set(Number(d), Number(f[1]));
      ticks.set(Number(d), Number(f[11]) + Number(f[12]));
    } catch {
      /* gone */
    }
  }
  let sum = 0;
  for (const [pid, t] of ticks) {
    for (let p: number | undefined = pid; p !== undefined && p > 1; p = parentOf.get(p)) {
      if (p === root) {
        sum += t;
        break;
      }
    }
  }
  return sum;
}

/** Waits until the service's processes are quiet (< 3 ticks, ~30 ms, of CPU in a second), 60 s at most. */
async function waitQuiet(server: RunningServer): Promise<void> {
  if (!server.pid) return;
  const end = Date.now() + 60_000;
  let last = treeTicks(server.pid);
  while (Date.now() < end) {
    await new Promise((r) => setTimeout(r, 1000));
    const now = treeTicks(server.pid);
    if (now - last < 3) return;
    last = now;
  }
}

const summary = (runs: VisitRun[]): VisitSummary => ({
  firstRenderMs: median(runs.map((r) => r.firstRenderMs)),
  choroplethMs: median(runs.map((r) => r.choroplethMs)),
  transferBytes: median(runs.map((r) => r.transferBytes)),
  runs,
});

/**
 * `runs` visits to a warmed-up service and `afterStart` visits each right after a fresh start.
 * `repo`: the checkout whose service (and built client) is measured, default this one.
 */
export async function measureFirstRender(opts: { runs?: number; afterStart?: number; viewport?: { width: number; height: number }; repo?: string } = {}): Promise<FirstRender> {
  const viewport = opts.viewport ?? { width: 1280, height: 800 };
  const afterStart: VisitRun[] = [];
  for (let i = 0; i < (opts.afterStart ?? 1); i++) {
    const server = await startGranary({ repo: opts.repo });
    try {
      afterStart.push(await visit(server.url, viewport));
    } finally {
      await server.close();
    }
  }
  const warm: VisitRun[] = [];
  const server = await startGranary({ repo: opts.repo });
  try {
    await waitQuiet(server);
    for (let i = 0; i < (opts.runs ?? 3); i++) {
      warm.push(await visit(server.url, viewport));
      await waitQuiet(server);
    }
  } finally {
    await server.close();
  }
  return { warm: summary(warm), afterStart: summary(afterStart), viewport, ...jsSize(opts.repo ? join(opts.repo, 'client', 'dist') : DIST) };
}

export function describeVisit(r: FirstRender): string {
  const kib = (b: number) => `${(b / 1024).toFixed(0)} KiB`;
  const last = r.warm.runs[r.warm.runs.length - 1]!;
  const times = (s: VisitSummary) => s.runs.map((x) => `${Math.round(x.firstRenderMs)}/${Math.round(x.choroplethMs)}`).join(', ');
  return [
    `cold visit ${kib(r.warm.transferBytes)} transferred (median of ${r.warm.runs.length}; ${Object.entries(last.byType).map(([k, v]) => `${k} ${kib(v)}`).join(', ')}; ${last.requests} requests)`,
    `warmed-up service: first map ${Math.round(r.warm.firstRenderMs)} ms, choropleth + ranking ${Math.round(r.warm.choroplethMs)} ms (median of ${r.warm.runs.length}; runs ${times(r.warm)} ms)`,
    r.afterStart.runs.length ? `right after start: first map ${Math.round(r.afterStart.firstRenderMs)} ms, choropleth + ranking ${Math.round(r.afterStart.choroplethMs)} ms (runs ${times(r.afterStart)} ms)` : 'right after start: not measured',
    `start-up marks (last warm run, ms): ${Object.entries(last.marks).map(([k, v]) => `${k} ${v}`).join(', ')}`,
    `fetched more than once: ${last.repeated.length ? last.repeated.join(', ') : 'none'}`,
  ].join('\n');
}

// `node --import tsx test/browser/first-render.ts` prints one measurement
if (import.meta.url === `file://${process.argv[1]}`) {
  const r = await measureFirstRender({ runs: Number(process.env.RUNS ?? 3) });
  console.log(describeVisit(r));
  console.log(`JS ${(r.jsGzipBytes / 1024).toFixed(1)} KiB gzipped`);
}
