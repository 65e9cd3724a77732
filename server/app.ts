/**
 * The Fastify application as a plugin factory: external plugins, then services (decorators), then
 * routes. No listen here: tests build the app and use inject(); server.ts is the process.
 */
import Fastify, { type FastifyInstance, type FastifyServerOptions, type FastifySchema, type HTTPMethods } from 'fastify';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import { isAbsolute, join, resolve } from 'node:path';
import { randomBytes } from 'node:crypto';
import { LOCKFILE, type Config } from './config.js';
import type { SceneCatalog } from './catalog/catalog.js';
import { createBackends, type Backends } from './store/backends.js';
import type { FieldReportStore } from './reports/store.js';
import { createJobQueue } from './jobs/index.js';
import { InProcessJobs } from './jobs/in-process.js';
import type { JobQueue } from './jobs/types.js';
import jobRoutes from './routes/jobs/index.js';
import { Gauge, Histogram } from 'prom-client';
import { WorkerPool } from './workers/pool.js';
import { ColormapRegistry } from './render/colormaps.js';
import { TileCache } from './plugins/tile-cache.js';
import { Metrics } from './plugins/metrics.js';
import { registerProblemHandlers } from './plugins/problem.js';
import protection, { frameworkErrors } from './plugins/protection.js';
import { isRemote, type SourcePolicy } from './raster/source.js';
import { sourcePolicy } from './raster/source-policy.js';
import { Problem } from './contract/common.js';
import tileRoutes from './routes/tiles/index.js';
import sceneRoutes from './routes/scenes/index.js';
import colormapRoutes from './routes/colormaps/index.js';
import serviceRoutes from './routes/service/index.js';
import clientPlugin from './plugins/client.js';
import compression from './plugins/compression.js';
import boundaryRoutes from './routes/boundaries/index.js';
import normalsRoutes from './routes/normals/index.js';
import exchangeRateRoutes from './routes/exchange-rates/index.js';
import regionsPlugin from './plugins/regions.js';
import footprintPlugin from './plugins/footprint.js';
import footprintRoutes from './routes/footprint/index.js';
import regionRoutes from './routes/regions/index.js';
import zonalRoutes from './routes/regions/zonal.js';
import ogcRoutes from './routes/collections/index.js';
import layerRoutes from './routes/layers/index.js';
import regionLookup from './plugins/region-lookup.js';
import uncertainPlacesPlugin from './plugins/uncertain-places.js';
import layersPlugin from './plugins/layers.js';
import cropRoutes from './routes/crops/index.js';
import pointRoutes from './routes/point/index.js';
import reportsRoutes from './routes/reports/index.js';
import labelAuditRoutes from './routes/reports/audit.js';
import uncertaintyRoutes from './routes/uncertainty/index.js';
import phenologyRoutes from './routes/phenology/index.js';
import weatherRoutes from './routes/weather/index.js';
import alertRoutes from './routes/alerts/index.js';
import suitabilityRoutes from './routes/suitability/index.js';
import outlookRoutes from './routes/outlook/index.js';
import policyImpactRoutes from './routes/policy-impact/index.js';
import { ModelRegistry } from './inference/registry.js';
import { ModelCheckMemo } from './inference/check-memo.js';
import { codeIdentity } from './util/code-identity.js';
import { primeCropTiles, primeTiles } from './services/prime-tiles.js';
import { workerInit } from './workers/worker-init.js';
import { LANES, type TaskMap } from './workers/tasks.js';
import { siblingModule } from './sibling-module.js';
import warmupPlugin, { unlessAborted } from './plugins/warmup.js';
import { lazySchemaCompilers, type SchemaCodeOptions } from './plugins/lazy-schemas.js';
import { warmCropTile, WARMUP_POOL_WAIT_MS } from './plugins/warm-crop-tile.js';
import { addDashboardWarmup } from './plugins/warm-dashboard.js';
import { jsonDepthExceeds, MAX_JSON_DEPTH } from './util/json-depth.js';
import { badRequest } from './errors.js';
import { closeOnlyIdleSockets } from './plugins/idle-sockets.js';

declare module 'fastify' {
  interface FastifyInstance {
    config: Config;
    catalog: SceneCatalog;
    /** field reports: SQLite (embedded) or PostGIS (cluster) */
    reports: FieldReportStore;
    backends: Backends;
    /** crop-map jobs: in-process (embedded) or BullMQ (cluster) */
    jobs: JobQueue;
    models: ModelRegistry;
    pool: WorkerPool<TaskMap>;
    colormaps: ColormapRegistry;
    tileCache: TileCache;
    metrics: Metrics;
    policy: SourcePolicy;
    readiness: { ok: boolean; waitingFor: string[] };
    resolveDataHref(href: string): string;
    /** every route as registered (method, URL, schema): the contract test walks it */
    routeTable: ReadonlyArray<RouteEntry>;
  }
}

export interface RouteEntry {
  method: HTTPMethods | HTTPMethods[];
  url: string;
  schema: FastifySchema | undefined;
}

export interface BuildOptions {
  logger?: FastifyServerOptions['logger'];
  /**
   * Compile route schemas on first use and in the background after listen (plugins/lazy-schemas.ts)
   * instead of before listening: the server process sets it; tests keep the eager default so a
   * schema that does not compile fails at build.
   */
  lazySchemas?: boolean;
  /**
   * Route schemas' code from the build (plugins/schema-code.ts): `read` with lazySchemas (the
   * server process), `write` to compile every schema now and store its code (the build)
   */
  schemaCode?: SchemaCodeOptions;
  /**
   * Load the regions configuration after listening (plugins/regions.ts): the server process sets it;
   * tests keep the eager default so a configuration that does not load fails at build.
   */
  deferRegions?: boolean;
  /** tests only: modules whose `tasks` table is added to every worker process (see WorkerPool) */
  extraWorkerTasks?: URL[];
}

/** Routes a fresh process is asked first (load balancers' health checks, a map's first tiles): schemas compiled before listening. */
const HOT_ROUTES = /^(validate GET \/tiles\/:sceneId\/(crops\/)?:z\/:x\/:y (params|querystring)|serialize GET \/(healthz|readyz) 200)$/;

const REQUEST_ID = /^[A-Za-z0-9._:@\/+=-]{1,128}$/;

/** A caller-supplied request id if it is a plain token of at most 128 characters, else a fresh one. */
function requestId(header: string | string[] | undefined): string {
  return typeof header === 'string' && REQUEST_ID.test(header) ? header : randomBytes(8).toString('hex');
}

/** The `n` nearest hops are trusted (what Fastify does with a number, which its types do not accept). */
const hops = (n: number) => (_addr: string, i: number) => i < n;

// the policy lives in a small module of its own so the CLI commands need not load the app
export { sourcePolicy };

export async function buildApp(config: Config, opts: BuildOptions = {}): Promise<FastifyInstance> {
  const pendingSchemas: Array<{ what: string; compile: () => void }> = [];
  const app = Fastify({
    ...(opts.lazySchemas || opts.schemaCode?.write ? { schemaController: { compilersFactory: lazySchemaCompilers((what, compile) => void pendingSchemas.push({ what, compile }), opts.schemaCode) } } : {}),
    logger: opts.logger ?? false,
    bodyLimit: 2 * 1024 * 1024,
    requestTimeout: config.requestTimeoutMs,
    connectionTimeout: config.connectionTimeoutMs,
    frameworkErrors,
    // the caller's (or nginx's) X-Request-Id when it is a plain token, else a new one: it goes into
    // logs and job records, so no newlines, quotes or kilobytes from the outside
    requestIdHeader: false,
    genReqId: (req) => requestId(req.headers['x-request-id']),
    // behind nginx: X-Forwarded-For from these peers names the client (rate limits, logs); default off
    trustProxy: typeof config.trustProxy === 'number' ? hops(config.trustProxy) : config.trustProxy,
    ajv: { customOptions: { coerceTypes: 'array', allErrors: false, removeAdditional: false } },
  });
  closeOnlyIdleSockets(app, config.connectionTimeoutMs);
  const routeTable: RouteEntry[] = [];
  app.decorate('routeTable', routeTable);
  app.addHook('onRoute', (r) => void routeTable.push({ method: r.method, url: r.url, schema: r.schema }));
  // first: rate limit, pressure gate, security headers and CORS apply to every route registered after
  await app.register(protection, { config });
  // after-listen work (schemas, memoised rows, model session) runs while no request is in flight
  await app.register(warmupPlugin);
  app.warmup.add('route schemas', () => {
    for (const p of pendingSchemas.splice(0)) app.warmup.add(p.what, p.compile);
  });

  // responses of every route registered after this are compressed when the client accepts it
  await app.register(compression);

  await app.register(swagger, {
    openapi: {
      openapi: '3.0.3',
      info: { title: 'Granary API', version: '0.1.0', description: 'Satellite-enabled food security service: imagery tiles, crop maps, yield gaps, OGC API - Features. Errors are application/problem+json (RFC 9457).' },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
    },
  });
  await app.register(swaggerUi, { routePrefix: '/docs' });
  app.addSchema(Problem);
  registerProblemHandlers(app);

  const policy = sourcePolicy(config);
  const init = workerInit(config);
  const pool = new WorkerPool<TaskMap>({
    size: config.workers,
    bulkSize: config.bulkWorkers,
    queueLimit: config.queueLimit,
    bulkQueueLimit: config.bulkQueueLimit,
    bulkCpuMsPerClientMinute: config.bulkCpuSecondsPerMinute * 1000,
    taskTimeoutMs: config.taskTimeoutMs,
    heapMb: config.workerHeapMb,
    entry: siblingModule('./workers/worker-main.ts', import.meta.url),
    init,
    lanes: LANES,
    ...(opts.extraWorkerTasks ? { extraTaskModules: opts.extraWorkerTasks } : {}),
  });
  app.decorate('config', config);
  app.decorate('policy', policy);
  const backends = await createBackends(config, (msg) => app.log.info(msg));
  // the catalog is read (the file catalog's first load is synchronous, in createBackends)
  const catalogRead = backends.catalog.refresh().then(
    () => null,
    (e: unknown) => e,
  );
  // then every worker renders its scenes' first tiles and crop tiles before its first request
  // (services/prime-tiles.ts): the first worker does it while this process registers its routes,
  // before it answers the ping, unless `granary serve` forked it early with its own priming (then
  // what is set here is for the workers started later)
  const primingSet = catalogRead.then(async (e) => {
    if (e || (config.primeBudgetMs <= 0 && config.primeCropMs <= 0)) return;
    const scenes = await backends.catalog.list();
    const model = config.primeCropMs > 0 ? await app.models.peekDefault().catch(() => null) : null;
    pool.prime('prime-tiles', { ...primeTiles(scenes, app.colormaps), crops: model ? primeCropTiles(scenes, model) : [], budgetMs: config.primeBudgetMs, cropBudgetMs: config.primeCropMs });
  }).catch((e: unknown) => app.log.warn({ err: e }, 'worker priming not set: workers start cold'));
  app.decorate('backends', backends);
  app.decorate('catalog', backends.catalog);
  app.decorate('reports', backends.reports);
  app.decorate('pool', pool);
  // a model's check against its ONNX file is remembered across processes (inference/check-memo.ts)
  const checkMemo = new ModelCheckMemo(join(config.dataDir, 'cache', 'derived', 'model-checks.json'), codeIdentity([siblingModule('./inference/onnx-session.ts', import.meta.url), siblingModule('../models/contract/model-card.ts', import.meta.url)], LOCKFILE));
  app.decorate('models', new ModelRegistry(config.modelsDir, async (entry) => void (await pool.run('check-model', entry.session)), checkMemo));
  app.decorate('colormaps', new ColormapRegistry());
  app.decorate('tileCache', new TileCache(config.tileCacheMb * 1024 * 1024));
  app.decorate('metrics', new Metrics());
  app.decorate('readiness', { ok: false, waitingFor: ['catalog', 'workers'] });
  app.decorate('resolveDataHref', (href: string) => (isRemote(href) || isAbsolute(href) ? href : resolve(config.dataDir, href)));

  app.addHook('preValidation', async (req) => {
    if (req.body !== null && typeof req.body === 'object' && jsonDepthExceeds(req.body, MAX_JSON_DEPTH)) {
      throw badRequest(`the JSON body nests deeper than ${MAX_JSON_DEPTH} levels`);
    }
  });
  app.addHook('onResponse', async (req, reply) => {
    const route = req.routeOptions.url ?? 'unmatched';
    app.metrics.requests.inc({ route, method: req.method, status: String(reply.statusCode) });
    app.metrics.latency.observe({ route }, reply.elapsedTime / 1000);
  });
  const jobs = await createJobQueue({ config, catalog: backends.catalog, models: app.models, pool }, backends, app.log);
  app.decorate('jobs', jobs);
  new Gauge({ name: 'granary_job_queue_depth', help: 'Crop-map jobs queued or running', registers: [app.metrics.registry], collect: async function (this: Gauge) { this.set(await jobs.depth().catch(() => NaN)); } });
  const jobSeconds = new Histogram({ name: 'granary_job_duration_seconds', help: 'In-process crop-map jobs from start to publication', labelNames: ['state'], buckets: [1, 5, 10, 30, 60, 120, 300, 900, 3600], registers: [app.metrics.registry] });
  if (jobs instanceof InProcessJobs) jobs.onFinished = (v, seconds) => jobSeconds.observe({ state: v.state }, seconds);
  app.addHook('onClose', async () => {
    await jobs.close();
    await pool.close();
    await backends.close();
  });

  await app.register(regionsPlugin, { defer: opts.deferRegions ?? false });
  await app.register(footprintPlugin);
  await app.register(regionLookup);
  await app.register(uncertainPlacesPlugin);
  await app.register(layersPlugin);

  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());
  await app.register(serviceRoutes);
  await app.register(jobRoutes);
  await app.register(sceneRoutes);
  await app.register(tileRoutes);
  await app.register(colormapRoutes);
  await app.register(cropRoutes);
  await app.register(pointRoutes);
  // data-centric loop (docs/data-centric.md): field reports (decorates app.reports, used by the collections), label audit, uncertainty
  await app.register(reportsRoutes);
  await app.register(labelAuditRoutes);
  await app.register(uncertaintyRoutes);
  await app.register(regionRoutes);
  await app.register(zonalRoutes);
  await app.register(boundaryRoutes);
  await app.register(normalsRoutes);
  await app.register(exchangeRateRoutes);
  await app.register(ogcRoutes, { base: '' });
  await app.register(ogcRoutes, { base: '/ogc' });
  await app.register(layerRoutes);
  await app.register(footprintRoutes);
  await app.register(phenologyRoutes);
  await app.register(weatherRoutes);
  await app.register(alertRoutes);
  await app.register(suitabilityRoutes);
  await app.register(outlookRoutes);
  await app.register(policyImpactRoutes);
  await app.register(clientPlugin);

  app.addHook('onReady', async () => {
    // the server is built: the first worker stops priming once it has its minimum (the centre tile
    // of every data scene; workers/worker-main.ts), so healthy waits for no more than that
    pool.stopPriming();
    // healthy = the catalog is read and a worker answers (both at once); a model is checked (an ONNX
    // session in a worker, unless a pass is remembered: inference/check-memo.ts) when first asked
    // for, and every model by the warm-up after listen: an imagery request never waits for that
    const waiting = Promise.all([
      catalogRead.then((e) => {
        if (e) throw e;
        app.readiness.waitingFor = app.readiness.waitingFor.filter((w) => w !== 'catalog');
      }),
      // after the priming is set: the ping then queues behind the first worker's priming (healthy =
      // primed); an early-primed worker runs its priming already
      (pool.primedEarly ? catalogRead : primingSet).then(() => pool.run('ping', null)).then(() => (app.readiness.waitingFor = app.readiness.waitingFor.filter((w) => w !== 'workers'))),
    ]);
    // While the worker starts (and primes), this process does now what the first requests would
    // otherwise pay: the schemas of the routes a fresh process is asked first (health, tiles), read
    // from the build's store (plugins/schema-code.ts) or compiled; the others are made by the warm-up
    // after listen (lazy-schemas.ts).
    for (const p of pendingSchemas.filter((x) => HOT_ROUTES.test(x.what))) p.compile();
    await waiting;
    app.readiness.ok = app.readiness.waitingFor.length === 0;
  });
  // first in the warm-up: what a user's first crop tile would otherwise wait for
  app.warmup.add('first crop tile', (signal) => warmCropTile(app, signal), { first: true });
  // before it: what a new visitor's first map and choropleth wait for (plugins/warm-dashboard.ts)
  addDashboardWarmup(app, { first: true });
  // first of all, once every worker is up (the pool starts the second when the first is ready): a
  // warm-up task on the only worker there is would make the first imagery tile wait for it, and the
  // steps after this one run after it (one step at a time)
  // (bounded: a worker that cannot start must not hold the warm-up back for good)
  app.warmup.add('models', async (signal) => (await unlessAborted(pool.ready(WARMUP_POOL_WAIT_MS), signal), app.models.list()), { first: true });
  // first of all: Node loads its fetch classes (undici, ~20 ms) on the first use of the global
  // `Response`, which @fastify/compress checks on every reply of the routes it compresses
  app.warmup.add('fetch classes', () => void globalThis.Response, { first: true });
  return app;
}
