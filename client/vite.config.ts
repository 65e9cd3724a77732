/**
 * Vite build of the Granary dashboard: client/ -> client/dist/, served by the Fastify service at /.
 * Everything the page needs is emitted here (no CDN, web fonts or remote basemaps), including
 * MapLibre's worker, which Vite does not emit on its own (see src/map/map.ts).
 */
import { defineConfig, type Plugin } from 'vite';
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';

/**
 * Writes `<file>.br` (Brotli, quality 11) and `<file>.gz` (gzip -9) beside every text asset of the
 * build, once, so the server sends them as they are (@fastify/static `preCompressed`) and never
 * compresses the 1 MB script per request. A file whose compressed form is not smaller is skipped.
 */
function precompress(): Plugin {
  return {
    name: 'granary-precompress',
    apply: 'build',
    closeBundle() {
      const walk = (dir: string): string[] => readdirSync(dir).flatMap((f) => (statSync(join(dir, f)).isDirectory() ? walk(join(dir, f)) : [join(dir, f)]));
      for (const file of walk(join(root, 'dist')).filter((f) => /\.(m?js|css|html|svg|json|txt)$/.test(f))) {
        const buf = readFileSync(file);
        if (buf.length < 1024) continue;
        const br = brotliCompressSync(buf, { params: { [constants.BROTLI_PARAM_QUALITY]: 11, [constants.BROTLI_PARAM_SIZE_HINT]: buf.length } });
        const gz = gzipSync(buf, { level: 9 });
        if (br.length < buf.length) writeFileSync(`${file}.br`, br);
        if (gz.length < buf.length) writeFileSync(`${file}.gz`, gz);
      }
    },
  };
}
// the directory of this file, so `vite build --config client/vite.config.ts` works from the repo root
const root = decodeURIComponent(new URL('.', import.meta.url).pathname);

export default defineConfig({
  root,
  base: '/',
  publicDir: false,
  plugins: [precompress()],
  logLevel: 'warn',
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    sourcemap: false,
    chunkSizeWarningLimit: 1500,
    assetsInlineLimit: 0,
  },
  server: {
    // `npx vite --config client/vite.config.ts` for development against a running Granary
    proxy: { '/api': 'http://127.0.0.1:8080', '/tiles': 'http://127.0.0.1:8080', '/collections': 'http://127.0.0.1:8080' },
  },
});
