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

serveTasks(async (init: WorkerInit): Promise<Handlers<TaskMap>> => {
  const ctx = createRasterContext(init);
  // before saying ready: libvips starts (and the empty tile is made) on its first encode, which
  // the first tile of a fresh worker otherwise pays (README, performance: start-up)
  await emptyImage(256, 'png').catch(() => undefined);
  return {
    'imagery-tile': (p, { signal }) => renderImageryTile(ctx, p, signal),
    'inspect-scene': (p) => inspectScene(p.hrefs, p.opts, init.policy, p.itemDir, init.readBudgetBytes),
    'zonal-stats': (p, { signal }) => runZonalTask(ctx, p, signal),
    ...cropTasks(ctx),
    ...jobTasks(ctx),
    'alert-rules': async (p) => evaluateAlertRules(p),
    ping: async () => 'pong' as const,
  };
});
