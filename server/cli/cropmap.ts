/**
 * granary cropmap <sceneId> [--model <id>] [--season yyyy] [--out <file.tif>] [--queue]
 * Classifies the whole scene at native resolution, block by block (the same blocks and code as the
 * crop tiles and the distributed jobs: jobs/cropmap-blocks.ts), with a progress bar, and publishes
 * the crop-map COG + polygons (jobs/publish.ts). With --queue (cluster mode) the map is enqueued as
 * a job for `granary worker` processes instead, and the command prints the job id.
 */
import { parseArgs } from 'node:util';
import { join, resolve } from 'node:path';
import { rmSync } from 'node:fs';
import { loadConfig } from '../config.js';
import { sourcePolicy } from '../raster/source-policy.js';
import { createBackends } from '../store/backends.js';
import { ModelRegistry } from '../inference/registry.js';
import { checkModel } from '../inference/ort-classifier.js';
import { ortClassifier } from '../inference/ort-classifier.js';
import { createRasterContext } from '../workers/raster-context.js';
import { modelTask } from '../services/model-task.js';
import { GranaryError } from '../errors.js';
import { createFootprintRecorder, footprintSettingsFrom } from '../footprint/recorder.js';
import { dashboardNote } from '../footprint/metadata.js';
import { blockGrid, classifyBlock, CropMapCanvas } from '../jobs/cropmap-blocks.js';
import { publishCropMap } from '../jobs/publish.js';

/** Called after each classified block (with the count done and the total): progress reporting for embedders. */
interface CropMapHooks {
  afterBlock?: (done: number, total: number) => Promise<void>;
}

export async function main(args: string[], hooks: CropMapHooks = {}): Promise<number> {
  const { values, positionals } = parseArgs({ args, allowPositionals: true, options: { model: { type: 'string' }, season: { type: 'string' }, out: { type: 'string' }, threads: { type: 'string' }, quiet: { type: 'boolean' }, queue: { type: 'boolean' } } });
  const sceneId = positionals[0];
  if (!sceneId) throw new GranaryError('bad-request', 'usage: granary cropmap <sceneId> [--model <id>] [--season yyyy] [--out <file.tif>] [--queue]');
  const config = loadConfig();
  const season = values.season !== undefined ? Number(values.season) : undefined;
  if (season !== undefined && !Number.isInteger(season)) throw new GranaryError('bad-request', `--season must be a year, got "${values.season}"`);
  if (values.queue) {
    const { enqueueFromCli } = await import('../jobs/cli-enqueue.js');
    return enqueueFromCli(config, { scene: sceneId, model: values.model, season });
  }
  const backends = await createBackends(config);
  try {
    return await run(config, backends.catalog, { sceneId, model: values.model, season, out: values.out, threads: values.threads, quiet: values.quiet ?? false }, hooks);
  } finally {
    await backends.close();
  }
}

async function run(
  config: ReturnType<typeof loadConfig>,
  catalog: Awaited<ReturnType<typeof createBackends>>['catalog'],
  o: { sceneId: string; model?: string; season?: number; out?: string; threads?: string; quiet: boolean },
  hooks: CropMapHooks,
): Promise<number> {
  const scene = await catalog.get(o.sceneId);
  const registry = new ModelRegistry(config.modelsDir, (e) => checkModel(e.session));
  const model = await registry.get(o.model);
  const { choice, inputs } = modelTask(model, scene, o.season);
  const out = resolve(o.out ?? join(config.dataDir, 'cropmaps', `${scene.id}__${model.id}.tif`));
  const threads = Number(o.threads ?? 2);

  const ctx = createRasterContext({ policy: sourcePolicy(config), blockCacheBytes: config.blockCacheMb * 1024 * 1024 });
  const classify = ortClassifier({ ...model.session, threads });
  const grid = blockGrid(scene.grid.width, scene.grid.height);
  const canvas = new CropMapCanvas(grid);
  const total = grid.total;
  const t0 = performance.now();
  const cpu0 = process.cpuUsage();
  let done = 0;
  const progress = () => {
    if (o.quiet) return;
    const w = 30;
    const f = Math.round((done / total) * w);
    process.stderr.write(`\rcropmap ${scene.id} [${'#'.repeat(f)}${' '.repeat(w - f)}] ${Math.round((done / total) * 100)}% ${done}/${total} blocks`);
  };
  let temps: string[] = [];
  const cleanup = () => {
    // the set directory being written (nothing is published until it is complete)
    for (const t of temps) rmSync(t, { recursive: true, force: true });
  };
  const onSignal = (sig: NodeJS.Signals) => {
    cleanup();
    process.stderr.write(`\ncropmap interrupted by ${sig}: nothing written\n`);
    process.exit(130);
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  progress();
  for (let b = 0; b < total; b++) {
    canvas.place(await classifyBlock(ctx, scene, inputs, classify, model.card.classes, grid, b));
    done++;
    progress();
    await hooks.afterBlock?.(done, total);
  }
  const classifySeconds = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  // Footprint of the job: the whole process's CPU (this CLI does nothing else), as energy and CO2e.
  const recorder = createFootprintRecorder(footprintSettingsFrom(config));
  const p = await publishCropMap({ out, scene, model, season: choice.season, dates: choice.dates, canvas, cpuMs: (cpu.user + cpu.system) / 1000, wallSeconds: classifySeconds, recorder, ctx, onTemp: (t) => (temps = t) });
  process.removeListener('SIGINT', onSignal);
  process.removeListener('SIGTERM', onSignal);
  if (!o.quiet) process.stderr.write('\n');
  console.log(`crop map of ${scene.id} (season ${choice.season}-${choice.season + 1}, model ${model.id}): ${grid.width}x${grid.height} px, ${p.mappedPixels} classified in ${classifySeconds.toFixed(2)} s -> ${p.tif} (${p.bytes} bytes, + .aux.xml colour table, + .json); ${p.polygons.features.length} polygons -> ${p.polygonsPath}`);
  console.log(`footprint: ${dashboardNote(p.footprint)} (${p.footprint.energySource}, ${p.footprint.carbonIntensitySource})`);
  await ctx.close();
  return 0;
}
