/**
 * granary cropmap <sceneId> [--model <id>] [--season yyyy] [--out <file.tif>]
 * Classifies the whole scene at native resolution, block by block (the same blocks and code as the
 * crop tiles), with a progress bar, and writes the crop-map COG (see cropmap/write-cropmap.ts).
 */
import { parseArgs } from 'node:util';
import { join, resolve } from 'node:path';
import { unlink } from 'node:fs/promises';
import { loadConfig } from '../config.js';
import { sourcePolicy } from '../app.js';
import { Catalog } from '../catalog/catalog.js';
import { ModelRegistry } from '../inference/registry.js';
import { checkModel } from '../inference/ort-classifier.js';
import { ortClassifier } from '../inference/ort-classifier.js';
import { createRasterContext } from '../workers/raster-context.js';
import { classifyWindow, NO_CLASS } from '../pipeline/classify-window.js';
import { BLOCK } from '../pipeline/crop-tile.js';
import { modelTask } from '../routes/crops/index.js';
import { writeCropMap } from '../cropmap/write-cropmap.js';
import { cropMapPolygons } from '../cropmap/polygon-layer.js';
import { writeFileAtomic } from '../util/atomic-write.js';
import { GranaryError } from '../errors.js';
import { createFootprintRecorder, footprintSettingsFrom } from '../footprint/recorder.js';
import { footprintMetadata, footprintStacProperties, footprintGdalMetadata, dashboardNote } from '../footprint/metadata.js';

export async function main(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({ args, allowPositionals: true, options: { model: { type: 'string' }, season: { type: 'string' }, out: { type: 'string' }, threads: { type: 'string' }, quiet: { type: 'boolean' } } });
  const sceneId = positionals[0];
  if (!sceneId) throw new GranaryError('bad-request', 'usage: granary cropmap <sceneId> [--model <id>] [--season yyyy] [--out <file.tif>]');
  const config = loadConfig();
  const catalog = new Catalog(join(config.dataDir, 'catalog'));
  const scene = await catalog.get(sceneId);
  const registry = new ModelRegistry(config.modelsDir, (e) => checkModel(e.session));
  const model = await registry.get(values.model);
  const season = values.season !== undefined ? Number(values.season) : undefined;
  if (season !== undefined && !Number.isInteger(season)) throw new GranaryError('bad-request', `--season must be a year, got "${values.season}"`);
  const { choice, inputs } = modelTask(model, scene, season);
  const out = resolve(values.out ?? join(config.dataDir, 'cropmaps', `${scene.id}__${model.id}.tif`));
  const threads = Number(values.threads ?? 2);

  const ctx = createRasterContext({ policy: sourcePolicy(config), blockCacheBytes: config.blockCacheMb * 1024 * 1024 });
  const classify = ortClassifier({ ...model.session, threads });
  const { width, height } = scene.grid;
  const classIds = new Uint8Array(width * height).fill(255);
  const confidence = new Uint8Array(width * height).fill(255);
  const bx = Math.ceil(width / BLOCK);
  const by = Math.ceil(height / BLOCK);
  const total = bx * by;
  const counts = new Map<number, number>();
  const t0 = performance.now();
  const cpu0 = process.cpuUsage();
  let done = 0;
  const progress = () => {
    if (values.quiet) return;
    const w = 30;
    const f = Math.round((done / total) * w);
    process.stderr.write(`\rcropmap ${scene.id} [${'#'.repeat(f)}${' '.repeat(w - f)}] ${Math.round((done / total) * 100)}% ${done}/${total} blocks`);
  };
  let temps: string[] = [];
  const cleanup = () => {
    for (const t of temps) void unlink(t).catch(() => undefined);
  };
  const onSignal = (sig: NodeJS.Signals) => {
    cleanup();
    process.stderr.write(`\ncropmap interrupted by ${sig}: nothing written\n`);
    process.exit(130);
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  progress();
  for (let j = 0; j < by; j++) {
    for (let i = 0; i < bx; i++) {
      const win = [i * BLOCK, j * BLOCK, Math.min(width, (i + 1) * BLOCK), Math.min(height, (j + 1) * BLOCK)] as const;
      const w = await classifyWindow(ctx, scene, inputs, classify, win);
      for (let r = 0; r < w.height; r++) {
        for (let c = 0; c < w.width; c++) {
          const k = r * w.width + c;
          const cls = w.classes[k]!;
          if (cls === NO_CLASS) continue;
          const id = model.card.classes[cls]!.id;
          const o = (win[1] + r) * width + (win[0] + c);
          classIds[o] = id;
          confidence[o] = Math.round(w.confidence[k]! * 100);
          counts.set(id, (counts.get(id) ?? 0) + 1);
        }
      }
      done++;
      progress();
      if (config.testSlowCropmapMs > 0) await new Promise((r) => setTimeout(r, config.testSlowCropmapMs)); // tests: time to interrupt
    }
  }
  const classifySeconds = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  const handle = await ctx.open(scene.assets[0]!.href);
  const geoKeys = handle.levels[0]!.image.getGeoKeys() as Record<string, unknown>;
  const pixelAreaHa = Math.abs(scene.grid.geotransform[1] * scene.grid.geotransform[5]) / 1e4;
  const mappedPixels = [...counts.values()].reduce((a, b) => a + b, 0);
  // Footprint of the job: the whole process's CPU (this CLI does nothing else), as energy and CO2e.
  const recorder = createFootprintRecorder(footprintSettingsFrom(config));
  const jobCpuMs = (cpu.user + cpu.system) / 1000;
  const est = recorder.estimate(jobCpuMs);
  const km2 = (mappedPixels * pixelAreaHa) / 100;
  const product = { cpuMs: jobCpuMs, joules: est.joules, gCo2e: est.gCo2e, km2, energySource: recorder.model().cpuSource, joulesPerCpuSecond: est.joules / Math.max(1e-9, jobCpuMs / 1000) };
  const fctx = { intensity: recorder.intensity, settings: recorder.settings };
  const footprint = footprintMetadata(product, fctx);
  const result = await writeCropMap(
    out,
    { width, height, classIds, confidence },
    {
      scene,
      geoKeys,
      model: { id: model.id, sha256: model.sha256, classes: model.card.classes, confusionMatrix: model.card.metrics.confusionMatrix, classOrder: model.card.metrics.classOrder },
      season: choice.season,
      dates: choice.dates,
      extra: {
        'granary:mappedAreaKm2': Number(((mappedPixels * pixelAreaHa) / 100).toFixed(3)),
        'granary:classPixels': Object.fromEntries([...counts].map(([id, n]) => [model.card.classes.find((c) => c.id === id)!.name, n])),
        'granary:cpuSeconds': Number(((cpu.user + cpu.system) / 1e6).toFixed(3)),
        'granary:wallSeconds': Number(classifySeconds.toFixed(3)),
        ...footprintStacProperties(product, fctx),
      },
      gdalItems: footprintGdalMetadata(product, fctx),
      footprint,
    },
    (t) => (temps = t),
  );
  const layer = cropMapPolygons(scene, classIds, confidence, model.card.classes);
  const polygonsPath = out.replace(/\.tif$/, '') + '.polygons.geojson';
  await writeFileAtomic(polygonsPath, JSON.stringify(layer));
  process.removeListener('SIGINT', onSignal);
  process.removeListener('SIGTERM', onSignal);
  if (!values.quiet) process.stderr.write('\n');
  console.log(`crop map of ${scene.id} (season ${choice.season}-${choice.season + 1}, model ${model.id}): ${width}x${height} px, ${mappedPixels} classified in ${classifySeconds.toFixed(2)} s -> ${result.tif} (${result.bytes} bytes, + .aux.xml colour table, + .json); ${layer.features.length} polygons -> ${polygonsPath}`);
  console.log(`footprint: ${dashboardNote(footprint)} (${footprint.energySource}, ${footprint.carbonIntensitySource})`);
  const handles = [handle];
  await Promise.all(handles.map((h) => h.source.close()));
  return 0;
}
