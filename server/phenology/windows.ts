/**
 * The usual start-of-season window of a class in a municipality, from labelled samples: the 10th,
 * 50th and 90th percentiles of the samples' day of season, per season and over all seasons. Pure.
 */
import { percentileLinear } from '../analytics/percentile.js';

export interface SampleSos {
  regionId: string | null;
  label: string;
  season: number;
  dayOfSeason: number | null;
}

export interface SosWindow {
  regionId: string;
  label: string;
  /** samples with a start of season, and those without one (no season / no data) */
  n: number;
  nWithoutSeason: number;
  seasons: number[];
  p10: number;
  p50: number;
  p90: number;
  /** the same as month-day of a season starting in September, e.g. "10-03" */
  p10MonthDay: string;
  p50MonthDay: string;
  p90MonthDay: string;
  perSeason: Array<{ season: number; n: number; p50: number; p50Date: string }>;
}

/** Month-day of a day of season (day 0 = 1 September; a non-leap season year is assumed for the label). */
export function monthDayOf(dayOfSeason: number, seasonYear = 2013): string {
  return dateOf(dayOfSeason, seasonYear).slice(5);
}

export function dateOf(dayOfSeason: number, seasonYear: number): string {
  return new Date(Date.UTC(seasonYear, 8, 1) + Math.round(dayOfSeason) * 86_400_000).toISOString().slice(0, 10);
}

const r1 = (x: number) => Math.round(x * 10) / 10;

export function summariseWindows(samples: readonly SampleSos[], minSamples = 3): SosWindow[] {
  const groups = new Map<string, SampleSos[]>();
  for (const s of samples) {
    if (s.regionId === null) continue;
    const k = `${s.regionId}\u0000${s.label}`;
    groups.set(k, [...(groups.get(k) ?? []), s]);
  }
  const out: SosWindow[] = [];
  for (const [k, list] of [...groups].sort((a, b) => a[0].localeCompare(b[0]))) {
    const [regionId, label] = k.split('\u0000') as [string, string];
    const days = list.filter((s) => s.dayOfSeason !== null).map((s) => s.dayOfSeason!);
    if (days.length < minSamples) continue;
    const seasons = [...new Set(list.map((s) => s.season))].sort((a, b) => a - b);
    const p10 = r1(percentileLinear(days, 10));
    const p50 = r1(percentileLinear(days, 50));
    const p90 = r1(percentileLinear(days, 90));
    const perSeason = seasons.flatMap((season) => {
      const d = list.filter((s) => s.season === season && s.dayOfSeason !== null).map((s) => s.dayOfSeason!);
      if (d.length === 0) return [];
      const m = r1(percentileLinear(d, 50));
      return [{ season, n: d.length, p50: m, p50Date: dateOf(m, season) }];
    });
    out.push({ regionId, label, n: days.length, nWithoutSeason: list.length - days.length, seasons, p10, p50, p90, p10MonthDay: monthDayOf(p10), p50MonthDay: monthDayOf(p50), p90MonthDay: monthDayOf(p90), perSeason });
  }
  return out;
}

/** Where a field's day of season falls against a window. */
export function compareToWindow(dayOfSeason: number, w: Pick<SosWindow, 'p10' | 'p50' | 'p90'>): { position: 'earlier' | 'within' | 'later'; daysFromMedian: number } {
  const position = dayOfSeason < w.p10 ? 'earlier' : dayOfSeason > w.p90 ? 'later' : 'within';
  return { position, daysFromMedian: r1(dayOfSeason - w.p50) };
}

/**
 * Label vocabularies differ between the label sets (shared/data/README.md): dtwSat names are mapped to
 * the sits names the crop model uses, so a field classified as Soy_Corn finds the Soybean-maize window.
 */
export const LABEL_EQUIVALENTS: Readonly<Record<string, string>> = {
  'Soybean-maize': 'Soy_Corn',
  'Soybean-millet': 'Soy_Millet',
  'Soybean-cotton': 'Soy_Cotton',
  'Cotton-fallow': 'Fallow_Cotton',
};
