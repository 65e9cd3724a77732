/** Health and metrics. */
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';

export default async function serviceRoutes(app: FastifyInstance) {
  app.get('/healthz', {
    schema: { tags: ['service'], summary: '200 once models and catalog are loaded, 503 before', response: { 200: Type.Object({ status: Type.Literal('ok') }, { additionalProperties: true }), 503: Type.Object({ status: Type.String() }, { additionalProperties: true }) } },
  }, async (_req, reply) => {
    if (!app.readiness.ok) return reply.code(503).send({ status: 'starting', waitingFor: app.readiness.waitingFor });
    const scenes = await app.catalog.list();
    return { status: 'ok', scenes: scenes.length, catalogProblems: app.catalog.problems };
  });

  app.get('/metrics', { schema: { tags: ['service'], summary: 'Prometheus metrics', hide: false } }, async (_req, reply) => {
    const s = app.pool.stats;
    for (const [k, v] of Object.entries(s.cpuMsByKind)) app.metrics.workerCpu.set({ kind: k }, v / 1000);
    app.metrics.pool.set({ state: 'workers' }, s.workers);
    app.metrics.pool.set({ state: 'queued' }, s.queued);
    app.metrics.pool.set({ state: 'inflight' }, s.inflight);
    app.metrics.pool.set({ state: 'completed' }, s.completed);
    app.metrics.pool.set({ state: 'failed' }, s.failed);
    app.metrics.pool.set({ state: 'rejected' }, s.rejected);
    app.metrics.pool.set({ state: 'restarts' }, s.restarts);
    app.metrics.pool.set({ state: 'tile_cache_bytes' }, app.tileCache.bytes);
    return reply.type(app.metrics.registry.contentType).send(await app.metrics.registry.metrics());
  });
}
