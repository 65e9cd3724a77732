/**
 * The years the yield-gap indicators can be asked for and the default one, from the service:
 * /api/yield-gap without a year answers for its default year and states `validYears` and
 * `defaultYear`, so the page never asks for a year the server would refuse.
 */
import { yieldGapTable } from './datasets';

/** Used only when the service does not say (the span of the bundled IBGE PAM table). */
const FALLBACK = { first: 2000, last: 2024 };

function yearList(valid: number[] | null): number[] {
  if (!valid || valid.length === 0) return span(FALLBACK.first, FALLBACK.last);
  if (valid.length === 2 && valid[1]! - valid[0]! > 1) return span(valid[0]!, valid[1]!);
  return [...valid].sort((a, b) => a - b);
}

const span = (a: number, b: number): number[] => Array.from({ length: Math.max(1, b - a + 1) }, (_, i) => a + i);

export async function resolveYears(crop: string): Promise<{ years: number[]; year: number }> {
  try {
    const t = await yieldGapTable(crop, undefined);
    const years = yearList(t.validYears);
    const year = t.defaultYear ?? t.rows[0]?.year ?? years[years.length - 1]!;
    return { years, year };
  } catch {
    const years = yearList(null);
    return { years, year: years[years.length - 1]! };
  }
}
