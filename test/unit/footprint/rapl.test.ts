/**
 * RAPL reading against a fake powercap directory in os.tmpdir(): package domains only (sub-domains
 * and psys skipped), windows, counter wrap-around, and the recorder switching to measured power.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { counterDeltaUj, discoverRapl, RaplMeter } from '../../../server/footprint/rapl.js';
import { FootprintRecorder } from '../../../server/footprint/recorder.js';
import { parseSchedstatMs, threadCpuClock } from '../../../server/footprint/thread-cpu.js';

const root = mkdtempSync(join(tmpdir(), 'granary-rapl-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

function domain(dir: string, id: string, name: string, energy: number, max: number): void {
  const d = join(dir, id);
  mkdirSync(d, { recursive: true });
  writeFileSync(join(d, 'name'), `${name}\n`);
  writeFileSync(join(d, 'energy_uj'), `${energy}\n`);
  writeFileSync(join(d, 'max_energy_range_uj'), `${max}\n`);
}
const setEnergy = (dir: string, id: string, uj: number) => writeFileSync(join(dir, id, 'energy_uj'), `${uj}\n`);

describe('counter arithmetic', () => {
  it('plain difference, and wrap-around at max_energy_range_uj', () => {
    expect(counterDeltaUj(100, 250, 1000)).toBe(150);
    expect(counterDeltaUj(900, 50, 1000)).toBe(150); // (1000 - 900) + 50
    expect(counterDeltaUj(0, 0, 1000)).toBe(0);
    // a real 32-bit-ish range: 262143328850 uJ
    expect(counterDeltaUj(262_143_000_000, 1_000_000, 262_143_328_850)).toBe(328_850 + 1_000_000);
  });
});

describe('fake powercap directory', () => {
  const dir = join(root, 'flat');
  const MAX0 = 10_000_000;
  const MAX1 = 50_000_000;
  domain(dir, 'intel-rapl:0', 'package-0', 1_000, MAX0);
  domain(dir, 'intel-rapl:0:0', 'core', 999_999, MAX0); // sub-domain: skipped
  domain(dir, 'intel-rapl:1', 'package-1', 500, MAX1);
  domain(dir, 'intel-rapl:2', 'psys', 123, MAX1); // platform domain: skipped
  mkdirSync(join(dir, 'intel-rapl'), { recursive: true }); // the control-type directory

  it('finds the package domains only', () => {
    const d = discoverRapl(dir);
    expect(d.reason).toBeNull();
    expect(d.packages.map((p) => [p.id, p.name, p.maxRangeUj])).toEqual([
      ['intel-rapl:0', 'package-0', MAX0],
      ['intel-rapl:1', 'package-1', MAX1],
    ]);
  });

  it('windows of package energy, per machine CPU, across a wrap-around', () => {
    let t = 0;
    const meter = new RaplMeter(dir, { machineCpus: 4, now: () => t, minWindowMs: 1000 });
    expect(meter.available).toBe(true);
    expect(meter.wattsPerCpu()).toBeNull(); // no complete window yet

    // 1 s later: package-0 +3 J, package-1 +1 J -> 4 W -> 1 W per CPU
    t = 1000;
    setEnergy(dir, 'intel-rapl:0', 3_001_000);
    setEnergy(dir, 'intel-rapl:1', 1_000_500);
    let w = meter.sample()!;
    expect(w.joules).toBeCloseTo(4, 12);
    expect(w.watts).toBeCloseTo(4, 12);
    expect(w.wattsPerCpu).toBeCloseTo(1, 12);

    // within the minimum window nothing is re-read
    t = 1500;
    setEnergy(dir, 'intel-rapl:0', 9_999_999);
    expect(meter.sample()).toBe(w);

    // package-0 wraps: 3_001_000 -> 1_000_000 over a 10 J range = (10_000_000 - 3_001_000) + 1_000_000 uJ = 7.999 J
    // package-1: +2 J; total 9.999 J over 1 s (t 1000 -> 2000) -> 2.49975 W per CPU
    t = 2000;
    setEnergy(dir, 'intel-rapl:0', 1_000_000);
    setEnergy(dir, 'intel-rapl:1', 3_000_500);
    w = meter.sample()!;
    expect(w.joules).toBeCloseTo(9.999, 9);
    expect(w.seconds).toBe(1);
    expect(w.wattsPerCpu).toBeCloseTo(2.49975, 9);
    expect(meter.totalJoules).toBeCloseTo(13.999, 9);
    expect(meter.totalSeconds).toBe(2);
  });

  it('the recorder uses the measured W per CPU once a window exists', () => {
    let t = 0;
    setEnergy(dir, 'intel-rapl:0', 0);
    setEnergy(dir, 'intel-rapl:1', 0);
    const meter = new RaplMeter(dir, { machineCpus: 2, now: () => t, minWindowMs: 1000 });
    const r = new FootprintRecorder({ carbonIntensity: 100, cpuTdpW: 40 }, { rapl: meter, cores: 2, rssBytes: () => 0, clock: { source: 'schedstat', ms: () => 0, close: () => {} } });
    expect(r.model().cpuSource).toBe('tdp-estimate'); // 40 * 0.5 / 2 = 10 W before the first window
    expect(r.model().cpuWattsPerCore).toBe(10);
    t = 2000;
    setEnergy(dir, 'intel-rapl:0', 6_000_000); // 6 J
    setEnergy(dir, 'intel-rapl:1', 2_000_000); // 2 J -> 8 J / 2 s / 2 CPUs = 2 W per CPU
    const m = r.model();
    expect(m.cpuSource).toBe('rapl');
    expect(m.cpuWattsPerCore).toBeCloseTo(2, 12);
    const e = r.record({ kind: 'zonal-stats', workerCpuMs: 1500 });
    expect(e.joules).toBeCloseTo(3, 12); // 1.5 CPU-s x 2 W
    expect(e.energySource).toBe('rapl');
    expect(e.gCo2e).toBeCloseTo((3 / 3.6e6) * 100, 15);
  });

  it('the nested layout <dir>/intel-rapl/intel-rapl:0 is found too', () => {
    const nested = join(root, 'nested');
    domain(join(nested, 'intel-rapl'), 'intel-rapl:0', 'package-0', 42, 1000);
    expect(discoverRapl(nested).packages.map((p) => p.id)).toEqual(['intel-rapl:0']);
  });

  it('says why when there is nothing to read', () => {
    expect(discoverRapl(join(root, 'missing')).reason).toMatch(/does not exist/);
    mkdirSync(join(root, 'empty'));
    expect(discoverRapl(join(root, 'empty')).reason).toMatch(/no intel-rapl/);
    const m = new RaplMeter(join(root, 'empty'), { machineCpus: 2 });
    expect(m.available).toBe(false);
    expect(m.wattsPerCpu()).toBeNull();
  });
});

describe('thread CPU clock', () => {
  it('parses schedstat and reads a monotonic clock', () => {
    expect(parseSchedstatMs('349703914 729368419 125\n')).toBeCloseTo(349.703914, 9);
    expect(() => parseSchedstatMs('x')).toThrow();
    const c = threadCpuClock();
    const a = c.ms();
    let x = 0;
    for (let i = 0; i < 1e6; i++) x += Math.sqrt(i);
    expect(x).toBeGreaterThan(0);
    expect(c.ms()).toBeGreaterThanOrEqual(a);
    c.close();
    const f = threadCpuClock(join(root, 'no-such-file'));
    expect(f.source).toBe('event-loop-utilization');
  });

  it('refuses a reading after close, with a clear error (not EBADF, nor a reused fd)', () => {
    for (const c of [threadCpuClock(), threadCpuClock(join(root, 'no-such-file'))]) {
      c.ms();
      c.close();
      expect(() => c.ms(), c.source).toThrow(/read after close/);
      c.close(); // idempotent
    }
  });
});
