/**
 * What a crop-map job needs, resolved from its parameters against the catalog and the models: the
 * scene, the model, the season and its dates, the block grid, the output path, and the two pool
 * tasks (classify a block, publish the map). Shared by the in-process queue and `granary worker`.
 */
import { join } from 'node:path';
import type { SceneCatalog } from '../catalog/catalog.js';
import type { Scene } from '../catalog/scene.js';
import type { Config } from '../config.js';
import type { ModelEntry, ModelRegistry } from '../inference/registry.js';
import type { ModelInputs } from '../pipeline/classify-window.js';
import { modelTask } from '../services/model-task.js';
import { footprintSettingsFrom } from '../footprint/recorder.js';
import type { WorkerPool } from '../workers/pool.js';
import type { TaskMap } from '../workers/tasks.js';
import { blockGrid, type BlockGrid, type BlockResult, type CropMapCanvas } from './cropmap-blocks.js';
import type { CropMapBlockTask, CropMapPublishResult, CropMapPublishTask } from './tasks.js';
import type { CropMapJobParams } from './types.js';

export interface JobDeps {
  config: Config;
  catalog: SceneCatalog;
  models: ModelRegistry;
  pool: WorkerPool<TaskMap>;
}

export interface CropMapPlan {
  params: CropMapJobParams;
  scene: Scene;
  model: ModelEntry;
  dates: string[];
  inputs: ModelInputs;
  grid: BlockGrid;
  out: string;
}

export async function planCropMap(deps: Pick<JobDeps, 'catalog' | 'models' | 'config'>, req: { scene: string; model?: string | undefined; season?: number | undefined }): Promise<CropMapPlan> {
  const scene = await deps.catalog.get(req.scene);
  const model = await deps.models.get(req.model);
  const { choice, inputs } = modelTask(model, scene, req.season);
  return {
    params: { scene: scene.id, model: model.id, season: choice.season },
    scene,
    model,
    dates: choice.dates,
    inputs,
    grid: blockGrid(scene.grid.width, scene.grid.height),
    out: join(deps.config.dataDir, 'cropmaps', `${scene.id}__${model.id}.tif`),
  };
}

export function runBlock(pool: WorkerPool<TaskMap>, plan: CropMapPlan, index: number): Promise<BlockResult> {
  const task: CropMapBlockTask = { scene: plan.scene, inputs: plan.inputs, session: plan.model.session, classes: plan.model.card.classes, grid: plan.grid, index };
  return pool.run('cropmap-block', task);
}

export function runPublish(pool: WorkerPool<TaskMap>, config: Config, plan: CropMapPlan, canvas: CropMapCanvas, cpuMs: number, wallSeconds: number): Promise<CropMapPublishResult> {
  const task: CropMapPublishTask = {
    out: plan.out,
    scene: plan.scene,
    model: plan.model,
    season: plan.params.season,
    dates: plan.dates,
    grid: plan.grid,
    classIds: canvas.classIds,
    confidence: canvas.confidence,
    counts: [...canvas.counts],
    cpuMs,
    wallSeconds,
    footprint: footprintSettingsFrom(config),
  };
  return pool.run('cropmap-publish', task);
}
