/**
 * Compression of API responses (@fastify/compress): Brotli or gzip, as the client accepts, for
 * JSON, GeoJSON, TopoJSON, problem details, CSV and text over 1 KiB. Image tiles are already
 * compressed and left alone; the dashboard's static files are compressed once at build time
 * (client/vite.config.ts) and served as they are (plugins/client.ts). Brotli runs at quality 5
 * on the fly: most of the gain of 11 at a small fraction of the CPU.
 *
 * Bodies up to 64 KiB (every JSON answer but the big collections) are compressed in one go and
 * sent with a Content-Length in one write, not streamed in chunks: cheaper, and a replica killed
 * mid-answer then leaves either no response (which nginx retries on another replica) or a whole
 * one, never a cut body after the headers went out, which no proxy can retry. 64 KiB of JSON is
 * about a millisecond of Brotli at quality 5 on the event loop; larger bodies keep streaming.
 *
 * Image tile routes and /healthz are registered with `compress: false`: nothing there to compress,
 * and the hook's checks on every reply are skipped (issue #17), among them one against Node's global
 * `Response`, whose first use loads Node's fetch (~20 ms): a fresh process's health check and first
 * tiles no longer pay for it (the warm-up loads it after listen: app.ts).
 */
import fp from 'fastify-plugin';
import compress from '@fastify/compress';
import { constants } from 'node:zlib';
import type { FastifyInstance } from 'fastify';

const COMPRESSIBLE = /^(application\/(json|geo\+json|problem\+json|vnd\.oai\.openapi\+json|schema\+json|topo\+json)|text\/(csv|plain|html|css|javascript))\b/;

export default fp(async function compression(app: FastifyInstance) {
  await app.register(compress, {
    global: true,
    threshold: 1024,
    syncThreshold: 64 * 1024,
    encodings: ['br', 'gzip'],
    customTypes: COMPRESSIBLE,
    brotliOptions: { params: { [constants.BROTLI_PARAM_QUALITY]: 5 } },
    zlibOptions: { level: 6 },
  });
}, { name: 'granary-compression' });
