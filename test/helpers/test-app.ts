/**
 * Builds a Granary app for tests on a temporary data directory (never listens: use app.inject()).
 *
 *   const t = await createTestApp({ scenes: [SINOP, LANDSAT] });
 *   const res = await t.app.inject({ url: '/tiles/sinop/12/1416/2181.tif' });
 *   ...
 *   await t.close(); // in afterAll: closes the app (and its worker pool) and removes the directory
 *
 * Scenes are registered the way `granary scenes add` does it: `inspectScene` on the files, then
 * `Catalog.save` into `<tmp>/catalog`. Reading is allowed from the repository's fixtures/ and
 * test/fixtures/ (GRANARY_READ_DIRS) and from the temporary directory itself.
 *
 * Two modes, one suite: with GRANARY_TEST_MODE=cluster (the `cluster` vitest project) every app gets
 * a fresh PostgreSQL/PostGIS database and a private Redis (test/cluster/support.ts) and one
 * `granary worker` in this process, so the same API tests run against the cluster implementations
 * (catalog in PostgreSQL, imported from the file catalog at start; reports in PostGIS; crop-map jobs
 * on BullMQ). A test may pass `env` with its own GRANARY_DATABASE_URL to opt out.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { buildApp, sourcePolicy, type BuildOptions } from '../../server/app.js';
import { loadConfig, type Config } from '../../server/config.js';
import { Catalog } from '../../server/catalog/catalog.js';
import { inspectScene, type AddSceneOptions } from '../../server/catalog/inspect.js';
import { checkContract } from './contract.js';
import { startWorker, type RunningWorker } from '../../server/jobs/worker.js';
import { createDatabase, startRedis, type TestDatabase, type TestRedis } from '../cluster/support.js';
import { pino } from 'pino';

/** embedded (default) or cluster (GRANARY_TEST_MODE=cluster) */
export const TEST_MODE: 'embedded' | 'cluster' = process.env['GRANARY_TEST_MODE'] === 'cluster' ? 'cluster' : 'embedded';

export const REPO = resolve(import.meta.dirname, '../..');
export const FIXTURES = join(REPO, 'fixtures');
export const TEST_FIXTURES = join(REPO, 'test/fixtures');

export const SINOP_NDVI = join(FIXTURES, 'imagery/sinop/sinop_mod13q1_ndvi_2013-09-14_2014-08-29_cog.tif');
export const SINOP_EVI = join(FIXTURES, 'imagery/sinop/sinop_mod13q1_evi_2013-09-14_2014-08-29_cog.tif');
const LANDSAT = join(FIXTURES, 'imagery/generic/rasterio_RGB.byte_landsat7_utm18n_cog.tif');
export const IPIRANGA = (v: string) => join(FIXTURES, `imagery/ipiranga/lucc_mt_mod13q1_${v}_2007-09-14_2013-08-29_cog.tif`);

export interface SceneSpec {
  id: string;
  /** absolute paths */
  hrefs: string[];
  options?: Omit<AddSceneOptions, 'id'>;
}

/** The bundled scenes, registered from their files as the bundled catalog describes them. */
export const SINOP: SceneSpec = { id: 'sinop', hrefs: [SINOP_NDVI, SINOP_EVI], options: { scale: 0.0001, title: 'Sinop NDVI+EVI' } };
export const LANDSAT_BAHAMAS: SceneSpec = { id: 'landsat-bahamas', hrefs: [LANDSAT], options: { title: 'Bahamas Landsat 7 RGB' } };
export const IPIRANGA_SCENE: SceneSpec = { id: 'ipiranga', hrefs: ['ndvi', 'evi', 'blue', 'red', 'nir', 'mir'].map(IPIRANGA), options: { title: 'Ipiranga do Norte' } };

interface TestAppOptions {
  scenes?: SceneSpec[];
  /** extra environment for loadConfig (e.g. GRANARY_TOKEN) */
  env?: Record<string, string>;
  /** runs after the scenes are registered and before the app is built (e.g. to write data products) */
  setup?: (ctx: { dataDir: string; config: Config; catalog: Catalog }) => Promise<void>;
  /** buildApp options (e.g. lazySchemas, as the server process builds it) */
  build?: BuildOptions;
}

export interface TestApp {
  app: FastifyInstance;
  config: Config;
  dataDir: string;
  catalog: Catalog;
  /** registers one more scene while the app runs (the catalog notices the directory change) */
  addScene(spec: SceneSpec): Promise<void>;
  close(): Promise<void>;
}

export async function createTestApp(opts: TestAppOptions = {}): Promise<TestApp> {
  const dataDir = await mkdtemp(join(tmpdir(), 'granary-test-'));
  let db: TestDatabase | null = null;
  let redis: TestRedis | null = null;
  let worker: RunningWorker | null = null;
  const clusterEnv: Record<string, string> = {};
  if (TEST_MODE === 'cluster' && !opts.env?.['GRANARY_DATABASE_URL']) {
    db = await createDatabase();
    redis = await startRedis();
    clusterEnv['GRANARY_DATABASE_URL'] = db.url;
    clusterEnv['GRANARY_REDIS_URL'] = redis.url;
  }
  const teardown = async () => {
    await worker?.close();
    await redis?.stop();
    await db?.drop();
    await rm(dataDir, { recursive: true, force: true });
  };
  const config = loadConfig({
    GRANARY_DATA_DIR: dataDir,
    GRANARY_READ_DIRS: `${FIXTURES},${TEST_FIXTURES}`,
    GRANARY_WORKERS: '1',
    GRANARY_LOG_LEVEL: 'silent',
    // inject() runs client and server on one event loop, so a busy test process would close the
    // event-loop pressure gate; test/hardening/protection.test.ts turns it on to test it
    GRANARY_MAX_EVENT_LOOP_DELAY_MS: '0',
    // no priming of the workers (tiles rendered before the first request) unless a test asks for it:
    // tests count the pool's tasks and time tiles against each other
    GRANARY_PRIME_MS: '0',
    GRANARY_PRIME_CROP_MS: '0',
    GRANARY_CLASSIFIED_CACHE_MB: '0',
    ...clusterEnv,
    ...opts.env,
  });
  const policy = sourcePolicy(config);
  const catalog = new Catalog(join(dataDir, 'catalog'));
  let app: FastifyInstance | null = null;
  const addScene = async (spec: SceneSpec) => {
    const item = await inspectScene(spec.hrefs, { id: spec.id, ...spec.options }, policy, catalog.dir);
    // before the app starts: into the file catalog (a cluster app imports it at start); after: through the app's own catalog
    if (app && config.databaseUrl) await app.catalog.save(item, { replace: true });
    else await catalog.save(item, { replace: true });
  };
  try {
    for (const s of opts.scenes ?? []) await addScene(s);
    await opts.setup?.({ dataDir, config, catalog });
    app = checkContract(await buildApp(config, opts.build));
    await app.ready();
    if (config.databaseUrl && config.redisUrl) worker = await startWorker(loadConfig({ ...process.env, GRANARY_DATA_DIR: dataDir, GRANARY_READ_DIRS: config.readOnlyDirs.join(','), GRANARY_WORKERS: '1', PORT: '0', ...clusterEnv, ...opts.env }), { logger: pino({ level: 'silent' }) });
  } catch (e) {
    if (app) await app.close();
    await teardown();
    throw e;
  }
  const built = app;
  return {
    app: built,
    config,
    dataDir,
    catalog,
    addScene,
    async close() {
      await built.close();
      await teardown();
    },
  };
}
