/** Pure parts of the uncertainty layer: the three measures, top-2, and the spread-out selection. */
import { describe, expect, it } from 'vitest';
import { spreadMaxima, top2, uncertainty } from '../../../server/pipeline/uncertainty.js';

describe('uncertainty measures', () => {
  it('are 0 for a certain pixel and 1 for a uniform one', () => {
    const sure = [1, 0, 0, 0];
    const flat = [0.25, 0.25, 0.25, 0.25];
    for (const m of ['entropy', 'margin', 'confidence'] as const) expect(uncertainty(sure, 0, 4, m)).toBe(0);
    expect(uncertainty(flat, 0, 4, 'entropy')).toBeCloseTo(1, 12);
    expect(uncertainty(flat, 0, 4, 'margin')).toBe(1);
    expect(uncertainty(flat, 0, 4, 'confidence')).toBe(0.75);
  });

  it('entropy is normalised by log C; margin is 1 - (p1 - p2); confidence 1 - p1; NaN stays NaN', () => {
    const p = [0, 0.5, 0.3, 0.2];
    const h = -(0.5 * Math.log(0.5) + 0.3 * Math.log(0.3) + 0.2 * Math.log(0.2)) / Math.log(4);
    expect(uncertainty(p, 0, 4, 'entropy')).toBeCloseTo(h, 12);
    expect(uncertainty(p, 0, 4, 'margin')).toBeCloseTo(0.8, 12);
    expect(uncertainty(p, 0, 4, 'confidence')).toBeCloseTo(0.5, 12);
    expect(uncertainty([9, 9, NaN, 0, 0], 2, 3, 'entropy')).toBeNaN();
    // offset into a pixel-major array
    expect(uncertainty([1, 0, 0.5, 0.5], 2, 2, 'margin')).toBe(1);
  });

  it('top2 returns the two most probable classes', () => {
    expect(top2([0.1, 0.6, 0.3], 0, 3)).toEqual([1, 0.6, 2, 0.3]);
    expect(top2([0.5, 0.5], 0, 2)).toEqual([0, 0.5, 1, 0.5]);
  });
});

describe('spread-out maxima', () => {
  it('takes the highest, then skips everything closer than the spacing', () => {
    const w = 10;
    const s = new Float32Array(100).fill(0);
    s[0] = 0.9; // (0,0)
    s[1] = 0.95; // (1,0): best
    s[22] = 0.8; // (2,2): 2.2 px from (1,0)
    s[99] = 0.5; // (9,9)
    s[55] = NaN;
    // 1 (best); 0 and 22 are within 3 px of it; then 99; then the first zero at least 3 px away: 4 = (4,0)
    expect(spreadMaxima(s, w, 3, 3)).toEqual([1, 99, 4]);
    const picks = spreadMaxima(s, w, 50, 3);
    for (let i = 0; i < picks.length; i++) {
      for (let j = i + 1; j < picks.length; j++) {
        const [a, b] = [picks[i]!, picks[j]!];
        expect(Math.hypot((a % w) - (b % w), Math.floor(a / w) - Math.floor(b / w))).toBeGreaterThanOrEqual(3);
      }
    }
    expect(picks).not.toContain(55);
    expect(picks).not.toContain(0);
    expect(picks).not.toContain(22);
    // spacing 0: plain top-N
    expect(spreadMaxima(s, w, 3, 0)).toEqual([1, 0, 22]);
  });
});
