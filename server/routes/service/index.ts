/** Health and metrics. */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Health, MetricsText, NotReady, Ready, Starting } from '../../contract/service.js';

const serviceRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get('/healthz', {
    compress: false, // a few hundred bytes, asked every few seconds (plugins/compression.ts)
    schema: { tags: ['service'], summary: '200 once the catalog is read and a worker answers, 503 before (models are checked right after; a crop request waits for that)', response: { 200: Health, 503: Starting } },
  }, async (_req, reply) => {
    if (!app.readiness.ok) return reply.code(503).send({ status: 'starting', waitingFor: app.readiness.waitingFor });
    const scenes = await app.catalog.list();
    // queue wait per lane: a load balancer can see interactive work starving
    return { status: 'ok' as const, scenes: scenes.length, catalogProblems: app.catalog.problems, queues: app.pool.laneStats() };
  });

  // readiness for a load balancer: every backing service answers (database, Redis when configured, catalog)
  app.get('/readyz', {
    schema: {
      tags: ['service'],
      summary: '200 when every backing service (database, Redis, catalog) answers, 503 naming the ones that do not',
      response: { 200: Ready, 503: NotReady },
    },
  }, async (_req, reply) => {
    const checks = { ...(await app.backends.checks()), ...(await app.jobs.checks()) };
    if (!app.readiness.ok) checks['startup'] = { ok: false, ms: 0, detail: `waiting for ${app.readiness.waitingFor.join(', ')}` };
    const failing = Object.entries(checks).filter(([, c]) => !c.ok).map(([k]) => k);
    const base = { mode: app.backends.mode, instance: app.config.instanceName, checks };
    if (failing.length > 0) return reply.code(503).header('Retry-After', '5').send({ status: 'unavailable' as const, failing, ...base });
    return { status: 'ready' as const, ...base };
  });

  app.get('/metrics', { schema: { tags: ['service'], summary: 'Prometheus metrics', response: { 200: MetricsText } } }, async (_req, reply) => {
    const s = app.pool.stats;
    for (const [k, v] of Object.entries(s.cpuMsByKind)) app.metrics.workerCpu.set({ kind: k }, v / 1000);
    app.metrics.pool.set({ state: 'workers' }, s.workers);
    app.metrics.pool.set({ state: 'queued' }, s.queued);
    app.metrics.pool.set({ state: 'inflight' }, s.inflight);
    app.metrics.pool.set({ state: 'completed' }, s.completed);
    app.metrics.pool.set({ state: 'failed' }, s.failed);
    app.metrics.pool.set({ state: 'rejected' }, s.rejected);
    app.metrics.pool.set({ state: 'restarts' }, s.restarts);
    app.metrics.pool.set({ state: 'cancelled' }, s.cancelled);
    for (const [lane, l] of Object.entries(app.pool.laneStats())) {
      app.metrics.pool.set({ state: `${lane}_queued` }, l.queued);
      app.metrics.pool.set({ state: `${lane}_oldest_wait_ms` }, l.oldestWaitMs);
      app.metrics.pool.set({ state: `${lane}_wait_p95_ms` }, l.waitP95Ms);
    }
    app.metrics.pool.set({ state: 'tile_cache_bytes' }, app.tileCache.bytes);
    return reply.type(app.metrics.registry.contentType).send(await app.metrics.registry.metrics());
  });
};

export default serviceRoutes;
