/** Per-worker raster state: open COG handles (LRU) and the decoded-block cache. */
import { LRUCache } from 'lru-cache';
import { openCog, type CogHandle } from '../raster/cog.js';
import { openSource, type SourcePolicy } from '../raster/source.js';
import { BlockCache } from '../raster/block-cache.js';
import { ColormapRegistry } from '../render/colormaps.js';
import { PlanCache } from '../raster/plan-cache.js';

/** Tile plans kept per worker: ~8 KB per tile address (the projected grid), so some 2,000 tiles. */
const PLAN_CACHE_BYTES = 16 * 1024 * 1024;
import type { RasterContext } from '../pipeline/read-tile.js';

export interface WorkerInit {
  policy: SourcePolicy;
  blockCacheBytes: number;
  /** decoded bytes one read may use (see checkReadBudget) */
  readBudgetBytes?: number;
  /** classified blocks kept on disk (pipeline/classified-disk.ts): where, how many bytes at most, and the dependency lock file (part of the entries' key) */
  classifiedCache?: { dir: string; maxBytes: number; lockFile: string };
}

/**
 * `close()`: the open files closed now, for a context used for one job in a long-lived process (a
 * reports export, a CLI command); a file handle left to the garbage collector is closed with a
 * warning (DEP0137), and Node will throw for it in a future version. A worker's context lives as
 * long as its process.
 */
export function createRasterContext(init: WorkerInit): RasterContext & { colormaps: ColormapRegistry; close(): Promise<void> } {
  let closing = false;
  const handles = new LRUCache<string, Promise<CogHandle>>({
    max: 64,
    ttl: 10_000, // re-stat files now and then so a replaced file is seen
    // Close evicted handles later, so reads still in flight on them can finish (close() closes its own).
    dispose: (p) => {
      if (!closing) setTimeout(() => void p.then((h) => h.source.close(), () => undefined), 30_000).unref();
    },
  });
  return {
    async close() {
      closing = true;
      const open = [...handles.values()];
      handles.clear();
      await Promise.all(open.map((p) => p.then((h) => h.source.close(), () => undefined)));
    },
    blocks: new BlockCache(init.blockCacheBytes, init.readBudgetBytes ?? Number.POSITIVE_INFINITY),
    plans: new PlanCache(PLAN_CACHE_BYTES),
    colormaps: new ColormapRegistry(),
    open(href: string) {
      let p = handles.get(href);
      if (!p) {
        p = openSource(href, init.policy).then(async (s) => {
          try {
            return await openCog(s);
          } catch (e) {
            await s.close();
            throw e;
          }
        });
        p.catch(() => handles.delete(href));
        handles.set(href, p);
      }
      return p;
    },
  };
}
