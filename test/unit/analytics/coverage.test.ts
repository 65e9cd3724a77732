import { describe, expect, it } from 'vitest';
import { coverageFractions, shoelace, type PixelPolygon } from '../../../server/analytics/coverage.js';

type Pt = [number, number];
const at = (g: ReturnType<typeof coverageFractions>, col: number, row: number): number => {
  const c = col - g.col0;
  const r = row - g.row0;
  if (c < 0 || r < 0 || c >= g.width || r >= g.height) return 0;
  return g.fractions[r * g.width + c]!;
};
const rect = (x0: number, y0: number, x1: number, y1: number): Pt[] => [
  [x0, y0],
  [x1, y0],
  [x1, y1],
  [x0, y1],
  [x0, y0],
];
const sum = (a: Float64Array): number => a.reduce((s, v) => s + v, 0);

/** Independent reference: clip the ring to one pixel square (Sutherland-Hodgman) and take its area. */
function clippedArea(ring: Pt[], c: number, r: number): number {
  let poly = ring.slice(0, -1);
  const edges: Array<[(p: Pt) => number, number]> = [
    [(p) => p[0] - c, 0],
    [(p) => c + 1 - p[0], 0],
    [(p) => p[1] - r, 1],
    [(p) => r + 1 - p[1], 1],
  ];
  for (const [inside] of edges) {
    const out: Pt[] = [];
    for (let i = 0; i < poly.length; i++) {
      const a = poly[i]!;
      const b = poly[(i + 1) % poly.length]!;
      const ia = inside(a);
      const ib = inside(b);
      if (ia >= 0) out.push(a);
      if ((ia >= 0) !== (ib >= 0)) {
        const t = ia / (ia - ib);
        out.push([a[0] + t * (b[0] - a[0]), a[1] + t * (b[1] - a[1])]);
      }
    }
    poly = out;
    if (poly.length === 0) return 0;
  }
  return Math.abs(shoelace(poly));
}

/** Seeded PRNG (mulberry32) so random cases are reproducible. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * A random star-shaped (hence simple) polygon around (cx, cy): n >= 5 jittered angles keep every
 * angular gap below pi, so (cx, cy) stays inside and no edge crosses another.
 */
function randomStar(rand: () => number, cx: number, cy: number, rMax: number, n: number): Pt[] {
  if (n < 5) throw new Error('n >= 5');
  const angles = Array.from({ length: n }, (_, i) => ((i + 0.5 * rand()) / n) * 2 * Math.PI);
  const ring: Pt[] = angles.map((t) => {
    const r = rMax * (0.2 + 0.8 * rand());
    return [cx + r * Math.cos(t), cy + r * Math.sin(t)];
  });
  ring.push(ring[0]!);
  return ring;
}

describe('coverageFractions', () => {
  it('a unit square offset by half a pixel covers four quarters', () => {
    const g = coverageFractions([[rect(0.5, 0.5, 1.5, 1.5)]], 4, 4);
    expect({ col0: g.col0, row0: g.row0, width: g.width, height: g.height }).toEqual({ col0: 0, row0: 0, width: 2, height: 2 });
    for (const f of g.fractions) expect(f).toBeCloseTo(0.25, 15);
  });

  it('does not depend on ring orientation', () => {
    const cw = rect(0.3, 0.6, 2.7, 1.9);
    const ccw = [...cw].reverse();
    expect([...coverageFractions([[ccw]], 5, 5).fractions]).toEqual([...coverageFractions([[cw]], 5, 5).fractions].map((v) => expect.closeTo(v, 14)));
  });

  it('subtracts holes whatever their orientation', () => {
    const shell = rect(0, 0, 4, 4);
    const hole = rect(1.5, 1.5, 2.5, 2.5);
    for (const h of [hole, [...hole].reverse()]) {
      const g = coverageFractions([[shell, h]], 4, 4);
      for (let r = 0; r < 4; r++)
        for (let c = 0; c < 4; c++) expect(at(g, c, r)).toBeCloseTo(c >= 1 && c <= 2 && r >= 1 && r <= 2 ? 0.75 : 1, 14);
      expect(sum(g.fractions)).toBeCloseTo(16 - 1, 12);
    }
  });

  it('handles a polygon smaller than a pixel', () => {
    const g = coverageFractions([[[[0.2, 0.2], [0.6, 0.2], [0.2, 0.7], [0.2, 0.2]]]], 3, 3);
    expect(g.width * g.height).toBe(1);
    expect(g.fractions[0]).toBeCloseTo(0.1, 15);
    // straddling a pixel corner: 0.2 x 0.2 square centred on (2, 1)
    const s = coverageFractions([[rect(1.9, 0.9, 2.1, 1.1)]], 3, 3);
    for (const [c, r] of [[1, 0], [2, 0], [1, 1], [2, 1]] as const) expect(at(s, c, r)).toBeCloseTo(0.01, 14);
  });

  it('clips to the raster when partly outside, and is empty when entirely outside', () => {
    const g = coverageFractions([[rect(-1, -1, 1.5, 1.5)]], 3, 3);
    expect({ col0: g.col0, row0: g.row0, width: g.width, height: g.height }).toEqual({ col0: 0, row0: 0, width: 2, height: 2 });
    expect([...g.fractions].map((v) => +v.toFixed(12))).toEqual([1, 0.5, 0.5, 0.25]);
    // leaving through the right and bottom edges too
    const h = coverageFractions([[rect(1.5, 1.5, 5, 7)]], 3, 3);
    expect([...h.fractions].map((v) => +v.toFixed(12))).toEqual([0.25, 0.5, 0.5, 1]);
    // a diagonal edge that enters from the left: triangle (-2,0) (2,0) (-2,4) over a 3x3 raster
    const t = coverageFractions([[[[-2, 0], [2, 0], [-2, 4], [-2, 0]]]], 3, 3);
    const tri: Pt[] = [[-2, 0], [2, 0], [-2, 4], [-2, 0]];
    for (let r = 0; r < 3; r++) for (let c = 0; c < 3; c++) expect(at(t, c, r)).toBeCloseTo(clippedArea(tri, c, r), 12);
    const out = coverageFractions([[rect(5, 5, 6, 6)]], 3, 3);
    expect(out.width * out.height).toBe(0);
    expect(out.fractions.length).toBe(0);
  });

  it('adds the parts of a MultiPolygon', () => {
    const g = coverageFractions([[rect(0, 0, 1, 1)], [rect(2.5, 2, 3.5, 3)]], 5, 5);
    expect(at(g, 0, 0)).toBe(1);
    expect(at(g, 2, 2)).toBeCloseTo(0.5, 15);
    expect(at(g, 3, 2)).toBeCloseTo(0.5, 15);
    expect(at(g, 1, 1)).toBe(0);
    expect(sum(g.fractions)).toBeCloseTo(2, 14);
  });

  it('sum of fractions equals the shoelace area, and every pixel matches exact clipping, for random polygons', () => {
    const rand = rng(20240607);
    for (let k = 0; k < 60; k++) {
      const n = 5 + Math.floor(rand() * 40);
      const rMax = 0.3 + rand() * 12;
      const ring = randomStar(rand, 15 + rand() * 5, 15 + rand() * 5, rMax, n);
      const g = coverageFractions([[ring]], 40, 40);
      expect(Math.abs(sum(g.fractions) - Math.abs(shoelace(ring)))).toBeLessThan(1e-9);
      let worst = 0;
      for (let r = g.row0; r < g.row0 + g.height; r++)
        for (let c = g.col0; c < g.col0 + g.width; c++) worst = Math.max(worst, Math.abs(at(g, c, r) - clippedArea(ring, c, r)));
      expect(worst).toBeLessThan(1e-9);
    }
  });

  it('random polygons with a hole: sum equals shell minus hole area', () => {
    const rand = rng(7);
    for (let k = 0; k < 20; k++) {
      const shell = randomStar(rand, 20, 20, 15, 30);
      // a hole inside the shell: shell vertices are at r >= 3 with gaps < 0.6 pi, so its edges stay beyond 3 cos(0.3 pi) = 1.76
      const hole = randomStar(rand, 20, 20, 1.7, 12);
      const g = coverageFractions([[shell, hole]] as PixelPolygon[], 40, 40);
      expect(Math.abs(sum(g.fractions) - (Math.abs(shoelace(shell)) - Math.abs(shoelace(hole))))).toBeLessThan(1e-9);
    }
  });

  it('is independent of the vertex count per pixel (a dense circle)', () => {
    const n = 20000;
    const ring: Pt[] = Array.from({ length: n + 1 }, (_, i) => [50 + 40 * Math.cos((2 * Math.PI * i) / n), 50 + 40 * Math.sin((2 * Math.PI * i) / n)]);
    const g = coverageFractions([[ring]], 100, 100);
    expect(Math.abs(sum(g.fractions) - Math.abs(shoelace(ring)))).toBeLessThan(1e-9);
    expect(at(g, 50, 50)).toBe(1);
    expect(at(g, 5, 5)).toBe(0);
  });
});
