// Child-process bootstrap (forked by workers/pool.ts): registers the TypeScript loader (tsx) when
// the entry is a .ts module, then loads the entry given as the first argument.
// geotiff.js imports `web-worker`, which expects a global Worker (STACK-NOTES). We never use
// geotiff's own pool, so a stub is enough.
if (typeof globalThis.Worker === 'undefined') globalThis.Worker = class {};
const entry = process.argv[2];
if (!entry) throw new Error('boot.mjs: no entry module given');
if (entry.endsWith('.ts')) {
  const { register } = await import('tsx/esm/api');
  register();
}
await import(entry);
