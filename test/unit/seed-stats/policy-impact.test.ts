import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { loadRegions } from '../../../server/regions/load.js';
import { RegionsService } from '../../../server/plugins/regions.js';
import { pamPanel } from '../../../server/stats/pam.js';
import { differenceInDifferences, placeboInTime, DidError } from '../../../server/policy-impact/did.js';
import { FIXTURES } from '../../helpers/test-app.js';

const svc = new RegionsService(loadRegions(join(FIXTURES, 'regions.config.json')));
const panel = pamPanel(svc, 'soy', 'yield');
// municipalities with a soy yield every year 2010-2024, every tenth of them "treated"
const full = [...panel].filter(([, s]) => Array.from({ length: 15 }, (_, i) => 2010 + i).every((y) => s.has(y))).map(([id]) => id).sort();
const plant = (treated: string[], start: number, effect: number) => new Map([...panel].map(([id, s]) => [id, new Map([...s].map(([y, v]) => [y, treated.includes(id) && y >= start ? v + effect : v]))]));

describe('policy impact: difference in differences on the real PAM table', () => {
  for (const offset of [0, 2, 3]) {
    const treated = full.filter((_, i) => i % 10 === offset);
    const o = { treated, start: 2017, preYears: 5, postYears: 5, controls: 5, bootstrap: 1000, seed: 7 };
    it(`recovers +400 kg/ha planted in a copy of the table, and finds none without it (treated set ${offset})`, () => {
      expect(treated.length).toBeGreaterThanOrEqual(8);
      const none = differenceInDifferences(panel, o);
      const planted = differenceInDifferences(plant(treated, 2017, 400), o);
      // no policy: the interval covers zero
      expect(none.ci95[0]).toBeLessThan(0);
      expect(none.ci95[1]).toBeGreaterThan(0);
      // the planted effect: inside the interval, which excludes zero
      expect(planted.ci95[0]).toBeLessThan(400);
      expect(planted.ci95[1]).toBeGreaterThan(400);
      expect(planted.ci95[0]).toBeGreaterThan(0);
      // matching uses the pre-period only, so the same controls: the estimates differ by exactly the planted 400
      expect(planted.matches).toEqual(none.matches);
      expect(planted.effect - none.effect).toBeCloseTo(400, 9);
      // the placebo (fake start inside the pre-period) sees nothing of the planted effect
      const p = placeboInTime(plant(treated, 2017, 400), o);
      expect(p.post[1]).toBe(2016);
      expect(p.ci95[0]).toBeLessThan(0);
      expect(p.ci95[1]).toBeGreaterThan(0);
    });
  }

  it('is seeded (same interval twice) and refuses impossible designs', () => {
    const o = { treated: full.slice(0, 3), start: 2015, preYears: 5, postYears: 3, controls: 5, bootstrap: 200, seed: 1 };
    expect(differenceInDifferences(panel, o).ci95).toEqual(differenceInDifferences(panel, o).ci95);
    expect(() => differenceInDifferences(panel, { ...o, start: 2030 })).toThrow(DidError);
    expect(() => differenceInDifferences(panel, { ...o, controls: 500 })).toThrow(/comparison municipalities/);
    // Ipiranga do Norte has no soy yield before 2005
    expect(() => differenceInDifferences(panel, { ...o, treated: ['5104526'], start: 2004, preYears: 3 })).toThrow(/no chosen municipality/);
  });
});
