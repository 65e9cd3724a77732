/**
 * Yield outlook: municipal yield (IBGE PAM, the harvest year = season + 1) against the season's
 * vegetation signal (peak of the municipal mean NDVI between 1 November and end of February, the soy
 * canopy), by ordinary least squares, validated leave-one-season-out: each season is predicted by a line
 * fitted on the others, and the errors of those predictions are the error shown beside every outlook.
 * A naive baseline (the mean yield of the other seasons) is validated the same way, so the model is
 * only worth reading where it beats it. Pure.
 */
import { fitLine, mean } from '../stats/regression.js';

interface SeasonPoint {
  season: number;
  signal: number | null;
  yieldKgHa: number | null;
}

export const MIN_SEASONS = 5;

export const SIGNAL_METHOD = 'peak of the mean NDVI over the municipality\'s imaged pixels among composites dated 1 November to 28/29 February (the soy canopy)';

/** The season's signal from a municipal mean NDVI series. */
export function seasonSignal(dates: readonly string[], values: ReadonlyArray<number | null>): number | null {
  let best: number | null = null;
  dates.forEach((d, i) => {
    const m = Number(d.slice(5, 7));
    const v = values[i];
    if ((m >= 11 || m <= 2) && typeof v === 'number' && (best === null || v > best)) best = v;
  });
  return best;
}

export interface OutlookResult {
  available: boolean;
  reason: string | null;
  /** language-neutral reason (the dashboard words it from usableSeasons and minSeasons) */
  reasonCode: 'no-imagery' | 'too-few-seasons' | null;
  usableSeasons: number;
  minSeasons: number;
  seasons: Array<{ season: number; harvestYear: number; signal: number | null; observedYieldKgHa: number | null; predictedYieldKgHa: number | null; looPredictedKgHa: number | null; looErrorKgHa: number | null; baselineLooKgHa: number | null }>;
  model: { intercept: number; slopeKgHaPerNdvi: number; slopeCi95: [number, number] | null; n: number } | null;
  validation: { method: string; n: number; rmseKgHa: number; maeKgHa: number; baselineRmseKgHa: number; skillVsBaseline: number; beatsBaseline: boolean } | null;
  /** the outlook: the latest season's prediction with its leave-one-season-out error */
  outlook: { season: number; predictedYieldKgHa: number; plusMinusKgHa: number; note: string } | null;
}

const r = (x: number) => Math.round(x);

export function yieldOutlook(points: readonly SeasonPoint[]): OutlookResult {
  const usable = points.filter((p) => p.signal !== null && p.yieldKgHa !== null && p.yieldKgHa > 0) as Array<{ season: number; signal: number; yieldKgHa: number }>;
  const rows = points.map((p) => ({ season: p.season, harvestYear: p.season + 1, signal: p.signal, observedYieldKgHa: p.yieldKgHa, predictedYieldKgHa: null as number | null, looPredictedKgHa: null as number | null, looErrorKgHa: null as number | null, baselineLooKgHa: null as number | null }));
  if (usable.length < MIN_SEASONS) {
    return { available: false, reasonCode: 'too-few-seasons', usableSeasons: usable.length, minSeasons: MIN_SEASONS, reason: `${usable.length} season(s) with both imagery and a PAM yield; a validated outlook needs at least ${MIN_SEASONS} (each left-out season is predicted from the others)`, seasons: rows, model: null, validation: null, outlook: null };
  }
  const fit = fitLine(usable.map((u) => u.signal), usable.map((u) => u.yieldKgHa));
  const errs: number[] = [];
  const base: number[] = [];
  for (const u of usable) {
    const others = usable.filter((o) => o !== u);
    const f = fitLine(others.map((o) => o.signal), others.map((o) => o.yieldKgHa));
    const pred = f.intercept + f.slope * u.signal;
    const bl = mean(others.map((o) => o.yieldKgHa));
    const row = rows.find((x) => x.season === u.season)!;
    row.looPredictedKgHa = r(pred);
    row.looErrorKgHa = r(pred - u.yieldKgHa);
    row.baselineLooKgHa = r(bl);
    errs.push(pred - u.yieldKgHa);
    base.push(bl - u.yieldKgHa);
  }
  for (const row of rows) if (row.signal !== null) row.predictedYieldKgHa = r(fit.intercept + fit.slope * row.signal);
  const rmse = Math.sqrt(mean(errs.map((e) => e * e)));
  const mae = mean(errs.map(Math.abs));
  const brmse = Math.sqrt(mean(base.map((e) => e * e)));
  const latest = [...rows].filter((x) => x.predictedYieldKgHa !== null).sort((a, b) => b.season - a.season)[0]!;
  const beats = rmse < brmse;
  return {
    available: true,
    reason: null,
    reasonCode: null,
    usableSeasons: usable.length,
    minSeasons: MIN_SEASONS,
    seasons: rows,
    model: { intercept: r(fit.intercept), slopeKgHaPerNdvi: r(fit.slope), slopeCi95: fit.slopeCi95 ? [r(fit.slopeCi95[0]), r(fit.slopeCi95[1])] : null, n: fit.n },
    validation: { method: 'leave-one-season-out', n: usable.length, rmseKgHa: r(rmse), maeKgHa: r(mae), baselineRmseKgHa: r(brmse), skillVsBaseline: Math.round((1 - rmse / brmse) * 1000) / 1000, beatsBaseline: beats },
    outlook: {
      season: latest.season,
      predictedYieldKgHa: latest.predictedYieldKgHa!,
      plusMinusKgHa: r(rmse),
      note: beats ? `model error (leave-one-season-out RMSE) ${r(rmse)} kg/ha, below the naive baseline's ${r(brmse)}` : `the model does NOT beat the naive baseline (mean of the other seasons): RMSE ${r(rmse)} vs ${r(brmse)} kg/ha; read the outlook as no better than the average`,
    },
  };
}
