/**
 * Which scene dates feed a model: the card asks for `steps` composites of a September-August season
 * (per its `season.startMonth`); a scene may span several seasons. Pure.
 */
import { GranaryError } from '../errors.js';
import type { Scene } from '../catalog/scene.js';

interface SeasonInputs {
  variables: string[];
  steps: number;
  startMonth: number; // 1-12, e.g. 9 for September
}

interface SeasonChoice {
  season: number; // the year the season starts
  dates: string[]; // `steps` dates in order
  available: number[]; // every complete season of the scene
}

/** Season year a date belongs to (the season starting in `startMonth`). */
export function seasonOf(date: string, startMonth: number): number {
  const y = Number(date.slice(0, 4));
  const m = Number(date.slice(5, 7));
  return m >= startMonth ? y : y - 1;
}

export function chooseSeason(scene: Scene, inputs: SeasonInputs, requested?: number): SeasonChoice {
  const missing = inputs.variables.filter((v) => !scene.variables.includes(v));
  if (missing.length > 0) {
    throw new GranaryError('unprocessable', `scene ${scene.id} lacks the model's variable(s) ${missing.join(', ')} (scene has ${scene.variables.join(', ')}; model needs ${inputs.variables.join(', ')})`);
  }
  const bySeason = new Map<number, string[]>();
  for (const d of scene.dates) {
    const s = seasonOf(d, inputs.startMonth);
    bySeason.set(s, [...(bySeason.get(s) ?? []), d]);
  }
  const complete = [...bySeason].filter(([, ds]) => ds.length >= inputs.steps).map(([s]) => s).sort((a, b) => a - b);
  if (complete.length === 0) {
    const counts = [...bySeason].map(([s, ds]) => `${s}-${String(s + 1).slice(2)}: ${ds.length}`).join(', ');
    throw new GranaryError('unprocessable', `scene ${scene.id} has no season with the ${inputs.steps} time steps the model needs (dates per season: ${counts || 'none'})`);
  }
  const season = requested ?? complete[complete.length - 1]!;
  const dates = bySeason.get(season);
  if (!dates || dates.length < inputs.steps) {
    throw new GranaryError('bad-request', `season ${season} is not complete in scene ${scene.id} (complete seasons: ${complete.join(', ')})`, { valid: complete });
  }
  // One composite per step: if a season has extra dates, keep the first `steps` in order.
  return { season, dates: [...dates].sort().slice(0, inputs.steps), available: complete };
}
