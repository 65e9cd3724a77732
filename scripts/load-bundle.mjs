// Loads a process's bundle (dist/bundle/granary.cjs, the CLI and server, or worker-main.cjs, the worker
// child: each one CommonJS file, scripts/build-server.mjs) with
// V8's code cache: the compiled code of the bundle, made once by the build (`writeCodeCache` after a
// start of the server, so it holds every function a start runs), is handed back to V8, which then
// neither parses nor compiles what a start needs. Node 22 does this itself (module.enableCompileCache);
// Node 20, which this project supports, has only vm.Script's cachedData, hence this file. About 100 ms
// of a ~600 ms start (README, performance: start-up). The cache is used only when its sidecar names
// this very bundle (size and modification time): V8's own check is the source length, which two
// builds can share. A missing or rejected cache only costs the compile.
import { isAscii } from 'node:buffer';
import { readFileSync, statSync, writeFileSync, renameSync } from 'node:fs';
import Module, { createRequire } from 'node:module';
import { dirname } from 'node:path';
import vm from 'node:vm';

const identity = (file) => {
  const s = statSync(file);
  return `${s.size}:${s.mtimeMs}`;
};

let loaded = null;

// import() for the bundle (server/util/import-module.ts): made here, in an ES module, because code
// that V8 reads back from the cache cannot call import() itself on Node 20
globalThis.__granaryImport = (specifier) => import(specifier);

// import() inside the bundle (an external package loaded lazily: onnxruntime-node, the cluster's
// migration files) goes through Node's own loader (vm.constants.USE_MAIN_CONTEXT_DEFAULT_LOADER),
// which Node 20 flags as experimental once per process; the same import() in an ES module is not
// experimental, so that one warning says nothing to the operator and is not shown
const emitWarning = process.emitWarning;
process.emitWarning = function (warning, ...rest) {
  if (String(warning).includes('USE_MAIN_CONTEXT_DEFAULT_LOADER')) return;
  return emitWarning.call(process, warning, ...rest);
};

/**
 * The bundle's text. The build keeps it ASCII (esbuild escapes the rest; licence comments are in a
 * file beside it), and ASCII read as Latin-1 is the same text without the UTF-8 decoder: ~2 ms
 * instead of ~13 for granary.cjs's 6.8 MB. Anything else is decoded as UTF-8.
 */
function readSource(file) {
  const bytes = readFileSync(file);
  return isAscii(bytes) ? bytes.toString('latin1') : bytes.toString('utf8');
}

/** The bundle's exports; `cache.used` tells whether V8 took the cached code. */
export function loadBundle(file) {
  const cacheFile = `${file}.v8cache`;
  let cachedData;
  try {
    if (readFileSync(`${cacheFile}.id`, 'utf8') === identity(file)) cachedData = readFileSync(cacheFile);
  } catch {
    /* no cache: compiled from source */
  }
  const script = new vm.Script(Module.wrap(readSource(file)), {
    filename: file,
    ...(cachedData ? { cachedData } : {}),
    importModuleDynamically: vm.constants.USE_MAIN_CONTEXT_DEFAULT_LOADER,
  });
  const mod = new Module(file, null);
  mod.filename = file;
  mod.paths = Module._nodeModulePaths(dirname(file));
  script.runInThisContext().call(mod.exports, mod.exports, createRequire(file), mod, file, dirname(file));
  mod.loaded = true;
  loaded = { file, script };
  // build time only (scripts/build-server.mjs starts the server once with it): a process that loaded
  // a bundle writes its cache once it has run a while (worker children: after priming their tiles)
  const after = Number(process.env.GRANARY_WRITE_CODE_CACHE_AFTER_MS);
  if (after > 0) setTimeout(() => writeCodeCache(), after).unref();
  return { exports: mod.exports, cache: { used: cachedData !== undefined && !script.cachedDataRejected } };
}

/** Writes the code cache of the bundle loaded by this process (with the functions run so far). */
export function writeCodeCache() {
  if (!loaded) throw new Error('load-bundle: no bundle loaded');
  const cacheFile = `${loaded.file}.v8cache`;
  writeFileSync(`${cacheFile}.tmp`, loaded.script.createCachedData());
  renameSync(`${cacheFile}.tmp`, cacheFile);
  writeFileSync(`${cacheFile}.id`, identity(loaded.file));
}
