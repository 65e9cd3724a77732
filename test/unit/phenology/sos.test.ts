import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { readFileSync } from 'node:fs';
import { fillGaps, savitzkyGolay5, startOfSeason, seasonsOf, dayOfSeason } from '../../../server/phenology/sos.js';
import { summariseWindows, compareToWindow, monthDayOf } from '../../../server/phenology/windows.js';
import { readVariableStack } from '../../../server/phenology/read-series.js';
import { createRasterContext } from '../../../server/workers/raster-context.js';
import { inspectScene } from '../../../server/catalog/inspect.js';
import { sceneFromItem } from '../../../server/catalog/scene.js';
import { pixelAt } from '../../../server/pipeline/point.js';
import { FIXTURES, SINOP_NDVI, SINOP_EVI, IPIRANGA } from '../../helpers/test-app.js';

// 23 composites of a September-August season, 16 days apart from 14 September 2013
const DATES = Array.from({ length: 23 }, (_, i) => new Date(Date.UTC(2013, 8, 14) + i * 16 * 86_400_000).toISOString().slice(0, 10));

describe('start of season (pure)', () => {
  it('dates a linear rise through 20 % of the amplitude by interpolation', () => {
    // flat 0.2 up to composite 5, +0.05 per composite to 0.8 at composite 17, then flat.
    const v = DATES.map((_, i) => Math.min(0.8, 0.2 + Math.max(0, i - 5) * 0.05));
    const r = startOfSeason(DATES, v);
    expect(r.status).toBe('ok');
    // smoothing rounds the two kinks by < 0.005, so base ~ 0.2, peak ~ 0.8, level ~ 0.32, reached at
    // composite 7.4 (7 = 2014-01-04 = day 125 since 1 Sep) + 0.4 x 16 days = day 131.4 (+-1 for the kinks)
    expect(r.base!).toBeCloseTo(0.2, 1);
    expect(Math.abs(r.base! - 0.2)).toBeLessThan(0.006);
    expect(Math.abs(r.peak! - 0.8)).toBeLessThan(0.006);
    expect(r.dayOfSeason!).toBeGreaterThanOrEqual(130);
    expect(r.dayOfSeason!).toBeLessThanOrEqual(132);
    expect(r.date!.slice(0, 8)).toBe('2014-01-');
  });

  it('finds the first crop of a double-cropped season even when the second peak is higher', () => {
    const soy = (i: number) => 0.3 + 0.45 * Math.exp(-(((i - 6) / 2) ** 2));
    const second = (i: number) => 0.55 * Math.exp(-(((i - 14) / 2) ** 2));
    const v = DATES.map((_, i) => soy(i) + second(i));
    const r = startOfSeason(DATES, v);
    expect(r.peakDate).toBe(DATES[6]);
    expect(r.dayOfSeason!).toBeLessThan(dayOfSeason(Date.parse(`${DATES[6]}T00:00:00Z`), 2013));
    expect(r.dayOfSeason!).toBeGreaterThan(dayOfSeason(Date.parse(`${DATES[1]}T00:00:00Z`), 2013));
  });

  it('gives no season for a flat curve and no data for an empty one', () => {
    expect(startOfSeason(DATES, DATES.map(() => 0.85)).status).toBe('no-season');
    expect(startOfSeason(DATES, DATES.map((_, i) => 0.8 + 0.04 * Math.sin(i))).status).toBe('no-season');
    expect(startOfSeason(DATES, DATES.map(() => null)).status).toBe('no-data');
    expect(() => startOfSeason(DATES, [1, 2])).toThrow(RangeError);
    expect(() => startOfSeason(DATES, DATES.map(() => 0.5), { fraction: 1.5 })).toThrow(RangeError);
  });

  it('fills gaps linearly and smooths with the window-5 quadratic Savitzky-Golay weights', () => {
    expect(fillGaps([1, null, 3, NaN, NaN, 6])).toEqual([1, 2, 3, 4, 5, 6]);
    expect(fillGaps([null, null, 1])).toBeNull();
    // a quadratic is preserved exactly by a quadratic SG filter
    const q = [0, 1, 4, 9, 16, 25, 36];
    savitzkyGolay5(q).forEach((x, i) => expect(x).toBeCloseTo(q[i]!, 10));
    expect(savitzkyGolay5([0, 0, 35, 0, 0])[2]).toBeCloseTo(17, 10);
  });

  it('summarises windows per municipality and class and places a field against one', () => {
    const samples = [10, 20, 30, 40, 50].map((d) => ({ regionId: '5107909', label: 'Soy_Corn', season: 2013, dayOfSeason: d }));
    const [w] = summariseWindows([...samples, { regionId: '5107909', label: 'Soy_Corn', season: 2013, dayOfSeason: null }, { regionId: null, label: 'X', season: 2013, dayOfSeason: 3 }]);
    expect(w).toMatchObject({ regionId: '5107909', label: 'Soy_Corn', n: 5, nWithoutSeason: 1, p10: 14, p50: 30, p90: 46, p50MonthDay: '10-01' });
    expect(compareToWindow(5, w!)).toEqual({ position: 'earlier', daysFromMedian: -25 });
    expect(compareToWindow(30, w!).position).toBe('within');
    expect(compareToWindow(47, w!).position).toBe('later');
    expect(monthDayOf(0)).toBe('09-01');
    expect(monthDayOf(122)).toBe('01-01');
  });
});

/** Reads the labelled samples' own pixels and dates their start of season (the real data). */
async function samplesSos(sceneId: string, hrefs: string[], scale: number | undefined, csv: string) {
  const policy = { readRoots: [FIXTURES], remoteHosts: [], remoteTimeoutMs: 1000 };
  const item = await inspectScene(hrefs, { id: sceneId, variables: hrefs.length === 1 ? ['ndvi'] : undefined, ...(scale ? { scale } : {}) } as never, policy, join(FIXTURES, 'catalog'));
  const scene = sceneFromItem(item, join(FIXTURES, 'catalog', `${sceneId}.json`), 'test');
  const ctx = createRasterContext({ policy, blockCacheBytes: 64 * 1024 * 1024 });
  const stack = await readVariableStack(ctx, scene, 'ndvi').finally(() => ctx.close());
  const seasons = seasonsOf(stack.dates);
  const lines = readFileSync(join(FIXTURES, 'labels', csv), 'utf8').trim().split('\n');
  const header = lines[0]!.split(',');
  const col = (n: string[]) => header.findIndex((h) => n.includes(h));
  const [lo, la, st, lb] = [col(['longitude']), col(['latitude']), col(['start_date', 'from']), col(['label'])];
  return lines.slice(1).map((l) => {
    const c = l.split(',');
    const px = pixelAt(scene, Number(c[lo]), Number(c[la]))!;
    const idx = seasons.get(Number(c[st]!.slice(0, 4)))!;
    const r = startOfSeason(idx.map((i) => stack.dates[i]!), idx.map((i) => stack.values[i]![px.row * stack.width + px.col]!));
    return { label: c[lb]!, season: Number(c[st]!.slice(0, 4)), ...r };
  });
}

describe('start of season on the real labelled samples', () => {
  it('soy-first classes of Ipiranga do Norte (dtwSat, 6 seasons) green up between September and December', async () => {
    const rows = await samplesSos('ipiranga', [IPIRANGA('ndvi')], undefined, 'lucc_mt_samples_public.csv');
    const soy = rows.filter((r) => r.label.startsWith('Soybean-'));
    expect(soy.length).toBeGreaterThan(300);
    for (const r of soy) {
      expect(r.date, `${r.label} ${r.season}`).not.toBeNull();
      const m = Number(r.date!.slice(5, 7));
      expect([9, 10, 11, 12], `${r.label} season ${r.season}: ${r.date}`).toContain(m);
      expect(Number(r.date!.slice(0, 4))).toBe(r.season);
    }
    expect(new Set(soy.map((r) => r.season)).size).toBeGreaterThanOrEqual(3);
  }, 60_000);

  it('soy-first samples of Sinop (sits, 2013-14) green up between September and December', async () => {
    const rows = await samplesSos('sinop', [SINOP_NDVI, SINOP_EVI], 0.0001, 'sinop_crop_samples_public.csv');
    const soy = rows.filter((r) => r.label.startsWith('Soy_'));
    expect(soy.length).toBeGreaterThan(3);
    for (const r of soy) expect(r.date! >= '2013-09-01' && r.date! <= '2013-12-31', `${r.label}: ${r.date}`).toBe(true);
  }, 60_000);
});
