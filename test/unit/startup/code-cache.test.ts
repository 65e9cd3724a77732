/**
 * scripts/load-bundle.mjs: a bundle's V8 code cache written by one process is used by the next
 * (cachedData accepted), not when the bundle changed (same length, new file: the sidecar names the
 * bundle it was made from), and code read back from the cache reaches import() through the loader
 * (server/util/import-module.ts; Node 20 loses the bundle's own import() callback in the cache).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync, utimesSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const LOADER = pathToFileURL(join(import.meta.dirname, '../../../scripts/load-bundle.mjs')).href;
const dir = mkdtempSync(join(tmpdir(), 'granary-code-cache-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const bundle = join(dir, 'b.cjs');
const source = (word: string) => `exports.hello = () => '${word}';\nexports.os = () => globalThis.__granaryImport('node:os').then((m) => typeof m.cpus);\n`;

/** Loads the bundle in a fresh process: whether the cache was used, what it answers, and optionally writes the cache. */
function run(write: boolean): { used: boolean; hello: string; os: string } {
  const script = `import { loadBundle, writeCodeCache } from '${LOADER}';
const { exports, cache } = loadBundle(${JSON.stringify(bundle)});
const out = { used: cache.used, hello: exports.hello(), os: await exports.os() };
${write ? 'writeCodeCache();' : ''}
console.log(JSON.stringify(out));`;
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' });
  expect(r.status, r.stderr).toBe(0);
  return JSON.parse(r.stdout.trim()) as { used: boolean; hello: string; os: string };
}

describe('bundle code cache', () => {
  it('is written by one process and used by the next; import() works from cached code', () => {
    writeFileSync(bundle, source('one'));
    expect(run(true)).toEqual({ used: false, hello: 'one', os: 'function' });
    expect(run(false)).toEqual({ used: true, hello: 'one', os: 'function' });
  });

  it('is not used for a changed bundle of the same length', () => {
    writeFileSync(bundle, source('two'));
    const later = new Date(Date.now() + 5_000);
    utimesSync(bundle, later, later);
    expect(run(false)).toEqual({ used: false, hello: 'two', os: 'function' });
  });
});
