/**
 * Dashboard benchmark: bytes transferred on a cold visit, time to first rendered map and to the
 * choropleth with its ranking, in headless Chromium (test/browser/first-render.ts states what each
 * figure is), beside the figures measured before issue #15 (commit efa6653, recorded: the old client
 * cannot be rebuilt inside this run).
 *
 *   npm run bench -- browser                              this checkout: 1 visit right after start, 3 to the warmed-up service
 *   npm run bench -- browser --baseline /tmp/other-checkout [--rounds 2] [--runs 2]
 *        the same measurement of another checkout (server and client built there), alternating
 *        with this one round by round, so both see the same machine load; ratios this/baseline
 */
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describeVisit, measureFirstRender, type FirstRender } from '../browser/first-render.js';
import { fmt } from './stats.js';

/** efa6653, 3 cold visits at 1280x800: 3030 KiB seen by the page + MapLibre's worker script uncompressed (508 KiB). */
const BEFORE = { transferKiB: 3030 + 508, firstRenderMs: 2578, choroplethMs: 5147 };

function flag(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

/** The baseline must be a checkout with its server and client built (its own service is started from it); else a clear message and exit 2. */
function checkBaseline(dir: string): void {
  const where = resolve(dir);
  const build = 'npm run build:client && node scripts/build-server.mjs';
  let problem: string | null = null;
  if (!existsSync(where)) problem = `no such directory (make one with \`git worktree add ${dir} <commit>\` and build it there: ${build})`;
  else {
    const missing = ['bin/granary.js', 'dist', 'client/dist/index.html'].filter((f) => !existsSync(join(where, f)));
    if (missing.length) problem = `not a built Granary checkout (missing ${missing.join(', ')}; build it there: ${build})`;
  }
  if (problem) {
    console.error(`npm run bench -- browser --baseline ${dir}: ${problem}`);
    process.exit(2);
  }
}

const median = (v: number[]) => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)]!;

export async function browserBench(log: (s: string) => void): Promise<Record<string, number>> {
  if (!existsSync('/usr/bin/chromium') && !process.env.CHROMIUM_PATH) {
    log('  skipped: /usr/bin/chromium is not installed (apt-get install -y chromium)');
    return {};
  }
  const baseline = flag('baseline');
  const runs = Number(flag('runs') ?? (baseline ? 2 : 3));
  if (!baseline) {
    const r = await measureFirstRender({ runs });
    for (const line of describeVisit(r).split('\n')) log(`  ${line}`);
    const kib = r.warm.transferBytes / 1024;
    log(`  before #15 (efa6653, recorded): ${BEFORE.transferKiB} KiB, first map ${BEFORE.firstRenderMs} ms, choropleth + ranking ${BEFORE.choroplethMs} ms`);
    log(`  client JS ${fmt(r.jsGzipBytes / 1024)} KiB gzipped (Brotli served)`);
    return { transferKiB: kib, firstRenderMs: r.warm.firstRenderMs, choroplethMs: r.warm.choroplethMs, jsGzipKiB: r.jsGzipBytes / 1024 };
  }
  checkBaseline(baseline);
  const rounds = Number(flag('rounds') ?? 2);
  const mine: FirstRender[] = [];
  const theirs: FirstRender[] = [];
  for (let i = 0; i < rounds; i++) {
    // alternate which goes first, so neither always meets the machine after the other's work
    const order = i % 2 === 0 ? ['baseline', 'this'] : ['this', 'baseline'];
    for (const who of order) {
      const r = await measureFirstRender({ runs, repo: who === 'baseline' ? baseline : undefined });
      (who === 'baseline' ? theirs : mine).push(r);
      log(`  round ${i + 1} ${who}:`);
      for (const line of describeVisit(r).split('\n')) log(`    ${line}`);
    }
  }
  const pool = (rs: FirstRender[], k: 'warm' | 'afterStart', f: 'firstRenderMs' | 'choroplethMs' | 'transferBytes') => median(rs.flatMap((r) => r[k].runs.map((x) => x[f])));
  const line = (label: string, k: 'warm' | 'afterStart', f: 'firstRenderMs' | 'choroplethMs' | 'transferBytes', unit: (v: number) => string) => {
    const a = pool(theirs, k, f);
    const b = pool(mine, k, f);
    log(`  ${label}: baseline ${unit(a)} | this ${unit(b)} | this/baseline ${fmt(b / a, 2)}`);
  };
  const ms = (v: number) => `${Math.round(v)} ms`;
  log(`  medians over ${rounds} rounds (baseline ${baseline}):`);
  line('cold visit bytes', 'warm', 'transferBytes', (v) => `${Math.round(v / 1024)} KiB`);
  line('first map, warmed-up service', 'warm', 'firstRenderMs', ms);
  line('choropleth + ranking, warmed-up service', 'warm', 'choroplethMs', ms);
  line('first map, right after start', 'afterStart', 'firstRenderMs', ms);
  line('choropleth + ranking, right after start', 'afterStart', 'choroplethMs', ms);
  return { firstRenderMs: pool(mine, 'warm', 'firstRenderMs'), choroplethMs: pool(mine, 'warm', 'choroplethMs') };
}
