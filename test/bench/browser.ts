/**
 * Dashboard benchmark: bytes transferred on a cold visit, time to first rendered map and to the
 * choropleth with its ranking, in headless Chromium (test/browser/first-render.ts), beside the
 * figures measured the same way before issue #15 (commit efa6653, same machine; the old client
 * cannot be rebuilt inside this run, so those are recorded figures, not a same-run baseline).
 */
import { existsSync } from 'node:fs';
import { describeVisit, measureFirstRender } from '../browser/first-render.js';
import { fmt } from './stats.js';

/** efa6653, 3 cold visits at 1280x800: 3030 KiB seen by the page + MapLibre's worker script uncompressed (508 KiB). */
const BEFORE = { transferKiB: 3030 + 508, firstRenderMs: 2578, choroplethMs: 5147 };

export async function browserBench(log: (s: string) => void): Promise<Record<string, number>> {
  if (!existsSync('/usr/bin/chromium')) {
    log('  skipped: /usr/bin/chromium is not installed (apt-get install -y chromium)');
    return {};
  }
  const r = await measureFirstRender({ runs: 3 });
  for (const line of describeVisit(r).split('\n')) log(`  ${line}`);
  const kib = r.transferBytes / 1024;
  log(`  before #15 (efa6653): ${BEFORE.transferKiB} KiB, first map ${BEFORE.firstRenderMs} ms, choropleth + ranking ${BEFORE.choroplethMs} ms`);
  log(`  ratio now/before: bytes ${fmt(kib / BEFORE.transferKiB, 2)}, first map ${fmt(r.firstRenderMs / BEFORE.firstRenderMs, 2)}, choropleth ${fmt(r.choroplethMs / BEFORE.choroplethMs, 2)}`);
  log(`  client JS ${fmt(r.jsGzipBytes / 1024)} KiB gzipped (Brotli served)`);
  return { transferKiB: kib, firstRenderMs: r.firstRenderMs, choroplethMs: r.choroplethMs, jsGzipKiB: r.jsGzipBytes / 1024 };
}
