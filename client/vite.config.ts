/**
 * Vite build of the Granary dashboard: client/ -> client/dist/, served by the Fastify service at /.
 * Everything the page needs is emitted here (no CDN, web fonts or remote basemaps), including
 * MapLibre's worker, which Vite does not emit on its own (see src/map/map.ts).
 */
import { defineConfig } from 'vite';
// the directory of this file, so `vite build --config client/vite.config.ts` works from the repo root
const root = decodeURIComponent(new URL('.', import.meta.url).pathname);

export default defineConfig({
  root,
  base: '/',
  publicDir: false,
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
