/** Dashboard benchmark: gzipped JavaScript and time to first rendered map in headless Chromium. */
import { existsSync } from 'node:fs';
import { measureFirstRender } from '../browser/first-render.js';
import { fmt } from './stats.js';

export async function browserBench(log: (s: string) => void): Promise<Record<string, number>> {
  if (!existsSync('/usr/bin/chromium')) {
    log('  skipped: /usr/bin/chromium is not installed (apt-get install -y chromium)');
    return {};
  }
  const r = await measureFirstRender({ runs: 3 });
  log(`  client JS ${fmt(r.jsGzipBytes / 1024)} KiB gzipped; time to first rendered map (localhost, cache off) median ${fmt(r.firstRenderMs, 0)} ms (runs ${r.runsMs.map((v) => fmt(v, 0)).join(', ')} ms)`);
  return { jsGzipKiB: r.jsGzipBytes / 1024, firstRenderMs: r.firstRenderMs };
}
