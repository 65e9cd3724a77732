/**
 * Worker-pool tasks of a crop-map job (typed in workers/tasks.ts, registered in workers/worker-main.ts), so that the CPU work of
 * a job never runs on the event loop of a replica or of a `granary worker` (whose event loop must
 * keep renewing its queue locks):
 *
 *   cropmap-block    classify one native block -> class ids + confidence (transferred back)
 *   cropmap-publish  write the assembled map: COG + sidecars + polygons (jobs/publish.ts)
 */
import type { Scene } from '../catalog/scene.js';
import type { ModelEntry } from '../inference/registry.js';
import type { ModelInputs } from '../pipeline/classify-window.js';
import type { RasterContext } from '../pipeline/read-tile.js';
import { ortClassifier, type SessionSpec } from '../inference/ort-classifier.js';
import { createFootprintRecorder, type FootprintSettings } from '../footprint/recorder.js';
import { classifyBlock, CropMapCanvas, type BlockGrid } from './cropmap-blocks.js';
import { publishCropMap } from './publish.js';
import type { Handlers, TaskMap } from '../workers/tasks.js';

export interface CropMapBlockTask {
  scene: Scene;
  inputs: ModelInputs;
  session: SessionSpec;
  classes: Array<{ id: number }>;
  grid: BlockGrid;
  index: number;
}

export interface CropMapPublishTask {
  out: string;
  scene: Scene;
  model: ModelEntry;
  season: number;
  dates: string[];
  grid: BlockGrid;
  classIds: Uint8Array;
  confidence: Uint8Array;
  counts: Array<[number, number]>;
  cpuMs: number;
  wallSeconds: number;
  footprint: FootprintSettings;
}

export interface CropMapPublishResult {
  tif: string;
  polygonsPath: string;
  bytes: number;
  mappedPixels: number;
  km2: number;
  polygonCount: number;
  footprint: { joules: number; gCo2e: number };
}

export function jobTasks(ctx: RasterContext): Pick<Handlers<TaskMap>, 'cropmap-block' | 'cropmap-publish'> {
  return {
    'cropmap-block': (p) => classifyBlock(ctx, p.scene, p.inputs, ortClassifier(p.session), p.classes, p.grid, p.index),
    'cropmap-publish': async (p) => {
      const canvas = CropMapCanvas.from(p.grid, p.classIds, p.confidence, p.counts);
      const recorder = createFootprintRecorder(p.footprint);
      const r = await publishCropMap({ out: p.out, scene: p.scene, model: p.model, season: p.season, dates: p.dates, canvas, cpuMs: p.cpuMs, wallSeconds: p.wallSeconds, recorder, ctx });
      const result: CropMapPublishResult = { tif: r.tif, polygonsPath: r.polygonsPath, bytes: r.bytes, mappedPixels: r.mappedPixels, km2: r.km2, polygonCount: r.polygons.features.length, footprint: { joules: r.footprint.energyWh * 3600, gCo2e: r.footprint.co2eGrams } };
      return result;
    },
  };
}
