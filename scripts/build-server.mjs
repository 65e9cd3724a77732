#!/usr/bin/env node
// Compiles the service (server/** and the models/contract/** it imports) from TypeScript to
// JavaScript in dist/, one file per module (the same tree, so every relative import and
// import.meta.url path keeps working), with esbuild (already installed: tsx is built on it).
// Non-TypeScript files under server/ (boot.mjs, SQL migrations) are copied beside them. The two
// process entries (the CLI with the server, and the worker child) are then bundled with their
// dependencies into dist/bundle/ (bundleEntries below), with their V8 code cache: that is what runs.
// bin/granary.js runs dist/ when it is up to date with the sources (dist/manifest.json) and falls
// back to tsx otherwise, so a stale build never serves. Run by `npm ci`/`npm install` (prepare)
// and by `npm start`; never on the serving path. `--if-stale` skips the work when dist/ is current.
import { build } from 'esbuild';
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { distIsCurrent, SOURCE_DIRS, SOURCE_FILES } from './dist-state.mjs';

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
await bundleEntries();
for (const f of other) {
  const to = join(dist, relative(root, f));
  mkdirSync(dirname(to), { recursive: true });
  copyFileSync(f, to);
}
// The manifest: every source file (and the lockfile) and its mtime when compiled (bin/granary.js compares).
const manifest = Object.fromEntries([...files, ...SOURCE_FILES.map((f) => join(root, f))].map((f) => [relative(root, f), statSync(f).mtimeMs]));
writeFileSync(join(dist, 'manifest.json'), JSON.stringify({ files: manifest }));
if (!existsSync(join(dist, 'server', 'cli', 'granary.js'))) throw new Error('build-server: dist/server/cli/granary.js missing');
makeSchemaCode();
if (!process.argv.includes('--no-code-cache')) makeCodeCache();
console.log(`compiled ${ts.length} modules to dist/ in ${Math.round(performance.now() - t0)} ms`);

/**
 * The processes' entry modules bundled: the CLI (and through it the server) and the worker child,
 * with their dependencies, into dist/bundle/ (one CommonJS file each, with its V8 code cache made by
 * makeCodeCache). A start then reads two files instead of Node resolving, reading and (for CommonJS)
 * lexing ~1,000, and V8 compiles almost nothing (README, performance). The entries' compiled copies
 * in dist/server/ become one-line loaders of their bundles, so bin/granary.js and the worker pool
 * keep their paths. Kept outside: native addons. The rest of dist/ stays compiled per file (the derived cache hashes those files;
 * workers/boot.mjs and the SQL migrations are read from there).
 */
async function bundleEntries() {
  const outdir = join(dist, 'bundle');
  // The two processes' entries, each one CommonJS file (no code splitting: what a command or task
  // imports lazily is in the file but evaluated only when imported), so that scripts/load-bundle.mjs
  // can hand V8 their code cache (vm.Script; Node 20 has no compile cache for ES modules);
  // import.meta.url is the bundle's own URL (__granaryUrl)
  await build({
    entryPoints: { granary: join(root, 'server/cli/granary.ts'), 'worker-main': join(root, 'server/workers/worker-main.ts') },
    outdir,
    outExtension: { '.js': '.cjs' },
    bundle: true,
    format: 'cjs',
    platform: 'node',
    target: 'node20',
    sourcemap: 'linked',
    minifyWhitespace: true,
    minifySyntax: true,
    // licence comments go beside the bundle (granary.cjs.LEGAL.txt): one of them is not ASCII, and an
    // all-ASCII bundle is read without UTF-8 decoding (scripts/load-bundle.mjs)
    legalComments: 'external',
    logLevel: 'warning',
    external: ['onnxruntime-node', 'better-sqlite3', 'sharp', 'pg-native'],
    define: { 'import.meta.url': '__granaryUrl' },
    banner: { js: "const __granaryUrl = require('node:url').pathToFileURL(__filename).href; const __granaryDir = __dirname;" },
    plugins: [moduleUrls(outdir, '__granaryUrl'), packageDirs(outdir)],
  });
  const reexport = (src, body) => writeFileSync(join(dist, src.replace(/\.ts$/, '.js')), `// bundled: scripts/build-server.mjs\n${body}\n`);
  reexport('server/workers/worker-main.ts', "import { fileURLToPath } from 'node:url';\nimport { loadBundle } from '../../../scripts/load-bundle.mjs';\nloadBundle(fileURLToPath(new URL('../../bundle/worker-main.cjs', import.meta.url)));");
  reexport('server/cli/granary.ts', "import bundle from '../../bundle/granary.cjs';\nexport const main = bundle.main;");
}

/**
 * The route schemas' compiled code (scripts/make-schema-code.mjs, server/plugins/schema-code.ts), in
 * the same clean environment as the code cache. A failure leaves none (the server compiles them as
 * before), never a failed build.
 */
function makeSchemaCode() {
  const env = { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', GRANARY_LOG_LEVEL: 'silent', GRANARY_WORKERS: '1', GRANARY_PRIME_MS: '0', GRANARY_PRIME_CROP_MS: '0' };
  const r = spawnSync(process.execPath, [join(root, 'scripts', 'make-schema-code.mjs')], { env, stdio: ['ignore', 'ignore', 'inherit'], timeout: 60_000 });
  if (r.status !== 0) console.warn(`build-server: no stored schema code (${r.error?.message ?? `exit ${r.status ?? r.signal}`}); starts compile the hot routes' schemas`);
}

/**
 * The V8 code cache of the CLI bundle (scripts/load-bundle.mjs), made by starting the server from it
 * once (scripts/make-code-cache.mjs) in a clean environment: the embedded defaults and the bundled
 * data, whatever GRANARY_* variables the build runs with. A failure leaves no cache (slower starts),
 * never a failed build.
 */
function makeCodeCache() {
  // the server's worker children write their bundle's cache too (scripts/load-bundle.mjs), after priming
  const env = { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', PORT: '0', HOST: '127.0.0.1', GRANARY_LOG_LEVEL: 'silent', GRANARY_WORKERS: '1', GRANARY_WRITE_CODE_CACHE_AFTER_MS: '1500' };
  const r = spawnSync(process.execPath, [join(root, 'scripts', 'make-code-cache.mjs')], { env, stdio: ['ignore', 'ignore', 'inherit'], timeout: 60_000 });
  if (r.status !== 0) console.warn(`build-server: no V8 code cache (${r.error?.message ?? `exit ${r.status ?? r.signal}`}); starts compile the bundle`);
}

/**
 * Inside a bundle `import.meta.url` is the URL of the bundle's file; every service module's own uses
 * (files beside it, its compiled sibling modules) get the URL of its compiled copy in dist/ instead.
 */
function moduleUrls(outdir, base) {
  return {
    name: 'module-urls',
    setup(b) {
      b.onLoad({ filter: /\.ts$/ }, (args) => {
        if (args.path.includes('/node_modules/')) return undefined;
        const text = readFileSync(args.path, 'utf8');
        if (!text.includes('import.meta.url')) return { contents: text, loader: 'ts' };
        const compiled = join(dist, relative(root, args.path)).replace(/\.ts$/, '.js');
        const rel = relative(outdir, compiled).split('\\').join('/');
        return { contents: text.replaceAll('import.meta.url', `new URL(${JSON.stringify(rel)}, ${base}).href`), loader: 'ts' };
      });
    },
  };
}

/**
 * A package module that reads its own files through __dirname/__filename (Swagger UI's static files)
 * gets them as they are in node_modules, relative to the bundle's directory (every output file of
 * the bundle is in dist/bundle/), so the tree can move after building.
 */
function packageDirs(outdir) {
  return {
    name: 'package-dirs',
    setup(b) {
      b.onLoad({ filter: /[\\/]node_modules[\\/].*\.c?js$/ }, (args) => {
        const text = readFileSync(args.path, 'utf8');
        if (!/\b__(dirname|filename)\b/.test(text)) return undefined;
        const rel = relative(outdir, args.path).split('\\').join('/');
        const head = `var __filename = require('node:path').join(__granaryDir, ${JSON.stringify(rel)}); var __dirname = require('node:path').dirname(__filename);`;
        return { contents: `${head}\n${text}`, loader: 'js' };
      });
    },
  };
}
