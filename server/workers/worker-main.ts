/**
 * The worker-thread entry: a task table dispatching to the same pipeline modules the main thread
 * would use. Each worker keeps its own open COG handles and its own decoded-block LRU.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { threadCpuMs } from '../footprint/thread-cpu.js';
import { toWire } from '../errors.js';
import { createRasterContext, type WorkerInit } from './raster-context.js';
import { renderImageryTile, type ImageryTileTask } from '../pipeline/tile.js';
import { inspectScene, type AddSceneOptions } from '../catalog/inspect.js';
import { cropTasks } from './crop-tasks.js';
import { jobTasks } from '../jobs/tasks.js';
import { runZonalTask, type ZonalTask } from '../pipeline/zonal.js';

const init = (workerData as { init: WorkerInit }).init;
const ctx = createRasterContext(init);

type Handler = (payload: never) => Promise<{ result: unknown; transfer?: ArrayBuffer[] }>;

const tasks: Record<string, Handler> = {
  'imagery-tile': async (p: ImageryTileTask) => {
    const r = await renderImageryTile(ctx, p);
    const body = r.body;
    return { result: { body, empty: r.empty }, transfer: body.byteOffset === 0 && body.byteLength === body.buffer.byteLength ? [body.buffer as ArrayBuffer] : [] };
  },
  'inspect-scene': async (p: { hrefs: string[]; opts: AddSceneOptions; itemDir: string }) => ({ result: await inspectScene(p.hrefs, p.opts, init.policy, p.itemDir) }),
  'zonal-stats': async (p: ZonalTask) => ({ result: await runZonalTask(ctx, p) }),
  ...(cropTasks(ctx) as unknown as Record<string, Handler>),
  ...(jobTasks(ctx) as unknown as Record<string, Handler>),
  ping: async () => ({ result: 'pong' }),
  'crash-for-test': async () => {
    process.exit(3);
  },
  'hang-for-test': async () => {
    for (;;) {
      /* busy loop: the pool's timeout must replace this worker */
    }
  },
};

parentPort!.on('message', async (m: { id: number; kind: string; payload: unknown }) => {
  // This thread's own CPU time (process.cpuUsage() would count every thread of the process).
  const before = threadCpuMs();
  try {
    const handler = tasks[m.kind];
    if (!handler) throw new Error(`unknown task kind ${m.kind}`);
    const { result, transfer } = await handler(m.payload as never);
    parentPort!.postMessage({ id: m.id, ok: true, result, cpuMs: threadCpuMs() - before }, transfer ?? []);
  } catch (e) {
    parentPort!.postMessage({ id: m.id, ok: false, error: toWire(e), cpuMs: threadCpuMs() - before });
  }
});
