/**
 * Comparing a year with normal: each municipality's yield and production against its own mean of
 * the previous N years (the "normal"; the year itself is left out so it is compared with what came
 * before), and the state's totals per year with their linear trend. Pure functions over the crop
 * statistics table; unknown (or zero-read-as-unknown) values are left out, never counted as 0.
 */
import type { CropObservation, RegionRef } from './tables.js';

interface NormalRow {
  regionId: string;
  name: string;
  yieldKgHa: number | null;
  normalYieldKgHa: number | null;
  yieldDiffKgHa: number | null;
  yieldDiffPct: number | null;
  productionT: number | null;
  normalProductionT: number | null;
  productionDiffT: number | null;
  productionDiffPct: number | null;
  /** years that went into the normals */
  normalYears: number[];
}

interface StateYear {
  year: number;
  productionT: number;
  plantedAreaHa: number;
  /** production / planted area of the municipalities that report both, kg/ha */
  yieldKgHa: number | null;
  municipalities: number;
}

interface Trend {
  years: [number, number];
  /** ordinary least squares slope per year */
  productionTPerYear: number;
  yieldKgHaPerYear: number | null;
}

/** Municipalities need at least this many known years for a normal. */
export const MIN_NORMAL_YEARS = 5;

const mean = (v: number[]) => (v.length ? v.reduce((s, x) => s + x, 0) / v.length : null);
const diffPct = (v: number | null, n: number | null) => (v === null || n === null || n === 0 ? null : ((v - n) / n) * 100);

export function normalRows(stats: ReadonlyMap<string, ReadonlyMap<number, CropObservation>>, regions: ReadonlyArray<RegionRef>, year: number, windowYears: number): NormalRow[] {
  return regions.map((r) => {
    const byYear = stats.get(r.id);
    const obs = byYear?.get(year);
    const ys: number[] = [];
    const yields: number[] = [];
    const prods: number[] = [];
    for (let y = year - windowYears; y < year; y++) {
      const o = byYear?.get(y);
      if (o?.yieldKgHa !== null && o?.yieldKgHa !== undefined) yields.push(o.yieldKgHa);
      if (o?.productionT !== null && o?.productionT !== undefined) prods.push(o.productionT);
      if (o && (o.yieldKgHa !== null || o.productionT !== null)) ys.push(y);
    }
    const normalYield = yields.length >= MIN_NORMAL_YEARS ? mean(yields) : null;
    const normalProd = prods.length >= MIN_NORMAL_YEARS ? mean(prods) : null;
    const y = obs?.yieldKgHa ?? null;
    const p = obs?.productionT ?? null;
    return {
      regionId: r.id,
      name: r.name,
      yieldKgHa: y,
      normalYieldKgHa: normalYield,
      yieldDiffKgHa: y !== null && normalYield !== null ? y - normalYield : null,
      yieldDiffPct: diffPct(y, normalYield),
      productionT: p,
      normalProductionT: normalProd,
      productionDiffT: p !== null && normalProd !== null ? p - normalProd : null,
      productionDiffPct: diffPct(p, normalProd),
      normalYears: ys,
    };
  });
}

/** The state's production, planted area and yield per year (sums over the municipalities that report). */
export function stateSeries(stats: ReadonlyMap<string, ReadonlyMap<number, CropObservation>>, years: [number, number]): StateYear[] {
  const out: StateYear[] = [];
  for (let year = years[0]; year <= years[1]; year++) {
    let prod = 0;
    let area = 0;
    let prodWithArea = 0;
    let areaWithProd = 0;
    let n = 0;
    for (const byYear of stats.values()) {
      const o = byYear.get(year);
      if (!o) continue;
      if (o.productionT !== null) {
        prod += o.productionT;
        n++;
      }
      if (o.plantedAreaHa !== null) area += o.plantedAreaHa;
      if (o.productionT !== null && o.plantedAreaHa !== null && o.plantedAreaHa > 0) {
        prodWithArea += o.productionT;
        areaWithProd += o.plantedAreaHa;
      }
    }
    out.push({ year, productionT: prod, plantedAreaHa: area, yieldKgHa: areaWithProd > 0 ? (prodWithArea * 1000) / areaWithProd : null, municipalities: n });
  }
  return out;
}

/** OLS slope of y on x. */
export function slope(xs: number[], ys: number[]): number {
  const mx = mean(xs)!;
  const my = mean(ys)!;
  let num = 0;
  let den = 0;
  for (let i = 0; i < xs.length; i++) {
    num += (xs[i]! - mx) * (ys[i]! - my);
    den += (xs[i]! - mx) ** 2;
  }
  return den === 0 ? 0 : num / den;
}

/** The trend of the `windowYears` years up to `year`. */
export function stateTrend(series: StateYear[], year: number, windowYears: number): Trend | null {
  const part = series.filter((s) => s.year <= year && s.year > year - windowYears && s.municipalities > 0);
  if (part.length < 3) return null;
  const withYield = part.filter((s) => s.yieldKgHa !== null);
  return {
    years: [part[0]!.year, part[part.length - 1]!.year],
    productionTPerYear: slope(part.map((s) => s.year), part.map((s) => s.productionT)),
    yieldKgHaPerYear: withYield.length >= 3 ? slope(withYield.map((s) => s.year), withYield.map((s) => s.yieldKgHa!)) : null,
  };
}
