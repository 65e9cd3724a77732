/**
 * The production task table's types: each task kind with its input and output, and the lane it
 * runs in. Type-only imports: this module is imported by the main process (routes, pool) and by
 * the child (worker-main.ts implements exactly these kinds, checked by `Handlers<TaskMap>`).
 * Test-only tasks are NOT here: tests declare their own map and load their handlers into the
 * children through `PoolOptions.extraTaskModules` (test/hardening/fault-tasks.ts).
 */
import type { ImageryTileTask, TileResult } from '../pipeline/tile.js';
import type { ZonalTask, ZonalFeatureResult } from '../pipeline/zonal.js';
import type { PointResult } from '../pipeline/point.js';
import type { UncertaintyTileTask, UncertainPlacesTask, UncertainPlacesResult } from '../pipeline/uncertainty.js';
import type { AddSceneOptions } from '../catalog/inspect.js';
import type { StacItem } from '../catalog/scene.js';
import type { SessionSpec } from '../inference/ort-classifier.js';
import type { CropTileMessage, PointMessage } from './crop-tasks.js';
import type { CropMapBlockTask, CropMapPublishTask, CropMapPublishResult } from '../jobs/tasks.js';
import type { BlockResult } from '../jobs/cropmap-blocks.js';
import type { AlertRulesInput, AlertRulesOutput } from '../alerts/evaluate.js';
import type { PrimeCatalog, PrimeResult, PrimeTiles } from '../services/prime-tiles.js';

/** A task kind's input and output. */
export interface TaskSpec<I = unknown, O = unknown> {
  input: I;
  output: O;
}
export type TaskMapBase = { [kind: string]: TaskSpec };

export type TaskMap = {
  'imagery-tile': TaskSpec<ImageryTileTask, TileResult>;
  /** tiles rendered before a worker's first request (WorkerPool.prime; services/prime-tiles.ts), each kind within its time budget */
  'prime-tiles': TaskSpec<PrimeTiles, PrimeResult>;
  /** the same, the lists made by the worker itself from the catalog and models directories (the child `granary serve` forks first: fork-child.ts) */
  'prime-catalog': TaskSpec<PrimeCatalog, PrimeResult>;
  'crop-tile': TaskSpec<CropTileMessage, TileResult>;
  'crop-uncertainty-tile': TaskSpec<UncertaintyTileTask & { session: SessionSpec }, TileResult>;
  point: TaskSpec<PointMessage, PointResult>;
  'uncertain-places': TaskSpec<UncertainPlacesTask & { session: SessionSpec }, UncertainPlacesResult>;
  'zonal-stats': TaskSpec<ZonalTask, ZonalFeatureResult[]>;
  'inspect-scene': TaskSpec<{ hrefs: string[]; opts: AddSceneOptions; itemDir: string }, StacItem>;
  'check-model': TaskSpec<SessionSpec, true>;
  'cropmap-block': TaskSpec<CropMapBlockTask, BlockResult>;
  'cropmap-publish': TaskSpec<CropMapPublishTask, CropMapPublishResult>;
  'alert-rules': TaskSpec<AlertRulesInput, AlertRulesOutput>;
  ping: TaskSpec<null, 'pong'>;
};

/**
 * Interactive work (a map waiting for a tile, a click waiting for a point) runs in its own children
 * and never queues behind bulk work (zonal statistics over many features, whole-scene uncertainty,
 * registration inspections), which runs in separate, lower-priority children.
 */
export type Lane = 'interactive' | 'bulk';

export const LANES: { readonly [K in keyof TaskMap]: Lane } = {
  'imagery-tile': 'interactive',
  'prime-tiles': 'interactive',
  'prime-catalog': 'interactive',
  'crop-tile': 'interactive',
  'crop-uncertainty-tile': 'interactive',
  point: 'interactive',
  'check-model': 'interactive',
  ping: 'interactive',
  'uncertain-places': 'bulk',
  'zonal-stats': 'bulk',
  'inspect-scene': 'bulk',
  'cropmap-block': 'bulk',
  'cropmap-publish': 'bulk',
  'alert-rules': 'bulk',
};

/** What a child-side handler gets besides its input. */
export interface TaskContext {
  /** aborted when the caller went away (the client closed its connection); a task past its timeout is not asked, its child is killed */
  signal: AbortSignal;
}

/** A child-side handler table implementing a task map. */
export type Handlers<M extends TaskMapBase> = { [K in keyof M]: (input: M[K]['input'], ctx: TaskContext) => Promise<M[K]['output']> };
