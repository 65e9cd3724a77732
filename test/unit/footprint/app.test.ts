/**
 * The footprint through the app: a scripted sequence of requests (rendered tiles, a cache hit, a
 * 304, a failing tile, a zonal query, a JSON route) and a crop-map job recorded through
 * app.footprint. Every response carries a parseable Server-Timing; the summary's figures add up to
 * the sum of the headers and to each other; /metrics carries the same joules. No durations are
 * asserted.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance, InjectOptions, LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../../server/app.js';
import { loadConfig } from '../../../server/config.js';
import { footprintFromServerTiming, parseServerTiming } from '../../../server/footprint/server-timing.js';
import { createTestApp, LANDSAT_BAHAMAS, SINOP, type TestApp } from '../../helpers/test-app.js';
import { writeTinyModels } from './onnx-fixture.js';
import { checkContract } from '../../helpers/contract.js';

interface KindTotals { count: number; cpuMs: number; joules: number; wh: number; gCo2e: number; tiles: number; renderedTiles: number; km2: number; jobs: number }
interface PerUnit { units: number; wh: number; gCo2e: number; cpuS: number }
interface Summary {
  method: { energy: string };
  assumptions: { cpu: { source: string; tdpFraction: number }; pue: { value: number }; carbonIntensity: { gPerKWh: number; country: string; basis: string }; joulesPerCpuSecond: number };
  uncertainty: string[];
  totals: { attributed: KindTotals; byKind: Record<string, KindTotals>; unattributed: { cpuMs: number; wh: number }; service: { wh: number } };
  perThousandTiles: PerUnit & { byKind: Record<string, PerUnit | null> };
  perThousandRenderedTiles: PerUnit;
  perKm2Mapped: PerUnit | null;
  perCropMapJob: PerUnit | null;
  tradeOff: { available: boolean; reason?: string; models?: Array<{ id: string; role: string; whPerKm2: number; gCo2ePerKm2: number; cpuUsPerPixel: number }>; shippedOverBaseline?: number; pixelAreaKm2?: number };
}

const TILE = '/tiles/sinop/10/354/545.png?variable=ndvi';
const LANDSAT_TILE = '/tiles/landsat-bahamas/8/72/110.png';
/** the pressure gate and the rate limit (other plugins) would make a slow test machine flaky */
const CALM = { GRANARY_MAX_EVENT_LOOP_DELAY_MS: '0', GRANARY_RATE_LIMIT: '0' };
const relClose = (a: number, b: number, rel = 1e-4) => expect(Math.abs(a - b)).toBeLessThanOrEqual(rel * Math.max(Math.abs(a), Math.abs(b), 1e-12));

describe('footprint through the app (scripted requests)', () => {
  let app: FastifyInstance;
  const noModels = mkdtempSync(join(tmpdir(), 'granary-nomodels-'));
  const headers: Array<{ what: string; res: LightMyRequestResponse }> = [];
  const send = async (what: string, opts: InjectOptions): Promise<LightMyRequestResponse> => {
    const res = await app.inject(opts);
    headers.push({ what, res });
    return res;
  };

  beforeAll(async () => {
    app = checkContract(await buildApp(loadConfig({ ...CALM, GRANARY_WORKERS: '1', GRANARY_LOG_LEVEL: 'silent', GRANARY_MODELS_DIR: noModels, GRANARY_RAPL_DIR: join(noModels, 'no-powercap') })));
    await app.ready();
  });
  afterAll(async () => {
    await app.close();
    rmSync(noModels, { recursive: true, force: true });
  });

  it('runs the script; every response has a parseable Server-Timing', async () => {
    const t1 = await send('sinop tile', { url: TILE });
    expect(t1.statusCode).toBe(200);
    const hit = await send('sinop tile again (cache hit)', { url: TILE });
    expect(hit.statusCode).toBe(200);
    const nm = await send('sinop tile 304', { url: TILE, headers: { 'if-none-match': String(t1.headers.etag) } });
    expect(nm.statusCode).toBe(304);
    expect((await send('landsat tile', { url: LANDSAT_TILE })).statusCode).toBe(200);
    expect((await send('bad tile', { url: '/tiles/sinop/40/0/0.png?variable=ndvi' })).statusCode).toBeGreaterThanOrEqual(400);
    expect((await send('colormaps', { url: '/api/colormaps' })).statusCode).toBe(200);
    const square = { type: 'Feature', properties: {}, geometry: { type: 'Polygon', coordinates: [[[-55.52, -11.66], [-55.48, -11.66], [-55.48, -11.62], [-55.52, -11.62], [-55.52, -11.66]]] } };
    const z = await send('zonal', { method: 'POST', url: '/api/zonal-stats?scene=sinop', payload: square, headers: { 'content-type': 'application/geo+json' } });
    expect(z.statusCode).toBe(200);

    for (const { what, res } of headers) {
      const h = res.headers['server-timing'];
      expect(h, what).toBeTypeOf('string');
      const names = parseServerTiming(String(h)).map((m) => m.name);
      expect(names, what).toEqual(['cpu', 'energy', 'co2e']);
      const f = footprintFromServerTiming(String(h));
      for (const v of [f.cpuMs, f.mWh, f.mgCo2e]) expect(Number.isFinite(v) && v >= 0, `${what}: ${h}`).toBe(true);
    }
    // the rendered tile and the zonal query ran worker tasks
    expect(footprintFromServerTiming(String(t1.headers['server-timing'])).cpuMs).toBeGreaterThan(0);
    expect(footprintFromServerTiming(String(z.headers['server-timing'])).mWh).toBeGreaterThan(0);
  });

  it('a crop-map job records through app.footprint (with worker CPU and km2)', async () => {
    const { footprint } = await app.footprint.track('crop-map', async (job) => {
      await app.pool.run('ping', null);
      job.km2 = 12.5;
    });
    expect(footprint).toMatchObject({ kind: 'crop-map', km2: 12.5, job: true });
    expect(footprint.workerCpuMs).toBeGreaterThanOrEqual(0);
  });

  it('the summary adds up over the script', async () => {
    const res = await app.inject({ url: '/api/footprint' });
    expect(res.statusCode, res.body).toBe(200);
    const s = res.json() as Summary;

    // counts by kind
    const img = s.totals.byKind['imagery-tile']!;
    expect(img.count).toBe(5); // 3 sinop (render, hit, 304) + landsat + the failing tile
    expect(img.tiles).toBe(4); // the failing tile is not a tile served
    expect(img.renderedTiles).toBe(2); // the sinop render and the landsat render
    expect(s.totals.byKind['zonal-stats']!.count).toBe(1);
    expect(s.totals.byKind.other!.count).toBe(1); // /api/colormaps
    const crop = s.totals.byKind['crop-map']!;
    expect(crop).toMatchObject({ count: 1, jobs: 1, km2: 12.5 });

    // the request headers add up to the attributed totals (less the job, which has no header)
    const fromHeaders = headers.map(({ res }) => footprintFromServerTiming(String(res.headers['server-timing'])));
    const sum = (k: 'cpuMs' | 'mWh' | 'mgCo2e') => fromHeaders.reduce((a, f) => a + f[k], 0);
    relClose(sum('mWh'), (s.totals.attributed.wh - crop.wh) * 1000);
    relClose(sum('cpuMs'), s.totals.attributed.cpuMs - crop.cpuMs);
    relClose(sum('mgCo2e'), (s.totals.attributed.gCo2e - crop.gCo2e) * 1000);
    // the tile requests' headers add up to the imagery-tile kind
    const tileHeaders = headers.filter(({ what }) => /tile/.test(what)).map(({ res }) => footprintFromServerTiming(String(res.headers['server-timing'])));
    relClose(tileHeaders.reduce((a, f) => a + f.mWh, 0), img.wh * 1000);

    // kinds sum to the total
    const kinds = Object.values(s.totals.byKind);
    relClose(kinds.reduce((a, k) => a + k.joules, 0), s.totals.attributed.joules, 1e-9);
    expect(kinds.reduce((a, k) => a + k.count, 0)).toBe(s.totals.attributed.count);
    // service = attributed + unattributed
    relClose(s.totals.service.wh, s.totals.attributed.wh + s.totals.unattributed.wh, 1e-9);

    // per 1,000 tiles: tile-kind energy / tiles served x 1000 (crop tiles: none in this script)
    expect(s.perThousandTiles.units).toBe(4);
    relClose(s.perThousandTiles.wh, (img.wh / 4) * 1000, 1e-9);
    relClose(s.perThousandTiles.gCo2e, (img.gCo2e / 4) * 1000, 1e-9);
    expect(s.perThousandTiles.byKind['crop-tile']).toBeNull();
    relClose(s.perThousandRenderedTiles.wh, (img.wh / 2) * 1000, 1e-9);
    // per km2 and per job from the crop-map job
    relClose(s.perKm2Mapped!.wh, crop.wh / 12.5, 1e-9);
    relClose(s.perCropMapJob!.wh, crop.wh, 1e-9);

    // method and assumptions
    expect(s.assumptions.cpu.source).toBe('tdp-estimate');
    expect(s.assumptions.cpu.tdpFraction).toBe(0.5);
    expect(s.method.energy).toMatch(/TDP x 50 %/);
    expect(s.assumptions.pue.value).toBe(1);
    expect(s.assumptions.carbonIntensity).toMatchObject({ gPerKWh: 158.592, country: 'BRA', basis: 'country-table' });
    // g CO2e = Wh / 1000 x intensity
    relClose(s.totals.attributed.gCo2e, (s.totals.attributed.wh / 1000) * 158.592, 1e-9);
    expect(s.uncertainty.length).toBeGreaterThan(3);

    // no models in the configured directory: the comparison says it is not available
    expect(s.tradeOff.available).toBe(false);
    expect(s.tradeOff.reason).toMatch(/shipped model/);
  });

  it('/metrics carries joules and grams by kind', async () => {
    const before = (await app.inject({ url: '/api/footprint' })).json() as Summary;
    const text = (await app.inject({ url: '/metrics' })).body;
    const value = (name: string, kind: string) => Number(new RegExp(`^${name}\\{kind="${kind}"\\} (\\S+)$`, 'm').exec(text)?.[1]);
    relClose(value('granary_energy_joules_total', 'imagery-tile'), before.totals.byKind['imagery-tile']!.joules, 1e-9);
    relClose(value('granary_co2e_grams_total', 'crop-map'), before.totals.byKind['crop-map']!.gCo2e, 1e-9);
    expect(value('granary_energy_joules_total', 'crop-tile')).toBe(0);
  });
});

describe('the model trade-off in the summary', () => {
  let t: TestApp;
  const models = mkdtempSync(join(tmpdir(), 'granary-models-'));

  beforeAll(async () => {
    writeTinyModels(models);
    t = await createTestApp({ scenes: [SINOP, LANDSAT_BAHAMAS], env: { ...CALM, GRANARY_MODELS_DIR: models } });
  });
  afterAll(async () => {
    await t.close();
    rmSync(models, { recursive: true, force: true });
  });

  it('reports the shipped model and the baseline per km2 of the scene grid', async () => {
    const s = (await t.app.inject({ url: '/api/footprint' })).json() as Summary;
    expect(s.tradeOff.available).toBe(true);
    const [mlp, rf] = s.tradeOff.models!;
    expect(mlp).toMatchObject({ id: 'granary-mlp-ndvi-evi', role: 'shipped' });
    expect(rf).toMatchObject({ id: 'rf-baseline', role: 'baseline' });
    // Sinop's MODIS grid: 231.656 m pixels
    relClose(s.tradeOff.pixelAreaKm2!, (231.656 * 231.656) / 1e6, 1e-4);
    const px = 1 / s.tradeOff.pixelAreaKm2!;
    relClose(mlp!.whPerKm2, (mlp!.cpuUsPerPixel * 1e-6 * px * s.assumptions.joulesPerCpuSecond) / 3600, 1e-9);
    relClose(s.tradeOff.shippedOverBaseline!, mlp!.whPerKm2 / rf!.whPerKm2, 1e-9);
    relClose(rf!.gCo2ePerKm2, (rf!.whPerKm2 / 1000) * s.assumptions.carbonIntensity.gPerKWh, 1e-9);
  });
});
