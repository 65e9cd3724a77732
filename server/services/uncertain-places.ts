/**
 * The uncertain places of a scene (where field visits improve the crop map most): computed in a worker
 * from the same classified blocks as the crop tiles, remembered per (scene, model, season, measure, n,
 * spacing) in an LRU, and the latest answer kept for the `uncertain-places` collection. Decorated onto
 * the app as `app.uncertainPlaces` (plugins/uncertain-places.ts); used by the uncertainty routes and
 * the collections.
 */
import { LRUCache } from 'lru-cache';
import type { Catalog } from '../catalog/catalog.js';
import type { ModelRegistry } from '../inference/registry.js';
import type { WorkerPool } from '../workers/pool.js';
import type { TaskMap } from '../workers/tasks.js';
import { DEFAULT_PLACES, DEFAULT_SPACING, MAX_PLACES, UNCERTAINTY_MEASURES } from '../contract/uncertainty.js';
import { modelTask } from './model-task.js';
import { badRequest } from '../errors.js';
import type { UncertainPlacesResult, UncertaintyMeasure } from '../pipeline/uncertainty.js';

interface PlacesRequest {
  scene: string;
  model?: string | undefined;
  season?: number | undefined;
  measure?: UncertaintyMeasure | undefined;
  n?: number | undefined;
  spacing?: number | undefined;
}

export interface PlacesAnswer {
  sceneId: string;
  sceneTitle: string;
  modelId: string;
  season: number;
  measure: UncertaintyMeasure;
  n: number;
  spacing: number;
  result: UncertainPlacesResult;
}

/** Answers kept: a few scenes x models x seasons x parameter choices. */
const REMEMBERED = 64;

export class UncertainPlacesService {
  private readonly memo = new LRUCache<string, Promise<PlacesAnswer>>({ max: REMEMBERED });
  private last: PlacesAnswer | null = null;

  constructor(
    private readonly deps: { catalog: Pick<Catalog, 'get'>; models: Pick<ModelRegistry, 'get'>; pool: Pick<WorkerPool<TaskMap>, 'run'> },
  ) {}

  /** Computes (in a worker) or reuses the uncertain places of a scene. */
  async compute(q: PlacesRequest): Promise<PlacesAnswer> {
    if (q.measure !== undefined && !UNCERTAINTY_MEASURES.includes(q.measure)) throw badRequest(`measure must be one of ${UNCERTAINTY_MEASURES.join(', ')}`);
    if (q.n !== undefined && !(Number.isInteger(q.n) && q.n >= 1 && q.n <= MAX_PLACES)) throw badRequest(`n must be an integer 1..${MAX_PLACES}`);
    if (q.spacing !== undefined && !(Number.isInteger(q.spacing) && q.spacing >= 0 && q.spacing <= 10_000)) throw badRequest('spacing must be an integer 0..10000 (native pixels)');
    if (q.season !== undefined && !Number.isInteger(q.season)) throw badRequest('season must be a year');
    const scene = await this.deps.catalog.get(q.scene);
    const model = await this.deps.models.get(q.model);
    const { choice, ref, inputs } = modelTask(model, scene, q.season);
    const measure = q.measure ?? 'entropy';
    const n = q.n ?? DEFAULT_PLACES;
    const spacing = q.spacing ?? DEFAULT_SPACING;
    const key = `${scene.id}|${scene.etag}|${model.sha256}|${choice.season}|${measure}|${n}|${spacing}`;
    let p = this.memo.get(key);
    if (!p) {
      p = this.deps.pool
        .run('uncertain-places', { scene, model: ref, inputs, season: choice.season, measure, n, spacing, session: model.session })
        .then((result) => {
          const a: PlacesAnswer = { sceneId: scene.id, sceneTitle: scene.title, modelId: model.id, season: choice.season, measure, n, spacing, result };
          this.last = a;
          return a;
        });
      p.catch(() => this.memo.delete(key));
      this.memo.set(key, p);
    }
    return p;
  }

  /** The most recently computed answer (the collection is listed once there is one). */
  latest(): PlacesAnswer | null {
    return this.last;
  }
}

export function placesFeatures(a: PlacesAnswer) {
  return a.result.places.map((p) => ({
    type: 'Feature' as const,
    id: `${a.sceneId}-${p.rank}`,
    geometry: { type: 'Point' as const, coordinates: [p.lon, p.lat] as [number, number] },
    properties: {
      rank: p.rank,
      sceneId: a.sceneId,
      modelId: a.modelId,
      season: a.season,
      measure: a.measure,
      uncertainty: p.uncertainty,
      pixelUncertainty: p.pixelUncertainty,
      entropy: p.entropy,
      top1: p.top1,
      p1: p.p1,
      top2: p.top2,
      p2: p.p2,
      col: p.col,
      row: p.row,
    },
  }));
}

