#!/usr/bin/env node
// Compiles the service (server/** and the models/contract/** it imports) from TypeScript to
// JavaScript in dist/, one file per module (the same tree, so every relative import and
// import.meta.url path keeps working), with esbuild (already installed: tsx is built on it).
// Non-TypeScript files under server/ (boot.mjs, SQL migrations) are copied beside them.
// bin/granary.js runs dist/ when it is up to date with the sources (dist/manifest.json) and falls
// back to tsx otherwise, so a stale build never serves. Run by `npm ci`/`npm install` (prepare)
// and by `npm start`; never on the serving path. `--if-stale` skips the work when dist/ is current.
import { build } from 'esbuild';
import { copyFileSync, existsSync, mkdirSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { distIsCurrent, SOURCE_DIRS } from './dist-state.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const dist = join(root, 'dist');

if (process.argv.includes('--if-stale') && distIsCurrent(root)) process.exit(0);

const walk = (dir) => readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(join(dir, e.name)) : [join(dir, e.name)]));
const files = SOURCE_DIRS.flatMap((d) => walk(join(root, d)));
const ts = files.filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts') && !f.endsWith('.test.ts'));
const other = files.filter((f) => !f.endsWith('.ts') && !f.endsWith('.md'));

const t0 = performance.now();
rmSync(dist, { recursive: true, force: true });
await build({
  entryPoints: ts,
  outdir: dist,
  outbase: root,
  bundle: false,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  sourcemap: 'linked',
  logLevel: 'warning',
});
for (const f of other) {
  const to = join(dist, relative(root, f));
  mkdirSync(dirname(to), { recursive: true });
  copyFileSync(f, to);
}
// The manifest: every source file and its mtime when compiled (bin/granary.js compares).
const manifest = Object.fromEntries(files.map((f) => [relative(root, f), statSync(f).mtimeMs]));
writeFileSync(join(dist, 'manifest.json'), JSON.stringify({ files: manifest }));
if (!existsSync(join(dist, 'server', 'cli', 'granary.js'))) throw new Error('build-server: dist/server/cli/granary.js missing');
console.log(`compiled ${ts.length} modules to dist/ in ${Math.round(performance.now() - t0)} ms`);
