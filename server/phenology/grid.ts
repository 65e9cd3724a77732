/**
 * Start of season for every pixel of a variable stack, one raster per season. Pure (CPU only: the
 * CLI runs it; a request never does).
 */
import { seasonsOf, startOfSeason, type SosOptions } from './sos.js';
import type { VariableStack } from './read-series.js';

/** Int16 nodata of the day-of-season rasters: no data, or no growing season at the pixel. */
export const SOS_NODATA = -32768;

interface SeasonSosGrid {
  season: number;
  dates: string[];
  /** day of season (days since 1 September), SOS_NODATA where none */
  dayOfSeason: Int16Array;
  counts: { ok: number; baseAtWindowStart: number; noSeason: number; noData: number };
}

/** Seasons with at least `minDates` composites (default 20 of the 23 a full season has). */
export function sosGrids(stack: VariableStack, opts: SosOptions & { minDates?: number } = {}): SeasonSosGrid[] {
  const n = stack.width * stack.height;
  const out: SeasonSosGrid[] = [];
  for (const [season, idx] of [...seasonsOf(stack.dates)].sort((a, b) => a[0] - b[0])) {
    if (idx.length < (opts.minDates ?? 20)) continue;
    const dates = idx.map((i) => stack.dates[i]!);
    const grid = new Int16Array(n).fill(SOS_NODATA);
    const counts = { ok: 0, baseAtWindowStart: 0, noSeason: 0, noData: 0 };
    const series = new Array<number>(idx.length);
    for (let p = 0; p < n; p++) {
      for (let k = 0; k < idx.length; k++) series[k] = stack.values[idx[k]!]![p]!;
      const r = startOfSeason(dates, series, opts);
      if (r.status === 'no-data') counts.noData++;
      else if (r.status === 'no-season') counts.noSeason++;
      else {
        if (r.status === 'ok') counts.ok++;
        else counts.baseAtWindowStart++;
        grid[p] = r.dayOfSeason!;
      }
    }
    out.push({ season, dates, dayOfSeason: grid, counts });
  }
  return out;
}
