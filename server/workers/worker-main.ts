/**
 * The child-process entry: the production task table (typed by `TaskMap`), dispatching to the same
 * pipeline modules the main process would use. Each child keeps its own open COG handles and its
 * own decoded-block LRU (and crop-block cache: the pool sends a block's tasks to the same child).
 */
import { createRasterContext, type WorkerInit } from './raster-context.js';
import { renderImageryTile } from '../pipeline/tile.js';
import { inspectScene } from '../catalog/inspect.js';
import { cropTasks } from './crop-tasks.js';
import { jobTasks } from '../jobs/tasks.js';
import { runZonalTask } from '../pipeline/zonal.js';
import { serveTasks } from './child.js';
import { evaluateAlertRules } from '../alerts/evaluate.js';
import { primeListsFromFiles } from '../services/prime-lists.js';
import type { PrimeResult, PrimeTiles } from '../services/prime-tiles.js';
import type { ImageryTileTask } from '../pipeline/tile.js';
import type { Handlers, TaskMap } from './tasks.js';

serveTasks(async (init: WorkerInit): Promise<Handlers<TaskMap>> => {
  const ctx = createRasterContext(init);
  const crops = cropTasks(ctx, init);
  // a tile that fails while priming (a file gone, out of the scene) fails again for its request, in
  // words; `signal` is aborted when the pool stops the priming (the server is ready: stopPriming)
  const prime = async (p: PrimeTiles, signal: AbortSignal): Promise<PrimeResult> => {
    const t0 = performance.now();
    let rendered = 0;
    let classified = 0;
    const render = (tile: ImageryTileTask) => renderImageryTile(ctx, tile).then(() => rendered++, () => undefined);
    for (const tile of p.tiles.slice(0, p.minTiles)) await render(tile);
    const t1 = performance.now();
    for (const tile of p.crops) {
      if (performance.now() - t1 > p.cropBudgetMs || signal.aborted) break;
      await crops['crop-tile'](tile, { signal }).then(() => classified++, () => undefined);
    }
    const t2 = performance.now();
    for (const tile of p.tiles.slice(p.minTiles)) {
      // the imagery budget counts the minimum tiles too, not the crop tiles between
      if (t1 - t0 + (performance.now() - t2) > p.budgetMs || signal.aborted) break;
      await render(tile);
    }
    return { rendered, crops: classified, ms: performance.now() - t0 };
  };
  return {
    'imagery-tile': (p, { signal }) => renderImageryTile(ctx, p, signal),
    'prime-tiles': (p, { signal }) => prime(p, signal),
    'prime-catalog': async (p, { signal }) => prime({ ...(await primeListsFromFiles(p.catalogDir, p.modelsDir, ctx.colormaps)), budgetMs: p.budgetMs, cropBudgetMs: p.cropBudgetMs }, signal),
    'inspect-scene': (p) => inspectScene(p.hrefs, p.opts, init.policy, p.itemDir, init.readBudgetBytes),
    'zonal-stats': (p, { signal }) => runZonalTask(ctx, p, signal),
    ...crops,
    ...jobTasks(ctx),
    'alert-rules': async (p) => evaluateAlertRules(p),
    ping: async () => 'pong' as const,
  };
});
