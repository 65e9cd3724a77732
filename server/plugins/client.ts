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
  // the page's own data requests that depend on the server's configuration, preloaded with the page
  // (index.html preloads those at fixed addresses); at low priority, so they do not compete with the
  // script and the first map's requests (bench: first map 0.93x, choropleth 1.06x against high)
  app.addHook('onRequest', async (req, reply) => {
    const path = req.url.split('?')[0];
    if (req.method !== 'GET' || (path !== '/' && path !== '/index.html')) return;
    const links = dashboardPreloads(app, req.query as Record<string, unknown>);
    if (links.length) reply.header('Link', links.map((u) => `<${u}>; rel=preload; as=fetch; crossorigin=anonymous; fetchpriority=low`).join(', '));
  });
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

/**
 * The yield-gap table and the comparison with normal that the dashboard's choropleth and ranking
 * wait for, at the addresses client/src/main.ts asks for them: the page's crop (its `crop` parameter
 * when the server has that crop, else the default crop), the table of the default year (which also
 * tells the page its years) and the normals of the page's year (its `year` parameter when valid,
 * else the default year). Fetched while the page's script loads, not after it has run.
 */
export function dashboardPreloads(app: FastifyInstance, query: Record<string, unknown>): string[] {
  const regions = app.regions;
  if (!regions || regions.crops.length === 0) return [];
  const wanted = typeof query.crop === 'string' ? query.crop : '';
  const crop = regions.crops.includes(wanted) ? wanted : regions.defaultCrop || regions.crops[0]!;
  const [first, last] = regions.yearRange(crop);
  const y = typeof query.year === 'string' && /^\d{4}$/.test(query.year) ? Number(query.year) : NaN;
  const year = y >= first && y <= last ? y : regions.defaultYear;
  const c = encodeURIComponent(crop);
  return [`/api/yield-gap?crop=${c}`, `/api/normals?crop=${c}&year=${year}`];
}
