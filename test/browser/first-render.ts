/**
 * For `npm run bench`: the dashboard's gzipped JavaScript size and its time to first rendered map.
 *
 *   import { measureFirstRender } from './test/browser/first-render.js';
 *   const r = await measureFirstRender({ runs: 5 });   // starts its own Granary unless `url` is given
 *   // r.firstRenderMs (median), r.runsMs, r.jsGzipBytes, r.files
 *
 * Time to first render = from navigation start to the first frame in which every imagery tile of
 * the initial view is drawn (MapLibre `render` with the imagery source loaded), as
 * `performance.now()` in the page (window.granary.firstRenderMs), with the
 * HTTP cache disabled so each run loads everything (the server's tile cache stays warm after the
 * first run; `runsMs[0]` is the cold one).
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

export interface FirstRender extends JsSize {
  firstRenderMs: number;
  runsMs: number[];
  viewport: { width: number; height: number };
}

export async function measureFirstRender(opts: { url?: string; runs?: number; viewport?: { width: number; height: number } } = {}): Promise<FirstRender> {
  const runs = opts.runs ?? 3;
  const viewport = opts.viewport ?? { width: 1280, height: 800 };
  const server = opts.url ? null : await startGranary();
  const url = opts.url ?? server!.url;
  const browser = await launchChromium({ viewport });
  try {
    const runsMs: number[] = [];
    for (let i = 0; i < runs; i++) {
      const page = await browser.context.newPage();
      const cdp = await browser.context.newCDPSession(page);
      await cdp.send('Network.setCacheDisabled', { cacheDisabled: true });
      await page.goto(`${url}/?lang=en`);
      await waitForExpr(page, 'window.granary && (window.granary.firstRenderMs !== null || window.granary.error)', 60_000);
      const ms = (await page.evaluate('window.granary.firstRenderMs')) as number | null;
      if (ms === null) throw new Error(`the dashboard failed: ${String(await page.evaluate('window.granary.error'))}`);
      runsMs.push(ms);
      await page.close();
    }
    const sorted = [...runsMs].sort((a, b) => a - b);
    return { firstRenderMs: sorted[Math.floor(sorted.length / 2)]!, runsMs, viewport, ...jsSize() };
  } finally {
    await browser.close();
    await server?.close();
  }
}

// `node --import tsx test/browser/first-render.ts` prints one measurement
if (import.meta.url === `file://${process.argv[1]}`) {
  const r = await measureFirstRender();
  console.log(`first render ${Math.round(r.firstRenderMs)} ms (runs ${r.runsMs.map(Math.round).join(', ')}); JS ${(r.jsGzipBytes / 1024).toFixed(1)} KiB gzipped`);
}
