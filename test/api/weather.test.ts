import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { copyFile, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createTestApp, FIXTURES, REPO, type TestApp } from '../helpers/test-app.js';

const run = promisify(execFile);
const RAW = join(FIXTURES, 'weather/inmet_raw');
let t: TestApp;
let cli: { stdout: string; stderr: string; code: number };

beforeAll(async () => {
  t = await createTestApp({
    setup: async ({ dataDir }) => {
      // the bundled daily file, as in fixtures/
      await mkdir(join(dataDir, 'weather'), { recursive: true });
      await copyFile(join(FIXTURES, 'weather/inmet_mt_2025_daily.csv'), join(dataDir, 'weather/inmet_mt_2025_daily.csv'));
      // granary weather add: the two raw hourly files plus one that is not an INMET file
      await writeFile(join(dataDir, 'not-inmet.csv'), 'a;b\n1;2\n');
      const args = ['bin/granary.js', 'weather', 'add', join(RAW, 'INMET_CO_MT_A904_SORRISO_01-01-2025_A_31-12-2025.CSV'), join(RAW, 'INMET_CO_MT_A917_SINOP_01-01-2025_A_31-12-2025.CSV'), join(dataDir, 'not-inmet.csv')];
      try {
        const r = await run(process.execPath, args, { cwd: REPO, env: { ...process.env, GRANARY_DATA_DIR: dataDir } });
        cli = { ...r, code: 0 };
      } catch (e) {
        const x = e as { stdout: string; stderr: string; code: number };
        cli = { stdout: x.stdout, stderr: x.stderr, code: x.code };
      }
    },
  });
}, 120_000);
afterAll(async () => t?.close());

describe('granary weather add', () => {
  it('imports the INMET files, reports their rows and refuses the non-INMET file (exit 2)', () => {
    expect(cli.code).toBe(2);
    expect(cli.stdout).toMatch(/A904 SORRISO .*8760 hourly rows -> 318 days \(318 new, 0 replaced\), 0 bad rows/);
    expect(cli.stdout).toMatch(/A917 SINOP .*-> 211 days/);
    expect(cli.stderr).toMatch(/refused: not-inmet.csv: no INMET header row/);
  });
});

describe('weather API', () => {
  it('lists stations from the bundled file and the imports, and as an OGC layer', async () => {
    const res = await t.app.inject({ url: '/api/weather/stations' });
    expect(res.statusCode).toBe(200);
    const b = res.json();
    expect(b.stations).toHaveLength(30);
    expect(b.stations.find((s: { id: string }) => s.id === 'A904').source).toMatch(/bundled .* \+ imported/);
    expect(b.attribution).toMatch(/INMET/);
    const items = await t.app.inject({ url: '/collections/weather-stations/items?limit=100' });
    expect(items.statusCode).toBe(200);
    expect(items.json().numberMatched).toBe(30);
    expect(items.json().features.find((f: { id: string }) => f.id === 'A904').geometry.coordinates).toEqual([-55.722778, -12.555]);
  });

  it('gives daily values (JSON and CSV)', async () => {
    const res = await t.app.inject({ url: '/api/weather/stations/A904/daily?from=2025-01-05&to=2025-01-06' });
    expect(res.json().daily.map((d: { precipMm: number }) => d.precipMm)[0]).toBe(17.8);
    const csv = await t.app.inject({ url: '/api/weather/stations/A904/daily?from=2025-01-05&to=2025-01-05&format=csv' });
    expect(csv.body.split(/\r?\n/)[1]).toMatch(/^2025-01-05,17.8,/);
  });

  it('answers season to date at the station nearest a Sinop field, skipping the Sinop gauge that logs no rain, and says there is no reference', async () => {
    const res = await t.app.inject({ url: '/api/weather/point?lon=-55.6&lat=-12.0&asOf=2025-12-31' });
    expect(res.statusCode).toBe(200);
    const b = res.json();
    expect(b.place.name).toBe('Sinop');
    expect(b.nearest[0].id).toBe('A917');
    expect(b.station.id).toBe('A904');
    expect(b.station.distanceKm).toBeGreaterThan(60);
    expect(b.notes.join(' ')).toMatch(/nearest station, SINOP \(4.2 km\), has no data in this window/);
    expect(b.window).toEqual({ from: '2025-09-01', to: '2025-12-31' });
    expect(b.summary.rainMm).toBeGreaterThan(100);
    expect(b.reference.available).toBe(false);
    expect(b.reference.note).toMatch(/no reference/);
  });

  it('skips a station that logs temperature but no rain (Sinop A917, season 2024-25)', async () => {
    const b = (await t.app.inject({ url: '/api/weather/point?lon=-55.6&lat=-12.0&season=2024' })).json();
    expect(b.window).toEqual({ from: '2024-09-01', to: '2025-06-30' });
    expect(b.notes.join(' ')).toMatch(/SINOP \(A917, 4.2 km\) has no rain record in this window: skipped/);
    expect(b.station.id).toBe('A904');
    expect(b.summary.missingRainDays).toBeGreaterThan(100);
  });

  it('answers for a municipality and rejects bad input with problem+json', async () => {
    const ok = await t.app.inject({ url: '/api/weather/regions/5107925?season=2025' });
    expect(ok.statusCode).toBe(200);
    expect(ok.json().station.id).toBe('A904');
    for (const [url, status] of [
      ['/api/weather/stations/Z999/daily', 404],
      ['/api/weather/stations/A904/daily?from=2025-02-01&to=2025-01-01', 400],
      ['/api/weather/stations/a904/daily', 400],
      ['/api/weather/point?lon=-55&lat=-12&asOf=2025-13-45', 400],
      ['/api/weather/point?lon=-55&lat=-12&season=2019', 200],
      ['/api/weather/regions/1234567', 404],
    ] as const) {
      const r = await t.app.inject({ url });
      expect(r.statusCode, url).toBe(status);
      if (status !== 200) expect(r.headers['content-type']).toMatch(/problem\+json/);
    }
  });
});
