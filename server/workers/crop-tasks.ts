/** Worker tasks for crop inference: crop tiles, points, model checks. */
import { ortClassifier, type SessionSpec } from '../inference/ort-classifier.js';
import { checkModel } from '../inference/ort-classifier.js';
import { renderCropTile, BlockClassCache, type CropTileTask } from '../pipeline/crop-tile.js';
import { pointQuery, type PointTask } from '../pipeline/point.js';
import type { RasterContext } from '../pipeline/read-tile.js';
import { renderUncertaintyTile, uncertainPlaces, type UncertaintyTileTask, type UncertainPlacesTask } from '../pipeline/uncertainty.js';

export interface CropTileMessage extends CropTileTask {
  session: SessionSpec;
}

export interface PointMessage extends PointTask {
  session?: SessionSpec;
}

export function cropTasks(ctx: RasterContext) {
  const cache = new BlockClassCache();
  return {
    'crop-tile': async (p: CropTileMessage) => {
      const r = await renderCropTile(ctx, cache, ortClassifier(p.session), p);
      return { result: { body: r.body, empty: r.empty }, transfer: [] as ArrayBuffer[] };
    },
    point: async (p: PointMessage) => ({ result: await pointQuery(ctx, p.session ? ortClassifier(p.session) : null, p) }),
    // where new labels help most (server/pipeline/uncertainty.ts): same block cache as the crop tiles
    'crop-uncertainty-tile': async (p: UncertaintyTileTask & { session: SessionSpec }) => {
      const r = await renderUncertaintyTile(ctx, cache, ortClassifier(p.session), p);
      return { result: { body: r.body, empty: r.empty }, transfer: [] as ArrayBuffer[] };
    },
    'uncertain-places': async (p: UncertainPlacesTask & { session: SessionSpec }) => ({ result: await uncertainPlaces(ctx, cache, ortClassifier(p.session), p) }),
    'check-model': async (p: SessionSpec) => {
      await checkModel(p);
      return { result: true };
    },
  };
}
