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
  const config = loadConfig({
    GRANARY_DATA_DIR: dataDir,
    GRANARY_READ_DIRS: `${FIXTURES},${TEST_FIXTURES}`,
    GRANARY_WORKERS: '1',
    GRANARY_LOG_LEVEL: 'silent',
    // inject() runs client and server on one event loop, so a busy test process would close the
    // event-loop pressure gate; test/hardening/protection.test.ts turns it on to test it
    GRANARY_MAX_EVENT_LOOP_DELAY_MS: '0',
    ...opts.env,
  });
  const policy = sourcePolicy(config);
  const catalog = new Catalog(join(dataDir, 'catalog'));
  const addScene = async (spec: SceneSpec) => {
    const item = await inspectScene(spec.hrefs, { id: spec.id, ...spec.options }, policy, catalog.dir);
    await catalog.save(item, { replace: true });
  };
  let app: FastifyInstance | null = null;
  try {
    for (const s of opts.scenes ?? []) await addScene(s);
    await opts.setup?.({ dataDir, config, catalog });
    app = checkContract(await buildApp(config, opts.build));
    await app.ready();
  } catch (e) {
    if (app) await app.close();
    await rm(dataDir, { recursive: true, force: true });
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
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}
