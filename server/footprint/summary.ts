/**
 * Totals by kind of work and the derived figures (pure): per 1,000 tiles, per km2 mapped, per
 * crop-map job. Every figure is a sum of recorded entries divided by a count, so they add up:
 * the by-kind totals sum to the attributed total, and e.g. per-1,000-tiles x tiles / 1000 is the
 * tile kinds' energy.
 */
import { joulesToWh } from './energy-model.js';

/** Kinds of work the service accounts separately ('other': every remaining request). */
export const KINDS = ['imagery-tile', 'crop-tile', 'zonal-stats', 'crop-map', 'other'] as const;
export const TILE_KINDS: readonly string[] = ['imagery-tile', 'crop-tile'];

export interface FootprintEntry {
  kind: string;
  workerCpuMs: number;
  mainCpuMs: number;
  joules: number;
  gCo2e: number;
  /** tiles served by this entry (a tile request answered < 400) */
  tiles?: number;
  /** tiles that were rendered (a worker ran; not a cache hit or 304) */
  renderedTiles?: number;
  /** km2 mapped (crop-map jobs) */
  km2?: number;
  /** a crop-map (or other) job, counted per job */
  job?: boolean;
}

export interface KindTotals {
  count: number;
  workerCpuMs: number;
  mainCpuMs: number;
  cpuMs: number;
  joules: number;
  wh: number;
  gCo2e: number;
  tiles: number;
  renderedTiles: number;
  km2: number;
  jobs: number;
}

const emptyTotals = (): KindTotals => ({ count: 0, workerCpuMs: 0, mainCpuMs: 0, cpuMs: 0, joules: 0, wh: 0, gCo2e: 0, tiles: 0, renderedTiles: 0, km2: 0, jobs: 0 });

function addTo(t: KindTotals, e: FootprintEntry): void {
  t.count++;
  t.workerCpuMs += e.workerCpuMs;
  t.mainCpuMs += e.mainCpuMs;
  t.cpuMs += e.workerCpuMs + e.mainCpuMs;
  t.joules += e.joules;
  t.wh = joulesToWh(t.joules);
  t.gCo2e += e.gCo2e;
  t.tiles += e.tiles ?? 0;
  t.renderedTiles += e.renderedTiles ?? 0;
  t.km2 += e.km2 ?? 0;
  t.jobs += e.job ? 1 : 0;
}

function merge(list: KindTotals[]): KindTotals {
  const t = emptyTotals();
  for (const k of list) {
    t.count += k.count;
    t.workerCpuMs += k.workerCpuMs;
    t.mainCpuMs += k.mainCpuMs;
    t.cpuMs += k.cpuMs;
    t.joules += k.joules;
    t.gCo2e += k.gCo2e;
    t.tiles += k.tiles;
    t.renderedTiles += k.renderedTiles;
    t.km2 += k.km2;
    t.jobs += k.jobs;
  }
  t.wh = joulesToWh(t.joules);
  return t;
}

export interface PerUnit {
  /** how many units the figure is over */
  units: number;
  wh: number;
  gCo2e: number;
  cpuS: number;
}

/** Energy, CO2e and CPU per `per` units of `units` (null when there are none). */
export function perUnit(t: KindTotals, units: number, per = 1): PerUnit | null {
  if (!(units > 0)) return null;
  return { units, wh: (t.wh / units) * per, gCo2e: (t.gCo2e / units) * per, cpuS: (t.cpuMs / 1000 / units) * per };
}

export interface FootprintFigures {
  /** attributed totals over every kind */
  total: KindTotals;
  byKind: Record<string, KindTotals>;
  /** energy of the tile kinds per 1,000 tiles served (cache hits and 304s included) */
  perThousandTiles: (PerUnit & { byKind: Record<string, PerUnit | null> }) | null;
  /** the same per 1,000 tiles actually rendered (tile-kind energy / rendered tiles) */
  perThousandRenderedTiles: PerUnit | null;
  /** crop-map energy per km2 mapped */
  perKm2Mapped: PerUnit | null;
  /** crop-map energy per job */
  perCropMapJob: PerUnit | null;
}

/** Accumulates entries by kind. */
export class FootprintTotals {
  private readonly kinds = new Map<string, KindTotals>();

  constructor() {
    for (const k of KINDS) this.kinds.set(k, emptyTotals());
  }

  add(e: FootprintEntry): void {
    let t = this.kinds.get(e.kind);
    if (!t) this.kinds.set(e.kind, (t = emptyTotals()));
    addTo(t, e);
  }

  kind(k: string): KindTotals {
    return this.kinds.get(k) ?? emptyTotals();
  }

  figures(): FootprintFigures {
    const byKind = Object.fromEntries([...this.kinds].map(([k, t]) => [k, { ...t }]));
    const total = merge([...this.kinds.values()]);
    const tiles = merge(TILE_KINDS.map((k) => this.kind(k)));
    const per1000 = perUnit(tiles, tiles.tiles, 1000);
    const crop = this.kind('crop-map');
    return {
      total,
      byKind,
      perThousandTiles: per1000 ? { ...per1000, byKind: Object.fromEntries(TILE_KINDS.map((k) => [k, perUnit(this.kind(k), this.kind(k).tiles, 1000)])) } : null,
      perThousandRenderedTiles: perUnit(tiles, tiles.renderedTiles, 1000),
      perKm2Mapped: perUnit(crop, crop.km2),
      perCropMapJob: perUnit(crop, crop.jobs),
    };
  }
}
