/**
 * Everything known at a point (runs in a worker): the scene pixel under it, the time series of every
 * variable, and, with a model, the class with all its probabilities.
 */
import { transformer, WGS84 } from '../geo/crs.js';
import { readWindow } from '../raster/read-window.js';
import { classifyWindow, NO_CLASS, type Classifier, type ModelInputs } from './classify-window.js';
import type { RasterContext } from './read-tile.js';
import type { Scene } from '../catalog/scene.js';
import type { CropModelRef } from './crop-tile.js';

export interface PointTask {
  scene: Scene;
  lon: number;
  lat: number;
  model?: { ref: CropModelRef; inputs: ModelInputs; season: number };
}

export interface PointResult {
  inside: boolean;
  pixel: { col: number; row: number; x: number; y: number } | null;
  series: Record<string, Array<{ date: string | null; value: number | null }>>;
  crop: null | {
    modelId: string;
    season: number;
    class: { index: number; id: number; name: string; color: string } | null;
    confidence: number | null;
    probabilities: Array<{ id: number; name: string; probability: number }>;
  };
}

/** Scene pixel (col,row) containing lon/lat, or null when outside. Pure. */
export function pixelAt(scene: Scene, lon: number, lat: number): { col: number; row: number; x: number; y: number } | null {
  const [x, y] = transformer(WGS84, scene.crs.proj4).forward([lon, lat]) as [number, number];
  const [ox, pw, , oy, , ph] = scene.grid.geotransform;
  const col = Math.floor((x - ox) / pw);
  const row = Math.floor((y - oy) / ph);
  if (!(col >= 0 && row >= 0 && col < scene.grid.width && row < scene.grid.height)) return null;
  return { col, row, x, y };
}

export async function pointQuery(ctx: RasterContext, classify: Classifier | null, task: PointTask, signal?: AbortSignal): Promise<PointResult> {
  const { scene } = task;
  const px = pixelAt(scene, task.lon, task.lat);
  if (!px) return { inside: false, pixel: null, series: {}, crop: null };
  const win = [px.col, px.row, px.col + 1, px.row + 1] as const;
  const series: PointResult['series'] = {};
  const read = await Promise.all(
    scene.assets.map(async (asset) => {
      const handle = await ctx.open(asset.href);
      return readWindow(handle, 0, win, asset.bands.map((b, s) => ({ sample: s, scale: b.scale, offset: b.offset, nodata: b.nodata })), ctx.blocks, signal);
    }),
  );
  // variables in the scene's asset order, not in the order the reads finished (the dashboard's
  // NDVI/EVI buttons follow this order, and it flipped from run to run)
  scene.assets.forEach((asset, i) => {
    asset.bands.forEach((b, s) => {
      const v = read[i]![s]![0]!;
      (series[b.variable] ??= []).push({ date: b.date, value: Number.isNaN(v) ? null : Number(v.toFixed(6)) });
    });
  });
  for (const list of Object.values(series)) list.sort((a, b) => String(a.date).localeCompare(String(b.date)));
  let crop: PointResult['crop'] = null;
  if (task.model && classify) {
    const w = await classifyWindow(ctx, scene, task.model.inputs, classify, win, signal);
    const classes = task.model.ref.classes;
    const idx = w.classes[0]!;
    crop = {
      modelId: task.model.ref.id,
      season: task.model.season,
      class: idx === NO_CLASS ? null : { index: idx, ...classes[idx]! },
      confidence: idx === NO_CLASS ? null : Number(w.confidence[0]!.toFixed(4)),
      probabilities: idx === NO_CLASS ? [] : classes.map((c, i) => ({ id: c.id, name: c.name, probability: Number(w.probabilities[i]!.toFixed(4)) })),
    };
  }
  return { inside: true, pixel: px, series, crop };
}
