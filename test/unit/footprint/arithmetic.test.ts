/**
 * The footprint arithmetic against hand-computed cases: TDP -> W per core, memory W, PUE, J -> Wh ->
 * g CO2e, intensity resolution, the main-thread ledger, the summary figures, Server-Timing,
 * metadata and the model trade-off row.
 */
import { describe, expect, it } from 'vitest';
import { CODECARBON, cpuWattsPerCoreFromTdp, gramsCo2e, joulesForCpuMs, joulesPerCpuSecond, joulesToMWh, joulesToWh, memoryWatts, type EnergyModel } from '../../../server/footprint/energy-model.js';
import { resolveIntensity, WORLD_FALLBACK } from '../../../server/footprint/carbon-intensity.js';
import { MainThreadLedger } from '../../../server/footprint/ledger.js';
import { FootprintTotals, perUnit } from '../../../server/footprint/summary.js';
import { footprintFromServerTiming, formatServerTiming, parseServerTiming } from '../../../server/footprint/server-timing.js';
import { dashboardNote, footprintMetadata, footprintStacProperties } from '../../../server/footprint/metadata.js';
import { tradeOffRow } from '../../../server/footprint/model-cost.js';
import { kindFromRoute, requestKind } from '../../../server/footprint/kinds.js';
import { FootprintRecorder } from '../../../server/footprint/recorder.js';
import { RaplMeter } from '../../../server/footprint/rapl.js';

const GiB = 1024 ** 3;

describe('energy model', () => {
  it('W per busy core is TDP x 50 % / cores', () => {
    expect(cpuWattsPerCoreFromTdp({ tdpW: 65, tdpCores: 8 })).toBe(4.0625); // 65 * 0.5 / 8
    expect(cpuWattsPerCoreFromTdp({ tdpW: 100, tdpCores: 10 })).toBe(5);
  });

  it('unknown TDP uses CodeCarbon 4 W per core, so 2 W per busy core', () => {
    expect(CODECARBON.defaultTdpPerCoreW).toBe(4);
    expect(cpuWattsPerCoreFromTdp({ tdpW: null, tdpCores: 2 })).toBe(2); // 4 * 2 * 0.5 / 2
    expect(cpuWattsPerCoreFromTdp({ tdpW: null, tdpCores: 64 })).toBe(2);
  });

  it('rejects nonsense inputs', () => {
    expect(() => cpuWattsPerCoreFromTdp({ tdpW: 0, tdpCores: 4 })).toThrow(RangeError);
    expect(() => cpuWattsPerCoreFromTdp({ tdpW: 65, tdpCores: 0 })).toThrow(RangeError);
  });

  it('memory is 3 W per 8 GB', () => {
    expect(memoryWatts(8 * GiB)).toBe(3);
    expect(memoryWatts(16 * GiB)).toBe(6);
    expect(memoryWatts(512 * 1024 ** 2)).toBeCloseTo(0.1875, 12);
    expect(memoryWatts(-1)).toBe(0);
  });

  it('one CPU-hour at 5 W per core is 18 kJ = 5 Wh = 2.375 g at 475 g/kWh', () => {
    const m: EnergyModel = { cpuWattsPerCore: 5, cpuSource: 'tdp-estimate', memoryWatts: 0, cores: 10, pue: 1 };
    const j = joulesForCpuMs(3_600_000, m);
    expect(j).toBe(18_000);
    expect(joulesToWh(j)).toBe(5);
    expect(joulesToMWh(j)).toBe(5000);
    expect(gramsCo2e(j, 475)).toBeCloseTo(2.375, 12);
    // Carbontracker's PUE 1.58
    expect(joulesToWh(joulesForCpuMs(3_600_000, { ...m, pue: 1.58 }))).toBeCloseTo(7.9, 12);
  });

  it('memory is charged per CPU-second as 1/cores, and PUE multiplies both', () => {
    // 65 W TDP on 8 CPUs, 8 GiB resident, PUE 1.5, 2 s of CPU:
    // (65 * 0.5 / 8 + 3 / 8) * 1.5 = 6.65625 J per CPU-second -> 13.3125 J
    const m: EnergyModel = { cpuWattsPerCore: cpuWattsPerCoreFromTdp({ tdpW: 65, tdpCores: 8 }), cpuSource: 'tdp-estimate', memoryWatts: memoryWatts(8 * GiB), cores: 8, pue: 1.5 };
    expect(joulesPerCpuSecond(m)).toBe(6.65625);
    const j = joulesForCpuMs(2000, m);
    expect(j).toBe(13.3125);
    expect(joulesToWh(j)).toBeCloseTo(0.0036979166666667, 15);
    // at Brazil's 158.592 g/kWh: 13.3125 / 3.6e6 * 158.592 = 0.00058646 g
    expect(gramsCo2e(j, 158.592)).toBeCloseTo(0.00058646, 12);
    expect(joulesForCpuMs(-5, m)).toBe(0);
  });
});

describe('carbon intensity', () => {
  it('a configured value wins', () => {
    expect(resolveIntensity(100, 'BRA')).toMatchObject({ gPerKWh: 100, basis: 'configured', country: null });
    expect(resolveIntensity(0, null).gPerKWh).toBe(0);
    expect(() => resolveIntensity(-1, null)).toThrow(RangeError);
  });

  it('countries from the table, case-insensitive, with source and year', () => {
    const b = resolveIntensity(null, 'bra');
    expect(b).toMatchObject({ gPerKWh: 158.592, country: 'BRA', year: 2021, basis: 'country-table' });
    expect(b.source).toMatch(/Our World in Data/);
    expect(resolveIntensity(undefined, 'FRA').gPerKWh).toBe(67.39);
  });

  it('unknown or missing country: the 475 g/kWh world fallback (CodeCarbon)', () => {
    expect(WORLD_FALLBACK.gPerKWh).toBe(475);
    const x = resolveIntensity(null, 'XYZ');
    expect(x).toMatchObject({ gPerKWh: 475, basis: 'world-fallback' });
    expect(x.note).toMatch(/XYZ/);
    expect(resolveIntensity(null, '').gPerKWh).toBe(475);
  });
});

describe('main-thread ledger', () => {
  it('splits CPU between checkpoints equally among the open entries; the rest is unattributed', () => {
    let t = 0;
    const l = new MainThreadLedger(() => t);
    t = 5; // nothing open: 5 unattributed
    const a = l.open();
    t = 15; // A alone: +10
    const b = l.open();
    t = 35; // A and B: +10 each
    expect(l.close(a)).toBe(20);
    t = 45; // B alone: +10
    expect(l.close(b)).toBe(20);
    expect(l.close(b)).toBe(20); // idempotent
    t = 60; // nothing open: +15
    l.checkpoint();
    expect(l.unattributedMs).toBe(20);
    expect(l.attributedMs).toBe(40);
    expect(l.totalMs).toBe(60);
    expect(l.openCount).toBe(0);
  });

  it('never attributes a clock going backwards', () => {
    let t = 10;
    const l = new MainThreadLedger(() => t);
    const a = l.open();
    t = 5;
    expect(l.close(a)).toBe(0);
  });
});

describe('summary figures', () => {
  it('per 1,000 tiles, per rendered tile, per km2 and per job are sums over counts', () => {
    const s = new FootprintTotals();
    // three imagery tiles (one cache hit), one crop tile, one zonal request, two crop-map jobs
    s.add({ kind: 'imagery-tile', workerCpuMs: 10, mainCpuMs: 2, joules: 36, gCo2e: 0.001, tiles: 1, renderedTiles: 1 });
    s.add({ kind: 'imagery-tile', workerCpuMs: 20, mainCpuMs: 2, joules: 72, gCo2e: 0.002, tiles: 1, renderedTiles: 1 });
    s.add({ kind: 'imagery-tile', workerCpuMs: 0, mainCpuMs: 1, joules: 3.6, gCo2e: 0.0001, tiles: 1, renderedTiles: 0 });
    s.add({ kind: 'crop-tile', workerCpuMs: 50, mainCpuMs: 0, joules: 180, gCo2e: 0.005, tiles: 1, renderedTiles: 1 });
    s.add({ kind: 'zonal-stats', workerCpuMs: 100, mainCpuMs: 5, joules: 360, gCo2e: 0.01 });
    s.add({ kind: 'crop-map', workerCpuMs: 1000, mainCpuMs: 100, joules: 7200, gCo2e: 0.2, km2: 100, job: true });
    s.add({ kind: 'crop-map', workerCpuMs: 3000, mainCpuMs: 100, joules: 10800, gCo2e: 0.3, km2: 300, job: true });
    const f = s.figures();
    expect(f.total.count).toBe(7);
    expect(f.total.joules).toBeCloseTo(36 + 72 + 3.6 + 180 + 360 + 7200 + 10800, 9);
    expect(f.total.wh).toBeCloseTo(f.total.joules / 3600, 12);
    expect(f.total.cpuMs).toBe(10 + 2 + 20 + 2 + 1 + 50 + 105 + 1100 + 3100);
    // tiles: 4 served, 3 rendered; tile energy 36 + 72 + 3.6 + 180 = 291.6 J = 0.081 Wh
    expect(f.perThousandTiles!.units).toBe(4);
    expect(f.perThousandTiles!.wh).toBeCloseTo((0.081 / 4) * 1000, 9);
    expect(f.perThousandTiles!.byKind['imagery-tile']!.wh).toBeCloseTo((111.6 / 3600 / 3) * 1000, 9);
    expect(f.perThousandTiles!.byKind['crop-tile']!.wh).toBeCloseTo((180 / 3600) * 1000, 9);
    expect(f.perThousandRenderedTiles!.wh).toBeCloseTo((0.081 / 3) * 1000, 9);
    expect(f.perThousandTiles!.gCo2e).toBeCloseTo((0.0081 / 4) * 1000, 9);
    // crop maps: 18000 J = 5 Wh over 400 km2 and 2 jobs
    expect(f.perKm2Mapped!.wh).toBeCloseTo(5 / 400, 12);
    expect(f.perKm2Mapped!.gCo2e).toBeCloseTo(0.5 / 400, 12);
    expect(f.perCropMapJob!.wh).toBeCloseTo(2.5, 12);
    expect(f.perCropMapJob!.cpuS).toBeCloseTo(2.1, 12);
    // by-kind sums equal the total
    const sum = Object.values(f.byKind).reduce((a, k) => a + k.joules, 0);
    expect(sum).toBeCloseTo(f.total.joules, 9);
    expect(f.byKind.other!.count).toBe(0);
  });

  it('no units, no figure', () => {
    const f = new FootprintTotals().figures();
    expect(f.perThousandTiles).toBeNull();
    expect(f.perKm2Mapped).toBeNull();
    expect(f.perCropMapJob).toBeNull();
    expect(perUnit(f.total, 0)).toBeNull();
  });
});

describe('Server-Timing', () => {
  it('formats and parses back', () => {
    const h = formatServerTiming({ cpuMs: 12.3456789, mWh: 0.00123456789, mgCo2e: 0.000195 });
    expect(h).toBe('cpu;dur=12.3457;desc="worker+main CPU", energy;desc="0.00123457 mWh", co2e;desc="0.000195 mg CO2e"');
    const p = parseServerTiming(h);
    expect(p.map((m) => m.name)).toEqual(['cpu', 'energy', 'co2e']);
    expect(p[0]).toEqual({ name: 'cpu', dur: 12.3457, desc: 'worker+main CPU' });
    expect(footprintFromServerTiming(h)).toEqual({ cpuMs: 12.3457, mWh: 0.00123457, mgCo2e: 0.000195 });
  });

  it('parses other servers\' metrics next to ours', () => {
    const p = parseServerTiming('db;dur=53, app;dur=47.2;desc="a, b; c", cache;desc=hit');
    expect(p).toEqual([{ name: 'db', dur: 53 }, { name: 'app', dur: 47.2, desc: 'a, b; c' }, { name: 'cache', desc: 'hit' }]);
  });
});

describe('metadata and the dashboard note', () => {
  const ctx = { intensity: resolveIntensity(null, 'BRA'), settings: { pue: 1 } };
  const f = { cpuMs: 7_200_000, joules: 18_000, gCo2e: 0.79296, km2: 400, energySource: 'tdp-estimate' as const, joulesPerCpuSecond: 2.5 };

  it('per km2 and the note', () => {
    const m = footprintMetadata(f, ctx);
    expect(m).toMatchObject({ cpuSeconds: 7200, energyWh: 5, co2eGrams: 0.79296, km2: 400, whPerKm2: 0.0125, carbonIntensityGPerKWh: 158.592 });
    expect(dashboardNote(m)).toBe('this map: 5 Wh, 0.79 g CO2e');
    expect(dashboardNote({ energyWh: 0.01234, co2eGrams: 0.00196 })).toBe('this map: 12 mWh, 2 mg CO2e');
  });

  it('STAC properties carry the figures', () => {
    const s = footprintStacProperties(f, ctx);
    expect(s['granary:footprint:energy_wh']).toBe(5);
    expect(s['granary:footprint:co2e_g_per_km2']).toBeCloseTo(0.79296 / 400, 12);
    expect(s['granary:footprint:area_km2']).toBe(400);
    expect(s['granary:footprint:carbon_intensity_g_per_kwh']).toBe(158.592);
  });
});

describe('model trade-off row', () => {
  it('2 us per pixel on 250 m pixels (16 per km2) at 5 J per CPU-second', () => {
    const r = tradeOffRow({ id: 'mlp', role: 'shipped', title: null, cpuUsPerPixel: 2 }, 0.0625, 5, 475);
    expect(r.cpuSecondsPerKm2).toBeCloseTo(32e-6, 15); // 16 px x 2 us
    expect(r.whPerKm2).toBeCloseTo((32e-6 * 5) / 3600, 18);
    expect(r.gCo2ePerKm2).toBeCloseTo(((32e-6 * 5) / 3.6e6) * 475, 20);
  });
});

describe('request kinds', () => {
  it('tile routes by route, others by the dominant worker task', () => {
    expect(kindFromRoute('/tiles/:sceneId/:z/:x/:y')).toBe('imagery-tile');
    expect(kindFromRoute('/tiles/:sceneId/crops/:z/:x/:y')).toBe('crop-tile');
    expect(kindFromRoute('/tiles/:sceneId/crops/confidence/:z/:x/:y')).toBe('crop-tile');
    expect(kindFromRoute('/api/zonal-stats')).toBe('zonal-stats');
    expect(requestKind('/api/yield-gap', { 'zonal-stats': 40, 'inspect-scene': 1 })).toBe('zonal-stats');
    expect(requestKind('/api/scenes', { 'inspect-scene': 100 })).toBe('other');
    expect(requestKind(undefined, {})).toBe('other');
  });
});

describe('recorder', () => {
  const rapl = new RaplMeter('/nonexistent-powercap', { machineCpus: 4 });
  const clockAt = { t: 0 };
  const make = (settings: ConstructorParameters<typeof FootprintRecorder>[0]) =>
    new FootprintRecorder(settings, { rapl, cores: 4, rssBytes: () => 8 * GiB, clock: { source: 'schedstat', ms: () => clockAt.t, close: () => {} } });

  it('records with the configured TDP, PUE and intensity', () => {
    // 40 W on 4 CPUs -> 5 W per busy CPU; 8 GiB -> 3 W / 4 CPUs = 0.75 W; PUE 1.2 -> 6.9 J per CPU-second
    const r = make({ cpuTdpW: 40, pue: 1.2, carbonIntensity: 500 });
    expect(r.model()).toMatchObject({ cpuWattsPerCore: 5, memoryWatts: 3, cpuSource: 'tdp-estimate' });
    const e = r.record({ kind: 'imagery-tile', workerCpuMs: 900, mainCpuMs: 100, tiles: 1, renderedTiles: 1 });
    expect(e.joules).toBeCloseTo(6.9, 12);
    expect(e.mWh).toBeCloseTo((6.9 / 3600) * 1000, 12);
    expect(e.gCo2e).toBeCloseTo((6.9 / 3.6e6) * 500, 15);
    expect(r.figures().perThousandTiles!.wh).toBeCloseTo((6.9 / 3600) * 1000, 9);
    expect(rapl.reason).toMatch(/does not exist/);
  });

  it('track() records a job with its main-thread share and km2', async () => {
    const r = make({ cpuTdpW: 40, carbonIntensity: 500 });
    clockAt.t = 1000;
    const { result, footprint } = await r.track('crop-map', async (job) => {
      clockAt.t = 3000; // 2 s of main-thread CPU during the job
      job.km2 = 50;
      return 'done';
    });
    expect(result).toBe('done');
    expect(footprint).toMatchObject({ kind: 'crop-map', mainCpuMs: 2000, workerCpuMs: 0, km2: 50, job: true });
    // 2 CPU-s x (5 + 0.75) W = 11.5 J
    expect(footprint.joules).toBeCloseTo(11.5, 12);
    expect(r.figures().perKm2Mapped!.wh).toBeCloseTo(11.5 / 3600 / 50, 12);
    expect(r.figures().perCropMapJob!.units).toBe(1);
  });

  it('refuses a PUE below 1', () => {
    expect(() => make({ pue: 0.9 })).toThrow(RangeError);
  });
});
