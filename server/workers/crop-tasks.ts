/** Child-side tasks for crop inference: crop tiles, uncertainty, points, model checks. */
import { ortClassifier, checkModel, type SessionSpec } from '../inference/ort-classifier.js';
import { renderCropTile, BlockClassCache, type CropTileTask } from '../pipeline/crop-tile.js';
import { pointQuery, type PointTask } from '../pipeline/point.js';
import type { RasterContext } from '../pipeline/read-tile.js';
import { renderUncertaintyTile, uncertainPlaces } from '../pipeline/uncertainty.js';
import type { Handlers, TaskMap } from './tasks.js';

export interface CropTileMessage extends CropTileTask {
  session: SessionSpec;
}

export interface PointMessage extends PointTask {
  session?: SessionSpec;
}

type CropKinds = 'crop-tile' | 'point' | 'crop-uncertainty-tile' | 'uncertain-places' | 'check-model';

export function cropTasks(ctx: RasterContext): Pick<Handlers<TaskMap>, CropKinds> {
  // one cache per child: the pool routes a block's tasks to the same child (affinity key)
  const cache = new BlockClassCache();
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
