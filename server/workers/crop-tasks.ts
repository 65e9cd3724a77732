/** Child-side tasks for crop inference: crop tiles, uncertainty, points, model checks. */
import { ortClassifier, checkModel, type SessionSpec } from '../inference/ort-classifier.js';
import { renderCropTile, BlockClassCache, type CropTileTask } from '../pipeline/crop-tile.js';
import { pointQuery, type PointTask } from '../pipeline/point.js';
import type { RasterContext } from '../pipeline/read-tile.js';
import { renderUncertaintyTile, uncertainPlaces } from '../pipeline/uncertainty.js';
import type { Handlers, TaskMap } from './tasks.js';
import type { WorkerInit } from './raster-context.js';
import { ClassifiedDiskCache } from '../pipeline/classified-disk.js';
import { codeIdentity } from '../util/code-identity.js';
import { siblingModule } from '../sibling-module.js';

export interface CropTileMessage extends CropTileTask {
  session: SessionSpec;
}

export interface PointMessage extends PointTask {
  session?: SessionSpec;
}

type CropKinds = 'crop-tile' | 'point' | 'crop-uncertainty-tile' | 'uncertain-places' | 'check-model';

/** The modules whose code decides a block's classes and probabilities (part of the disk entries' key). */
const CLASSIFYING_CODE = ['../pipeline/classify-window.ts', '../inference/onnx-session.ts', '../../models/contract/standardize.ts', '../../models/contract/calibration.ts'];

export function cropTasks(ctx: RasterContext, init: Pick<WorkerInit, 'classifiedCache'> = {}): Pick<Handlers<TaskMap>, CropKinds> {
  // one cache per child: the pool routes a block's tasks to the same child (affinity key); under it
  // the blocks on disk, which every child and every later process shares
  const c = init.classifiedCache;
  const disk = c ? new ClassifiedDiskCache(c.dir, c.maxBytes, codeIdentity(CLASSIFYING_CODE.map((m) => siblingModule(m, import.meta.url)), c.lockFile)) : null;
  const cache = new BlockClassCache(undefined, disk);
  return {
    'crop-tile': async (p, { signal }) => {
      const r = await renderCropTile(ctx, cache, ortClassifier(p.session), p, signal);
      return { body: r.body, empty: r.empty };
    },
    point: (p, { signal }) => pointQuery(ctx, p.session ? ortClassifier(p.session) : null, p, signal),
    // where new labels help most (server/pipeline/uncertainty.ts): same block cache as the crop tiles
    'crop-uncertainty-tile': async (p, { signal }) => {
      const r = await renderUncertaintyTile(ctx, cache, ortClassifier(p.session), p, signal);
      return { body: r.body, empty: r.empty };
    },
    'uncertain-places': (p, { signal }) => uncertainPlaces(ctx, cache, ortClassifier(p.session), p, signal),
    'check-model': async (p) => {
      await checkModel(p);
      return true as const;
    },
  };
}
