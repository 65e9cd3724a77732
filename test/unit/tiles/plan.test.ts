import { describe, expect, it } from 'vitest';
import { sampleCoords, chooseLevel, planWindow } from '../../../server/raster/plan.js';
import { warp, warpBands } from '../../../server/raster/warp.js';
import { PlanCache } from '../../../server/raster/plan-cache.js';
import { transformer, WEB_MERCATOR } from '../../../server/geo/crs.js';
import { tileBounds3857, isValidTile, lonLatTo3857, mercatorToLonLat, zoomForResolution } from '../../../server/geo/tile-grid.js';

const identity = (x: number, y: number): [number, number] => [x, y];

describe('tile grid', () => {
  it('gives the bounds of the world tile and of a child', () => {
    const [a, b, c, d] = tileBounds3857(0, 0, 0);
    expect(a).toBeCloseTo(-20037508.342789244, 6);
    expect(d).toBeCloseTo(20037508.342789244, 6);
    expect(c - a).toBeCloseTo(d - b, 6);
    expect(tileBounds3857(1, 1, 1)).toEqual([0, -20037508.342789244, 20037508.342789244, 0]);
  });
  it('round-trips lon/lat through Web Mercator and validates addresses', () => {
    const [x, y] = lonLatTo3857(-55.5, -11.6);
    const [lon, lat] = mercatorToLonLat(x, y);
    expect(lon).toBeCloseTo(-55.5, 9);
    expect(lat).toBeCloseTo(-11.6, 9);
    expect(isValidTile(3, 7, 7)).toBe(true);
    expect(isValidTile(3, 8, 0)).toBe(false);
    expect(isValidTile(-1, 0, 0)).toBe(false);
  });
  it('finds the zoom whose pixels are at least as fine as a resolution', () => {
    expect(zoomForResolution(231.656, -11.6)).toBe(10);
    expect(zoomForResolution(300, 24.5)).toBe(9);
  });
});

describe('tile plan', () => {
  // A source grid in the tile CRS itself: 4x4 pixels of 10 m from (0, 40).
  const grid = { width: 4, height: 4, geotransform: [0, 10, 0, 40, 0, -10] as const };

  it('maps output pixel centres to continuous source pixel coordinates', () => {
    const c = sampleCoords([0, 0, 40, 40], 4, grid, identity);
    expect(Array.from(c.cols.slice(0, 4))).toEqual([0.5, 1.5, 2.5, 3.5]);
    expect(Array.from(c.rows.filter((_, i) => i % 4 === 0))).toEqual([0.5, 1.5, 2.5, 3.5]);
    expect(c.factor).toBeCloseTo(1, 9);
  });

  it('picks the coarsest overview that is still fine enough', () => {
    const levels = [{ width: 1024, height: 1024 }, { width: 512, height: 512 }, { width: 256, height: 256 }, { width: 128, height: 128 }];
    expect(chooseLevel(levels, 1)).toBe(0);
    expect(chooseLevel(levels, 1.9)).toBe(0);
    expect(chooseLevel(levels, 2)).toBe(1);
    expect(chooseLevel(levels, 5)).toBe(2);
    expect(chooseLevel(levels, 100)).toBe(3);
  });

  it('plans an empty tile outside the raster and a clipped window at its edge', () => {
    const levels = [{ width: 4, height: 4 }];
    const outside = sampleCoords([100, 100, 140, 140], 4, grid, identity);
    expect(planWindow(outside, levels, 0, 'nearest')).toEqual({ kind: 'empty' });
    // Half the tile over the raster's right half.
    const edge = sampleCoords([20, 0, 60, 40], 4, grid, identity);
    const plan = planWindow(edge, levels, 0, 'nearest');
    expect(plan).toEqual({ kind: 'window', level: 0, window: [2, 0, 4, 4], scaleX: 1, scaleY: 1 });
  });

  it('warps nearest and bilinear like GDAL, nodata-aware', () => {
    const levels = [{ width: 4, height: 4 }];
    // Output grid twice as fine as the source over its top-left 2x2 pixels.
    const c = sampleCoords([0, 20, 20, 40], 4, grid, identity);
    const plan = planWindow(c, levels, 0, 'bilinear');
    if (plan.kind !== 'window') throw new Error('expected a window');
    const src = Float32Array.from([0, 10, 20, 30, 40, 50, 60, 70, 80, 90, 100, 110, 120, 130, 140, 150]);
    const win = plan.window;
    const ww = win[2] - win[0];
    const sub = new Float32Array(ww * (win[3] - win[1]));
    for (let r = win[1]; r < win[3]; r++) for (let q = win[0]; q < win[2]; q++) sub[(r - win[1]) * ww + (q - win[0])] = src[r * 4 + q]!;
    const near = warp(sub, win, levels[0]!, c, 1, 1, 'nearest');
    expect(Array.from(near.slice(0, 4))).toEqual([0, 0, 10, 10]);
    const bil = warp(sub, win, levels[0]!, c, 1, 1, 'bilinear');
    // Output centre (0.25, 0.25) source px: sample at (-0.25,-0.25): only pixel 0 is inside -> 0.
    expect(bil[0]).toBeCloseTo(0, 6);
    // Output pixel (1,1) centre at (0.75, 0.75): weights .25/.25 on pixel (0,0)-(1,1) -> 0.25*0 + .. = 2.5+10 = 12.5
    expect(bil[5]).toBeCloseTo(0.75 * 0.75 * 0 + 0.25 * 0.75 * 10 + 0.75 * 0.25 * 40 + 0.25 * 0.25 * 50, 5);
    // A nodata neighbour is dropped and the weights renormalised.
    sub[1] = NaN;
    const bil2 = warp(sub, win, levels[0]!, c, 1, 1, 'bilinear');
    expect(bil2[5]).toBeCloseTo((0.75 * 0.75 * 0 + 0.75 * 0.25 * 40 + 0.25 * 0.25 * 50) / (1 - 0.25 * 0.75), 5);
  });

  describe('on a real reprojection (Web Mercator -> MODIS sinusoidal)', () => {
    const sinu = '+proj=sinu +lon_0=0 +x_0=0 +y_0=0 +a=6371007.181 +b=6371007.181 +no_defs';
    const conv = transformer(WEB_MERCATOR, sinu);
    const toSource = (x: number, y: number) => conv.forward([x, y]) as [number, number];
    const modis = { width: 254, height: 144, geotransform: [-6073587.958, 231.656, 0, -1278725.64, 0, -231.656] as const };
    const levels = [{ width: 254, height: 144 }];
    // Inside, across the edge, and outside the raster; 256 and 512 px.
    const tiles: Array<[number, number, number, number]> = [[12, 1426, 2180, 256], [10, 354, 545, 256], [10, 354, 545, 512], [9, 177, 272, 256], [12, 1400, 2100, 256]];

    it('interpolates rows exactly as the materialised coordinates, and the window covers every pixel that falls inside', () => {
      for (const [z, x, y, size] of tiles) {
        const c = sampleCoords(tileBounds3857(z, x, y), size, modis, toSource);
        const cols = new Float64Array(size);
        const rows = new Float64Array(size);
        c.row(7, cols, rows);
        expect(Array.from(cols)).toEqual(Array.from(c.cols.subarray(7 * size, 8 * size)));
        expect(Array.from(rows)).toEqual(Array.from(c.rows.subarray(7 * size, 8 * size)));
        const plan = planWindow(c, levels, 0, 'nearest');
        let inside = 0;
        let outsideWindow = 0;
        for (let k = 0; k < size * size; k++) {
          const col = c.cols[k]!;
          const row = c.rows[k]!;
          if (!(col >= 0 && row >= 0 && col < 254 && row < 144)) continue;
          inside++;
          if (plan.kind !== 'window') throw new Error(`tile ${z}/${x}/${y}: pixel inside but plan empty`);
          const [c0, r0, c1, r1] = plan.window;
          if (!(Math.floor(col) >= c0 && Math.floor(col) < c1 && Math.floor(row) >= r0 && Math.floor(row) < r1)) outsideWindow++;
        }
        expect(outsideWindow).toBe(0);
        if (inside === 0) expect(plan.kind).toBe('empty');
      }
    });

    it('warps several bands in one pass exactly as one at a time', () => {
      const c = sampleCoords(tileBounds3857(10, 354, 545), 256, modis, toSource);
      const plan = planWindow(c, levels, 0, 'bilinear');
      if (plan.kind !== 'window') throw new Error('expected a window');
      const n = (plan.window[2] - plan.window[0]) * (plan.window[3] - plan.window[1]);
      const a = Float32Array.from({ length: n }, (_, i) => (i % 7 === 0 ? NaN : i));
      const b = Float32Array.from({ length: n }, (_, i) => Math.sin(i));
      for (const mode of ['nearest', 'bilinear'] as const) {
        const both = warpBands([a, b], plan.window, levels[0]!, c, 1, 1, mode);
        expect(Array.from(both[0]!)).toEqual(Array.from(warp(a, plan.window, levels[0]!, c, 1, 1, mode)));
        expect(Array.from(both[1]!)).toEqual(Array.from(warp(b, plan.window, levels[0]!, c, 1, 1, mode)));
      }
    });

    it('warps more bands than one pass holds exactly as a pixel-by-pixel reference of the stated conventions', () => {
      // the reference: every output pixel on its own, GDAL's conventions as warp.ts states them
      const reference = (src: Float32Array, win: readonly [number, number, number, number], cols: Float64Array, rows: Float64Array, mode: 'nearest' | 'bilinear') => {
        const [c0, r0, c1, r1] = win;
        const ww = c1 - c0;
        const wh = r1 - r0;
        return Float32Array.from(cols, (col, k) => {
          const row = rows[k]!;
          if (!(col >= 0 && row >= 0 && col < 254 && row < 144)) return NaN;
          if (mode === 'nearest') {
            const i = Math.floor(col) - c0;
            const j = Math.floor(row) - r0;
            return i >= 0 && j >= 0 && i < ww && j < wh ? src[j * ww + i]! : NaN;
          }
          const x = col - 0.5 - c0;
          const y = row - 0.5 - r0;
          const i0 = Math.floor(x);
          const j0 = Math.floor(y);
          let sum = 0;
          let wsum = 0;
          for (const [di, dj] of [[0, 0], [1, 0], [0, 1], [1, 1]] as const) {
            const i = i0 + di;
            const j = j0 + dj;
            if (i < 0 || j < 0 || i >= ww || j >= wh || Number.isNaN(src[j * ww + i]!)) continue;
            const w = (di === 0 ? 1 - (x - i0) : x - i0) * (dj === 0 ? 1 - (y - j0) : y - j0);
            sum += src[j * ww + i]! * w;
            wsum += w;
          }
          return wsum > 1e-9 ? sum / wsum : NaN;
        });
      };
      for (const [z, x, y, size] of tiles) {
        const c = sampleCoords(tileBounds3857(z, x, y), size, modis, toSource);
        for (const mode of ['nearest', 'bilinear'] as const) {
          const plan = planWindow(c, levels, 0, mode);
          if (plan.kind !== 'window') continue;
          const n = (plan.window[2] - plan.window[0]) * (plan.window[3] - plan.window[1]);
          // six bands (two passes), with nodata scattered differently in each
          const bands = Array.from({ length: 6 }, (_, b) => Float32Array.from({ length: n }, (_, i) => (i % (5 + b) === 0 ? NaN : Math.sin(i * (b + 1)) * 100)));
          const warped = warpBands(bands, plan.window, levels[0]!, c, 1, 1, mode);
          bands.forEach((src, b) => {
            const want = reference(src, plan.window, c.cols, c.rows, mode);
            const got = warped[b]!;
            const differ = want.filter((v, k) => !Object.is(v, got[k])).length;
            expect(differ, `${z}/${x}/${y}@${size} ${mode} band ${b}`).toBe(0);
          });
        }
      }
    });

    it('interpolates the projected grid bilinearly between its nodes', () => {
      const size = 256;
      const c = sampleCoords(tileBounds3857(10, 354, 545), size, modis, toSource);
      const step = (size - 1) / 16;
      const cols = new Float64Array(size);
      const rows = new Float64Array(size);
      for (const j of [0, 7, 128, 255]) {
        c.row(j, cols, rows);
        for (const i of [0, 1, 15, 16, 100, 254, 255]) {
          const gi = Math.min(15, Math.floor(i / step));
          const gj = Math.min(15, Math.floor(j / step));
          const ti = i / step - gi;
          const tj = j / step - gj;
          const node = (g: Float64Array, a: number, b: number) => g[b * 17 + a]!;
          const at = (g: Float64Array) => (node(g, gi, gj) * (1 - ti) + node(g, gi + 1, gj) * ti) * (1 - tj) + (node(g, gi, gj + 1) * (1 - ti) + node(g, gi + 1, gj + 1) * ti) * tj;
          expect(cols[i]).toBeCloseTo(at(c.gridCols), 9);
          expect(rows[i]).toBeCloseTo(at(c.gridRows), 9);
        }
      }
    });

    it('keeps tile plans in a byte-bounded cache', () => {
      const cache = new PlanCache(64 * 1024);
      let made = 0;
      const make = (x: number) => () => {
        made++;
        return sampleCoords(tileBounds3857(12, x, 2180), 256, modis, toSource);
      };
      const first = cache.get('a', make(1426));
      expect(cache.get('a', make(1426))).toBe(first);
      expect(made).toBe(1);
      for (let x = 0; x < 20; x++) cache.get(`t${x}`, make(1400 + x));
      expect(cache.size).toBeLessThan(20); // ~8 KB a plan: the oldest were evicted
      cache.get('a', make(1426));
      expect(made).toBe(22);
    });
  });
});
