import { defineConfig } from 'vitest/config';

/**
 * Two projects, one suite:
 *   embedded  every test file (files + SQLite + in-process jobs, the default mode)
 *   cluster   the API files that touch the catalog, field reports, crop maps, the footprint and jobs,
 *             again with GRANARY_TEST_MODE=cluster: test/helpers/test-app.ts then gives each app a
 *             fresh PostgreSQL/PostGIS database, a private Redis and an in-process `granary worker`
 *             (needs the machine's PostgreSQL with PostGIS and redis-server, as CI has).
 * One project only: `npx vitest run --project embedded test/api/scenes.test.ts`.
 */
export const CLUSTER_API_FILES = ['test/api/scenes.test.ts', 'test/api/collections.test.ts', 'test/api/reports.test.ts', 'test/unit/footprint/app.test.ts'];

export default defineConfig({
  test: {
    pool: 'forks',
    testTimeout: 60_000,
    hookTimeout: 60_000,
    projects: [
      { extends: true, test: { name: 'embedded', include: ['test/**/*.test.ts'] } },
      { extends: true, test: { name: 'cluster', include: CLUSTER_API_FILES, env: { GRANARY_TEST_MODE: 'cluster' } } },
    ],
  },
});
