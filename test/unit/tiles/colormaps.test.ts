import { describe, expect, it } from 'vitest';
import { buildLut, ColormapRegistry } from '../../../server/render/colormaps.js';
import { colorizeSingle, colorizeRgb } from '../../../server/render/colorize.js';

describe('colormaps', () => {
  it('interpolates stops into a 256-entry table', () => {
    const lut = buildLut([{ value: 0, color: '#000000' }, { value: 1, color: '#ff0000' }]);
    expect(Array.from(lut.slice(0, 4))).toEqual([0, 0, 0, 255]);
    expect(Array.from(lut.slice(255 * 4, 256 * 4))).toEqual([255, 0, 0, 255]);
    expect(lut[128 * 4]).toBe(128);
  });
  it('serves every registered map, flags the one that is not colour-blind safe', () => {
    const r = new ColormapRegistry();
    expect(r.names()).toContain('viridis');
    expect(r.get('rdylgn')?.colorblindSafe).toBe(false);
    expect(r.lut('viridis')?.length).toBe(1024);
  });
  it('rescales, clamps and makes nodata transparent', () => {
    const rgba = colorizeSingle(Float32Array.from([0, 0.5, 2, NaN]), [0, 1], null);
    expect(Array.from(rgba)).toEqual([0, 0, 0, 255, 128, 128, 128, 255, 255, 255, 255, 255, 0, 0, 0, 0]);
    const rgb = colorizeRgb([Float32Array.from([1, 1]), Float32Array.from([0, NaN]), Float32Array.from([0.5, 0])], [[0, 1], [0, 1], [0, 1]]);
    expect(Array.from(rgb)).toEqual([255, 0, 128, 255, 0, 0, 0, 0]);
  });
});
