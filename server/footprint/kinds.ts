/**
 * Which kind of work a request was (pure). The route decides for tile routes, so cache hits and
 * 304s count as the tiles they are; otherwise the worker task kind that used the most CPU
 * (e.g. the yield-gap routes' crop-map class areas run 'zonal-stats' tasks); otherwise 'other'.
 */
import { KINDS, TILE_KINDS } from './summary.js';

const TILE_ROUTE = /\/:z\/:x\/:y/;

export function kindFromRoute(route: string | undefined): string | null {
  if (!route) return null;
  if (TILE_ROUTE.test(route)) return /\/crops?\b|crop-tiles?/.test(route) ? 'crop-tile' : 'imagery-tile';
  if (/zonal/.test(route)) return 'zonal-stats';
  return null;
}

export function requestKind(route: string | undefined, workerCpuByKind: Readonly<Record<string, number>>): string {
  const byRoute = kindFromRoute(route);
  if (byRoute) return byRoute;
  let best: string | null = null;
  let bestMs = -1;
  for (const [k, ms] of Object.entries(workerCpuByKind)) {
    if ((KINDS as readonly string[]).includes(k) && ms > bestMs) {
      best = k;
      bestMs = ms;
    }
  }
  return best ?? 'other';
}

export const isTileKind = (kind: string) => TILE_KINDS.includes(kind);
