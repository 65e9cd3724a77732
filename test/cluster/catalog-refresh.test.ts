/**
 * PgCatalog read-your-writes: a scene saved and then asked for while a reload is in flight (the
 * notification of that very save starts one) is found. Before the fix refresh() returned the old
 * map while that reload ran, and a job submitted right after POST /api/scenes got 404 "unknown scene".
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBackends, type Backends } from '../../server/store/backends.js';
import { loadConfig } from '../../server/config.js';
import { inspectScene } from '../../server/catalog/inspect.js';
import { sourcePolicy } from '../../server/app.js';
import { FIXTURES, SINOP } from '../helpers/test-app.js';
import { createDatabase, type TestDatabase } from './support.js';

let db: TestDatabase;
let dir: string;
let backends: Backends;
beforeAll(async () => {
  db = await createDatabase();
  dir = await mkdtemp(join(tmpdir(), 'granary-catref-'));
  backends = await createBackends(loadConfig({ GRANARY_DATA_DIR: dir, GRANARY_READ_DIRS: FIXTURES, GRANARY_DATABASE_URL: db.url, GRANARY_LOG_LEVEL: 'silent' }));
}, 60_000);
afterAll(async () => {
  await backends?.close();
  await db?.drop();
  await rm(dir, { recursive: true, force: true });
});

describe('PgCatalog refresh', () => {
  it('a saved scene is found while a reload is in flight', async () => {
    const config = loadConfig({ GRANARY_DATA_DIR: dir, GRANARY_READ_DIRS: FIXTURES });
    const cat = backends.catalog;
    for (let i = 0; i < 5; i++) {
      const id = `sinop-${i}`;
      const item = await inspectScene(SINOP.hrefs, { id, ...SINOP.options }, sourcePolicy(config), cat.dir);
      await cat.save(item);
      const inflight = cat.refresh(); // what the save's notification does
      await expect(cat.get(id)).resolves.toMatchObject({ id });
      await inflight;
    }
  });
});
