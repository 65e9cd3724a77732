/**
 * Seasons in a time series (September to August, the Mato Grosso soy calendar): the latest season
 * and the "normal season", the mean of the earlier seasons at the same day of the season (MODIS
 * 16-day composites fall on the same days every year), drawn on the latest season's dates.
 */
import type { SeriesPoint } from './types';

/** The year the season containing `iso` starts in (September 1 of that year). */
export const seasonOf = (iso: string): number => {
  const y = Number(iso.slice(0, 4));
  return Number(iso.slice(5, 7)) >= 9 ? y : y - 1;
};

interface SeasonCompare {
  current: SeriesPoint[];
  normal: SeriesPoint[];
  /** the earlier seasons the normal is made of */
  seasons: number[];
}

/** null when the series has fewer than 3 seasons (a normal of one season is not a normal). */
export function compareWithNormalSeason(series: readonly SeriesPoint[]): SeasonCompare | null {
  const bySeason = new Map<number, SeriesPoint[]>();
  for (const p of series) {
    const s = seasonOf(p.date);
    if (!bySeason.has(s)) bySeason.set(s, []);
    bySeason.get(s)!.push(p);
  }
  const seasons = [...bySeason.keys()].sort((a, b) => a - b);
  if (seasons.length < 3) return null;
  const last = seasons[seasons.length - 1]!;
  const earlier = seasons.slice(0, -1);
  // day of the season (MM-DD) -> values of the earlier seasons
  const acc = new Map<string, number[]>();
  for (const s of earlier) for (const p of bySeason.get(s)!) if (p.value !== null) {
    const k = p.date.slice(5, 10);
    if (!acc.has(k)) acc.set(k, []);
    acc.get(k)!.push(p.value);
  }
  const current = bySeason.get(last)!;
  const normal = current.map((p) => {
    const v = acc.get(p.date.slice(5, 10));
    return { date: p.date, value: v && v.length ? v.reduce((a, b) => a + b, 0) / v.length : null };
  });
  return { current, normal, seasons: earlier };
}
