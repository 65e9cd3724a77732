/**
 * A second regions configuration (test/fixtures/regions-second: another crop name, other regions,
 * statistics and price sources, no population table) served with no code change: the crop list, the
 * yield gap, the regions, their sources and licences, and the layer descriptions all come from it.
 * Every 2xx body is checked against its contract schema (createTestApp -> checkContract).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, TEST_FIXTURES, type TestApp } from '../helpers/test-app.js';

const DIR = join(TEST_FIXTURES, 'regions-second');
const CONFIG = JSON.parse(readFileSync(join(DIR, 'regions.config.json'), 'utf8'));
const MILHO = readFileSync(join(DIR, 'pam_milho.csv'), 'utf8').trim().split('\n').slice(1).map((l) => l.split(','));

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp({ env: { GRANARY_REGIONS_CONFIG: join(DIR, 'regions.config.json') } });
}, 60_000);
afterAll(async () => t?.close());

const get = (url: string) => t.app.inject({ url });

describe('a second regions configuration', () => {
  it('lists its crop, with the labels and crop-map classes of the configuration', async () => {
    const res = await get('/api/crops');
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({
      defaultCrop: 'safrinha-corn',
      regionsTitle: CONFIG.regions.title,
      areaName: CONFIG.regions.areaName,
      sources: [...new Set([CONFIG.regions.source, ...CONFIG.tables.map((x: { source: string }) => x.source)])],
      crops: [{ crop: 'safrinha-corn', labels: { en: 'Second-crop corn', 'pt-BR': 'Milho safrinha' }, mapClasses: ['Soy_Corn', 'Soybean-maize'], years: [2000, 2024] }],
    });
  });

  it('serves the yield gap of its crop for its four municipalities; the bundled crops are refused', async () => {
    const res = await get('/api/yield-gap?crop=safrinha-corn&year=2020');
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body.rows.map((r: { regionId: string }) => r.regionId).sort()).toEqual(['5103056', '5104526', '5107909', '5107925']);
    // the planted area of Sinop in 2020 is the PAM row's area_planted_1000ha x 1000
    const sinop = MILHO.find((r) => r[0] === 'milho' && r[1] === '2020' && r[2] === '5107909')!;
    expect(body.rows.find((r: { regionId: string }) => r.regionId === '5107909').plantedAreaHa).toBeCloseTo(Number(sinop[9]) * 1000, 6);
    expect(body.rows.every((r: { population: unknown }) => r.population === null)).toBe(true);
    const soy = await get('/api/yield-gap?crop=soy&year=2020');
    expect(soy.statusCode).toBe(400);
    expect(soy.json().detail).toMatch(/valid crops: safrinha-corn/);
  });

  it('names its own sources and licences, from the configuration', async () => {
    const body = (await get('/api/regions?crop=safrinha-corn')).json();
    expect(body.crops).toEqual(['safrinha-corn']);
    expect(body.sources.map((s: { source: string; licence: string }) => [s.source, s.licence])).toEqual([
      [CONFIG.regions.source, CONFIG.regions.licence],
      ...CONFIG.tables.map((x: { source: string; licence: string }) => [x.source, x.licence]),
    ]);
  });

  it('describes its layers from the configuration; no sample set is configured, so none is read', async () => {
    const cols = (await get('/collections')).json();
    const regions = cols.collections.find((c: { id: string }) => c.id === 'regions');
    expect(regions.description.startsWith(CONFIG.regions.description)).toBe(true);
    expect(cols.collections.map((c: { id: string }) => c.id)).not.toContain('crop-samples');
  });
  it('answers suitability, outlook and policy impact without a crop with the configuration\'s default crop', async () => {
    const suit = await get('/api/suitability');
    expect(suit.statusCode).toBe(200);
    expect(suit.json().crop).toBe('safrinha-corn'); // the configuration names no defaultCrop: its first (only) crop
    expect(suit.json().rows.map((r: { crop: string }) => r.crop)).toEqual(['safrinha-corn', 'safrinha-corn', 'safrinha-corn', 'safrinha-corn']);
    const outlook = await get('/api/outlook/5107909');
    expect(outlook.statusCode).toBe(200);
    expect(outlook.json().crop).toBe('safrinha-corn');
    const did = await get('/api/policy-impact?regions=5107909&start=2015&controls=1');
    expect(did.statusCode).toBe(200);
    expect(did.json().crop).toBe('safrinha-corn');
  });
});
