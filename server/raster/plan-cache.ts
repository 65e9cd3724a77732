/**
 * Tile plans kept between tiles: the sample coordinates of a tile address on a scene grid (and the
 * window each COG level needs) do not change, so a tile rendered again (another date, variable,
 * colormap, or after the rendered-tile cache evicted it) skips planning. Byte-bounded LRU per worker.
 */
import { LRUCache } from 'lru-cache';
import type { SampleCoords, WindowPlan } from './plan.js';

interface CachedPlan {
  coords: SampleCoords;
  /** window plans by `${cog key}|${resampling}` */
  windows: Map<string, WindowPlan>;
}

export class PlanCache {
  private readonly lru: LRUCache<string, CachedPlan>;

  constructor(maxBytes: number) {
    this.lru = new LRUCache<string, CachedPlan>({
      maxSize: Math.max(1, maxBytes),
      sizeCalculation: (p) => p.coords.bytes + 512,
    });
  }

  /** The plan of `key`, computed by `make` when absent (or too big to keep). */
  get(key: string, make: () => SampleCoords): CachedPlan {
    let p = this.lru.get(key);
    if (!p) {
      p = { coords: make(), windows: new Map() };
      this.lru.set(key, p);
    }
    return p;
  }

  get size(): number {
    return this.lru.size;
  }
}
