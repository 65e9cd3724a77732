/**
 * Serves the built dashboard (client/dist) at /. Placeholder until the client is built. The build
 * writes Brotli and gzip copies of every text asset (client/vite.config.ts); they are sent as they
 * are to clients that accept them (`preCompressed`), with `Vary: Accept-Encoding`. Hashed assets
 * are immutable; index.html is revalidated.
 */
import type { FastifyInstance } from 'fastify';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import fastifyStatic from '@fastify/static';
import { PACKAGE_ROOT } from '../config.js';

export default async function clientPlugin(app: FastifyInstance) {
  const dist = resolve(PACKAGE_ROOT, 'client', 'dist');
  if (!existsSync(resolve(dist, 'index.html'))) {
    app.get('/', { schema: { hide: true } }, async (_req, reply) =>
      reply.type('text/html').send('<!doctype html><title>Granary</title><p>The dashboard is not built: run <code>npm run build:client</code>. API docs: <a href="/docs">/docs</a></p>'),
    );
    return;
  }
  await app.register(fastifyStatic, {
    root: dist,
    prefix: '/',
    index: ['index.html'],
    wildcard: false,
    preCompressed: true,
    setHeaders: (res, path) => {
      res.setHeader('Vary', 'Accept-Encoding');
      if (path.endsWith('.html')) res.setHeader('Cache-Control', 'no-cache');
      if (path.endsWith('.mjs') || path.endsWith('.js')) res.setHeader('Content-Type', 'text/javascript; charset=utf-8');
      if (/\/assets\//.test(path)) res.setHeader('Cache-Control', 'public, max-age=31536000, immutable');
    },
  });
}
