/**
 * The PostgreSQL connection pool of a cluster process (replica or worker), created from
 * GRANARY_DATABASE_URL, and the schema migration at start-up (server/store/migrations/*.sql through
 * node-pg-migrate: ordered files, a `pgmigrations` version table, an advisory lock so replicas
 * starting together apply each file once).
 */
import pg from 'pg';
import { runner } from 'node-pg-migrate';
import { fileURLToPath } from 'node:url';

export type PgPool = pg.Pool;

const MIGRATIONS_DIR = fileURLToPath(new URL('./migrations', import.meta.url));

export function createPgPool(url: string, opts: { max?: number; application?: string } = {}): PgPool {
  const pool = new pg.Pool({ connectionString: url, max: opts.max ?? 10, application_name: opts.application ?? 'granary', connectionTimeoutMillis: 20_000, idleTimeoutMillis: 30_000 });
  // an idle client losing its connection (database restart) must not crash the process: the pool drops it
  pool.on('error', () => undefined);
  return pool;
}

/** Applies the pending migrations; returns the names applied. */
export async function migrate(url: string, log: (msg: string) => void = () => undefined): Promise<string[]> {
  const client = new pg.Client({ connectionString: url, application_name: 'granary-migrate' });
  await client.connect();
  try {
    const applied = await runner({ dbClient: client, dir: MIGRATIONS_DIR, direction: 'up', migrationsTable: 'pgmigrations', count: Infinity, checkOrder: true, advisoryLockMode: 'wait', log, logger: { debug: () => undefined, info: log, warn: log, error: log } });
    return applied.map((m) => m.name);
  } finally {
    await client.end();
  }
}
