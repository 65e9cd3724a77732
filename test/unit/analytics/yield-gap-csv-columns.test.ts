/**
 * The dashboard's CSV (client/src/csv.ts) and the API's yield-gap CSV (server/regions/rows.ts) carry the
 * same columns in the same order. The two sides live in two TypeScript projects (the client's uses
 * extensionless bundler imports, the server's node16 ones), so the client module is loaded at run time
 * by vitest rather than compiled into the server's project.
 */
import { describe, expect, it } from 'vitest';
import { FLAT_ROW_COLUMNS } from '../../../server/regions/rows.js';

const CLIENT_CSV: string = '../../../client/src/csv';

describe('yield-gap CSV columns', () => {
  it('are the same, in the same order, in the dashboard and in the API', async () => {
    const { API_CSV_COLUMNS } = (await import(CLIENT_CSV)) as { API_CSV_COLUMNS: readonly string[] };
    expect(API_CSV_COLUMNS).toContain('reportedYieldKgHa');
    expect([...API_CSV_COLUMNS]).toEqual(FLAT_ROW_COLUMNS);
  });
});
