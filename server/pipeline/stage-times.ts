/** Optional per-stage timing of a tile (profiling and `npm run bench -- stages`); absent = no cost. */
export interface StageTimes {
  plan: number;
  read: number;
  warp: number;
  colour: number;
  encode: number;
  /** milliseconds now (wall clock by default; the bench passes process CPU time, steadier on a busy machine) */
  clock: () => number;
}

export const newStageTimes = (clock: () => number = () => performance.now()): StageTimes => ({ plan: 0, read: 0, warp: 0, colour: 0, encode: 0, clock });

/** A start stamp for `lap` (0 when not timing). */
export const stamp = (times: StageTimes | undefined): number => (times ? times.clock() : 0);

/** Adds the time since `since` to `stage`; returns now (the start of the next stage). */
export function lap(times: StageTimes | undefined, stage: Exclude<keyof StageTimes, 'clock'>, since: number): number {
  if (!times) return 0;
  const now = times.clock();
  times[stage] += now - since;
  return now;
}
