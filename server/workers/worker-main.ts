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
import { emptyImage } from '../render/image.js';
import type { Handlers, TaskMap } from './tasks.js';

// libvips starts (and the empty tile is made) on its first encode, which the first tile of a fresh
// worker otherwise pays (README, performance: start-up): begun now, while the child waits for its
// init (a child forked early by `granary serve` waits for the server to be built), done before ready
const vipsStarted = emptyImage(256, 'png').catch(() => undefined);

serveTasks(async (init: WorkerInit): Promise<Handlers<TaskMap>> => {
  const ctx = createRasterContext(init);
  await vipsStarted;
  return {
    'imagery-tile': (p, { signal }) => renderImageryTile(ctx, p, signal),
    'prime-tiles': async (p, { signal }) => {
      const t0 = performance.now();
      let rendered = 0;
      for (const tile of p.tiles) {
        if (performance.now() - t0 > p.budgetMs || signal.aborted) break;
        // a tile that fails here (a file gone, out of the scene) fails again for its request, in words
        await renderImageryTile(ctx, tile, signal).then(() => rendered++, () => undefined);
      }
      return { rendered, ms: performance.now() - t0 };
    },
    'inspect-scene': (p) => inspectScene(p.hrefs, p.opts, init.policy, p.itemDir, init.readBudgetBytes),
    'zonal-stats': (p, { signal }) => runZonalTask(ctx, p, signal),
    ...cropTasks(ctx),
    ...jobTasks(ctx),
    'alert-rules': async (p) => evaluateAlertRules(p),
    ping: async () => 'pong' as const,
  };
});
