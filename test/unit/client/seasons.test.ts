/** The normal season of a multi-season series (client/src/seasons.ts). */
import { describe, expect, it } from 'vitest';
import { compareWithNormalSeason, seasonOf } from '../../../client/src/seasons';

describe('normal season', () => {
  it('starts seasons on 1 September', () => {
    expect(seasonOf('2013-08-29')).toBe(2012);
    expect(seasonOf('2013-09-14')).toBe(2013);
  });

  it('is the mean of the earlier seasons at the same day, drawn on the latest season', () => {
    const s = [2010, 2011, 2012].flatMap((y, i) => [
      { date: `${y}-09-14`, value: 0.2 + i * 0.1 },
      { date: `${y + 1}-01-17`, value: 0.8 - i * 0.1 },
    ]);
    const c = compareWithNormalSeason(s)!;
    expect(c.seasons).toEqual([2010, 2011]);
    expect(c.current.map((p) => p.date)).toEqual(['2012-09-14', '2013-01-17']);
    expect(c.normal.map((p) => p.value)).toEqual([0.25, 0.75]);
  });

  it('needs three seasons', () => {
    expect(compareWithNormalSeason([{ date: '2013-09-14', value: 0.3 }, { date: '2014-09-14', value: 0.3 }])).toBeNull();
  });
});
