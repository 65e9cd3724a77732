/**
 * Hourly INMET rows -> daily values (UTC calendar days, as INMET stamps the hours; Mato Grosso is
 * UTC-4). The rules of shared/data/weather (so the importer reproduces its daily file): a value is kept
 * only where at least 20 hourly readings of it exist; rain = sum of hourly totals; tmax/tmin = max/min of
 * the hourly max/min fields; tmean = mean of the hourly dry-bulb; radiation = sum of the positive hourly
 * kJ/m2 / 1000 (MJ/m2); humidity and wind = means; days with nothing valid are dropped. Pure.
 */
import type { HourlyRow } from './inmet.js';

const MIN_HOURS = 20;

export interface DailyRow {
  date: string;
  precipMm: number | null;
  tminC: number | null;
  tmaxC: number | null;
  tmeanC: number | null;
  rhMeanPct: number | null;
  radMjM2: number | null;
  windMeanMs: number | null;
  nHoursPrecip: number;
  nHoursTemp: number;
}

/**
 * Python's round(x, d) (correct rounding of the exact binary value, exact ties to even), so the daily
 * values match the shared daily file digit for digit. toFixed(d + 60) is the exact decimal expansion.
 */
export function roundHalfEven(x: number, d: number): number {
  const exact = Math.abs(x).toFixed(d + 60);
  const cut = exact.indexOf('.') + 1 + d;
  const rest = exact.slice(cut);
  if (/^50*$/.test(rest)) {
    const kept = exact.slice(0, cut).replace(/\.$/, '');
    const lastDigit = Number(kept[kept.length - 1]);
    const down = Number(kept);
    const up = down + 10 ** -d;
    const v = lastDigit % 2 === 0 ? down : up;
    return Number((Math.sign(x) * v).toFixed(d));
  }
  return Number(x.toFixed(d));
}
const r = roundHalfEven;

/** Left-to-right sum (Python's sum(), which made the shared daily file; the order matters in the last bit). */
const sum = (v: readonly number[]) => v.reduce((x, y) => x + y, 0);

export function dailyFromHourly(rows: readonly HourlyRow[]): DailyRow[] {
  const byDay = new Map<string, HourlyRow[]>();
  for (const h of rows) byDay.set(h.date, [...(byDay.get(h.date) ?? []), h]);
  const out: DailyRow[] = [];
  for (const [date, hs] of [...byDay].sort((a, b) => a[0].localeCompare(b[0]))) {
    const vals = (k: keyof HourlyRow) => hs.map((h) => h[k]).filter((v): v is number => typeof v === 'number');
    const enough = (v: number[]) => v.length >= MIN_HOURS;
    const precip = vals('precipMm');
    const temp = vals('tempC');
    const tmax = vals('tmaxC');
    const tmin = vals('tminC');
    const rh = vals('rhPct');
    const wind = vals('windMs');
    const rad = vals('radiationKjM2');
    const mean = (v: number[]) => sum(v) / v.length;
    const d: DailyRow = {
      date,
      precipMm: enough(precip) ? r(sum(precip), 1) : null,
      tminC: enough(tmin) ? r(Math.min(...tmin), 1) : null,
      tmaxC: enough(tmax) ? r(Math.max(...tmax), 1) : null,
      tmeanC: enough(temp) ? r(mean(temp), 1) : null,
      rhMeanPct: enough(rh) ? r(mean(rh), 0) : null,
      radMjM2: enough(temp) && rad.length > 0 ? r(sum(rad.filter((x) => x > 0)) / 1000, 2) : null,
      windMeanMs: enough(wind) ? r(mean(wind), 1) : null,
      nHoursPrecip: precip.length,
      nHoursTemp: temp.length,
    };
    if ([d.precipMm, d.tminC, d.tmaxC, d.tmeanC, d.rhMeanPct, d.radMjM2, d.windMeanMs].some((v) => v !== null)) out.push(d);
  }
  return out;
}
