#!/usr/bin/env node
// Compiles the service (server/** and the models/contract/** it imports) from TypeScript to
// JavaScript in dist/, one file per module (the same tree, so every relative import and
// import.meta.url path keeps working), with esbuild (already installed: tsx is built on it).
// Non-TypeScript files under server/ (boot.mjs, SQL migrations) are copied beside them. The two
// process entries (the CLI with the server, and the worker child) are then bundled with their
// dependencies into dist/bundle/ (bundleEntries below): that is what runs.
// bin/granary.js runs dist/ when it is up to date with the sources (dist/manifest.json) and falls
// back to tsx otherwise, so a stale build never serves. Run by `npm ci`/`npm install` (prepare)
// and by `npm start`; never on the serving path. `--if-stale` skips the work when dist/ is current.
import { build } from 'esbuild';
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
console.log(`compiled ${ts.length} modules to dist/ in ${Math.round(performance.now() - t0)} ms`);

/**
 * The processes' entry modules bundled: the CLI (and through it the server) and the worker child,
 * with their dependencies, into dist/bundle/ (ES modules, code split: what is imported lazily, such
 * as a CLI command or the cluster-mode stores, stays in a chunk of its own that is read only when
 * used). A start then reads a few files instead of Node resolving, reading and (for CommonJS)
 * lexing ~1,000 (most of the start-up time; README, performance). The entries' compiled copies in
 * dist/server/ become one-line re-exports of their bundles, so bin/granary.js and the worker pool
 * keep their paths. Kept outside: native addons. The rest of dist/ stays compiled per file (the derived cache hashes those files;
 * workers/boot.mjs and the SQL migrations are read from there).
 */
async function bundleEntries() {
  const outdir = join(dist, 'bundle');
  const entries = { granary: 'server/cli/granary.ts', 'worker-main': 'server/workers/worker-main.ts' };
  await build({
    entryPoints: Object.fromEntries(Object.entries(entries).map(([name, src]) => [name, join(root, src)])),
    outdir,
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    sourcemap: 'linked',
    minifyWhitespace: true,
    minifySyntax: true,
    logLevel: 'warning',
    external: ['onnxruntime-node', 'better-sqlite3', 'sharp', 'pg-native'],
    // CommonJS packages inside an ES module call require() for Node's built-ins; __granaryDir: see packageDirs
    banner: {
      js: "import { createRequire as __granaryRequire } from 'node:module'; import { dirname as __granaryDirname } from 'node:path'; import { fileURLToPath as __granaryPath } from 'node:url'; const require = __granaryRequire(import.meta.url); const __granaryDir = __granaryDirname(__granaryPath(import.meta.url));",
    },
    plugins: [moduleUrls(outdir), packageDirs(outdir)],
  });
  for (const [name, src] of Object.entries(entries)) {
    const compiled = join(dist, src.replace(/\.ts$/, '.js'));
    const rel = relative(dirname(compiled), join(outdir, `${name}.js`)).split('\\').join('/');
    writeFileSync(compiled, `// bundled: scripts/build-server.mjs\nexport * from '${rel}';\n`);
  }
}

/**
 * Inside a bundle `import.meta.url` is the URL of the bundle's file; every service module's own uses
 * (files beside it, its compiled sibling modules) get the URL of its compiled copy in dist/ instead.
 */
function moduleUrls(outdir) {
  return {
    name: 'module-urls',
    setup(b) {
      b.onLoad({ filter: /\.ts$/ }, (args) => {
        if (args.path.includes('/node_modules/')) return undefined;
        const text = readFileSync(args.path, 'utf8');
        if (!text.includes('import.meta.url')) return { contents: text, loader: 'ts' };
        const compiled = join(dist, relative(root, args.path)).replace(/\.ts$/, '.js');
        const rel = relative(outdir, compiled).split('\\').join('/');
        return { contents: text.replaceAll('import.meta.url', `new URL(${JSON.stringify(rel)}, import.meta.url).href`), loader: 'ts' };
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
