/**
 * The backing services of one process, chosen from the configuration at start-up:
 *
 *   embedded (default)         catalog = files in <dataDir>/catalog, field reports = SQLite
 *   cluster (GRANARY_DATABASE_URL)  catalog and field reports in PostgreSQL/PostGIS (migrated here)
 *
 * Jobs (in-process or BullMQ on GRANARY_REDIS_URL) are chosen in server/jobs/index.ts. `checks()`
 * answers /readyz: every backing service probed with a short timeout.
 */
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Catalog, type SceneCatalog } from '../catalog/catalog.js';
import { catalogDirOf } from './catalog-dir.js';
import type { StacItem } from '../catalog/scene.js';
import type { Config } from '../config.js';
import { SqliteReports, type FieldReportStore } from '../reports/store.js';
import type { PgPool } from './pg.js';
// pg, node-pg-migrate and the PostgreSQL stores are imported only in cluster mode (below): the
// embedded default never loads them, which is a good part of its start-up.

export interface Check {
  ok: boolean;
  ms: number;
  detail: string;
}

export interface Backends {
  mode: 'embedded' | 'cluster';
  catalog: SceneCatalog;
  reports: FieldReportStore;
  /** the PostgreSQL pool in cluster mode, else null */
  pg: PgPool | null;
  /** probes of the database and the catalog (Redis is probed by the job queue) */
  checks(): Promise<Record<string, Check>>;
  close(): Promise<void>;
}

export async function probe(what: () => Promise<string>, timeoutMs = 2000): Promise<Check> {
  const t0 = performance.now();
  let timer: NodeJS.Timeout | undefined;
  try {
    const detail = await Promise.race([what(), new Promise<never>((_, rej) => (timer = setTimeout(() => rej(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs)))]);
    return { ok: true, ms: Math.round(performance.now() - t0), detail };
  } catch (e) {
    return { ok: false, ms: Math.round(performance.now() - t0), detail: (e as Error).message };
  } finally {
    clearTimeout(timer);
  }
}

async function fileItems(dir: string): Promise<StacItem[]> {
  const files = await readdir(dir).catch(() => [] as string[]);
  const items: StacItem[] = [];
  for (const f of files.filter((f) => f.endsWith('.json')).sort()) {
    try {
      items.push(JSON.parse(await readFile(join(dir, f), 'utf8')) as StacItem);
    } catch {
      /* the file catalog reports broken items itself */
    }
  }
  return items;
}

export async function createBackends(config: Config, log: (msg: string) => void = () => undefined): Promise<Backends> {
  const catalogDir = catalogDirOf(config);
  if (!config.databaseUrl) {
    const catalog = new Catalog(catalogDir);
    await catalog.firstLoad();
    const reports = new SqliteReports(config.reportsDb);
    return {
      mode: 'embedded',
      catalog,
      reports,
      pg: null,
      checks: async () => ({
        database: { ok: true, ms: 0, detail: 'embedded (SQLite field reports, file catalog)' },
        catalog: await probe(async () => `${(await catalog.list()).length} scenes`),
      }),
      close: async () => reports.close(),
    };
  }
  const url = config.databaseUrl;
  const [{ createPgPool, migrate }, { PgCatalog }, { PgReports }] = await Promise.all([import('./pg.js'), import('./pg-catalog.js'), import('./pg-reports.js')]);
  const applied = await migrate(url, log);
  if (applied.length > 0) log(`database migrated: ${applied.join(', ')}`);
  const pg = createPgPool(url, { application: `granary ${config.instanceName}` });
  const catalog = new PgCatalog(pg, url, catalogDir);
  try {
    await catalog.start();
    // first start on existing data: the file catalog's scenes become the database's
    if ((await catalog.list()).length === 0) {
      const added = await catalog.importMissing(await fileItems(catalogDir));
      if (added.length > 0) log(`catalog: imported ${added.join(', ')} from ${catalogDir}`);
    }
  } catch (e) {
    await catalog.close();
    await pg.end();
    throw e;
  }
  const reports = new PgReports(pg);
  return {
    mode: 'cluster',
    catalog,
    reports,
    pg,
    checks: async () => ({
      database: await probe(async () => {
        const r = await pg.query<{ v: string }>(`SELECT postgis_lib_version() AS v`);
        return `PostgreSQL with PostGIS ${r.rows[0]!.v}`;
      }),
      catalog: await probe(async () => {
        if (!catalog.listening) throw new Error('catalog change feed (LISTEN) is not connected');
        return `${(await catalog.list()).length} scenes`;
      }),
    }),
    close: async () => {
      await catalog.close();
      await reports.close();
      await pg.end();
    },
  };
}
