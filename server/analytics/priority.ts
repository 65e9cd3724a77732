/**
 * Intervention-priority ranking of yield-gap rows.
 *
 * Score = production gap value per inhabitant (USD per person) = productionGapValueUsd / population.
 * Why this one: it is a single, auditable quantity in real units (no weights to argue about), it
 * says what closing the gap would be worth to each resident, and it does not simply rank regions by
 * size the way the total value would (the total is returned alongside for context). Its limits: it
 * favours sparsely populated farm municipalities, uses world (not farm-gate) prices, and a gap
 * against a P95 benchmark is not all exploitable (GYGA: ~80 % of Yw is a practical ceiling).
 * Rows without a value or population are listed as excluded, with the reason.
 */
import type { YieldGapRow } from './yield-gap.js';
import { rowMessageText } from '../contract/row-messages.js';

/** In English; its words in other languages under the code 'priority-method' of server/contract/row-messages.ts. */
export const PRIORITY_METHOD = rowMessageText({ code: 'priority-method', params: {} }, 'en');

interface PriorityEntry {
  rank: number;
  regionId: string;
  name: string;
  scoreUsdPerCapita: number;
  productionGapValueUsd: number;
  productionGapT: number | null;
  population: number;
}

interface PriorityRanking {
  ranking: PriorityEntry[];
  excluded: Array<{ regionId: string; name: string; reason: string }>;
  method: string;
}

export function rankInterventionPriority(rows: ReadonlyArray<YieldGapRow>): PriorityRanking {
  const ranked: Omit<PriorityEntry, 'rank'>[] = [];
  const excluded: PriorityRanking['excluded'] = [];
  for (const r of rows) {
    if (r.productionGapValueUsd === null) excluded.push({ regionId: r.regionId, name: r.name, reason: 'production gap value unknown' });
    else if (r.population === null || r.population <= 0) excluded.push({ regionId: r.regionId, name: r.name, reason: 'population unknown' });
    else
      ranked.push({
        regionId: r.regionId,
        name: r.name,
        scoreUsdPerCapita: r.productionGapValueUsd / r.population,
        productionGapValueUsd: r.productionGapValueUsd,
        productionGapT: r.productionGapT,
        population: r.population,
      });
  }
  // ties broken by region id so the order is deterministic
  ranked.sort((a, b) => b.scoreUsdPerCapita - a.scoreUsdPerCapita || a.regionId.localeCompare(b.regionId));
  return { ranking: ranked.map((e, i) => ({ rank: i + 1, ...e })), excluded, method: PRIORITY_METHOD };
}
