import { describe, expect, it } from 'vitest';
import { booleanValid, polygon } from '@turf/turf';
import { traceComponents, simplifyPolygons, signedArea, labelComponents } from '../../../server/cropmap/polygonize.js';

const area = (rings: number[][][]) => rings.reduce((s, r, k) => s + (k === 0 ? 1 : -1) * Math.abs(signedArea(r)), 0);
/** y-down pixel rings -> y-up so that Turf's validity rules read them as map polygons. */
const flip = (rings: number[][][]) => rings.map((r) => r.map(([x, y]) => [x!, -y!]));

describe('polygonize', () => {
  it('labels 4-connected components, diagonals apart', () => {
    const { count } = labelComponents([1, 0, 0, 1], 2, 2, 255);
    expect(count).toBe(4);
  });

  it('gives a ring with a hole around an enclosed pixel', () => {
    const v = [1, 1, 1, 1, 2, 1, 1, 1, 1];
    const polys = traceComponents(v, null, 3, 3, 255);
    expect(polys).toHaveLength(2);
    const outer = polys.find((p) => p.value === 1)!;
    expect(outer.rings).toHaveLength(2);
    expect(area(outer.rings)).toBe(8);
    expect(outer.rings[0]).toHaveLength(5); // collinear vertices merged: a square
    const inner = polys.find((p) => p.value === 2)!;
    expect(area(inner.rings)).toBe(1);
  });

  it('keeps a pinch vertex between a hole and the outside as two rings (left-turn rule)', () => {
    const v = [1, 1, 0, 1, 0, 1, 1, 1, 1];
    const polys = traceComponents(v, null, 3, 3, 255);
    const ones = polys.find((p) => p.value === 1)!;
    expect(ones.pixels).toBe(7);
    expect(ones.rings).toHaveLength(2);
    expect(area(ones.rings)).toBe(7);
    expect(booleanValid(polygon(flip(ones.rings)))).toBe(true);
  });

  it('covers every classified pixel exactly once, and simplification keeps areas within 2 %', () => {
    // A pseudo-random class raster with nodata.
    let s = 42;
    const rnd = () => ((s = (s * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    const w = 40;
    const h = 30;
    const v = Array.from({ length: w * h }, (_, i) => {
      const x = i % w;
      const y = Math.floor(i / w);
      if (rnd() < 0.03) return 255;
      return (Math.floor(x / 7) + Math.floor(y / 5) + (rnd() < 0.15 ? 1 : 0)) % 4;
    });
    const polys = traceComponents(v, null, w, h, 255);
    const total = polys.reduce((t, p) => t + area(p.rings), 0);
    expect(total).toBe(v.filter((x) => x !== 255).length);
    for (const p of polys) expect(area(p.rings)).toBe(p.pixels);
    for (const p of polys) expect(booleanValid(polygon(flip(p.rings)))).toBe(true);
    const simplified = simplifyPolygons(polys, 0.6);
    const totalS = simplified.reduce((t, r) => t + area(r), 0);
    expect(Math.abs(totalS - total) / total).toBeLessThan(0.02);
  });
});
