/**
 * Per-pixel crop classification of a native-resolution window of a scene: read every variable x
 * date the model card needs (physical units), assemble the features in the card's layout
 * (variable-major: feature = v * steps + t), run one batch, keep class, confidence and all
 * probabilities. Pixels with any missing input are nodata (class 255).
 */
import { readWindow, type PixelWindow } from '../raster/read-window.js';
import { findBand, type Scene } from '../catalog/scene.js';
import type { RasterContext } from './read-tile.js';

export const NO_CLASS = 255;

/** Runs the model: features [n x F] (already in physical units) -> probabilities [n x C]. */
export type Classifier = (features: Float32Array, n: number) => Promise<Float32Array>;

export interface ModelInputs {
  variables: string[];
  dates: string[]; // one per step, in order
  classCount: number;
}

export interface ClassifiedWindow {
  window: PixelWindow;
  width: number;
  height: number;
  /** class index into the card's classes (0..C-1), NO_CLASS where inputs are missing */
  classes: Uint8Array;
  /** top-class probability, NaN where no class */
  confidence: Float32Array;
  /** all probabilities, [pixel * C + c] */
  probabilities: Float32Array;
}

/** Reads the features of a level-0 window: Float32Array [n * F], F = variables x dates. */
export async function readFeatures(ctx: RasterContext, scene: Scene, inputs: ModelInputs, win: PixelWindow, signal?: AbortSignal): Promise<{ features: Float32Array; n: number }> {
  const [c0, r0, c1, r1] = win;
  const n = (c1 - c0) * (r1 - r0);
  const T = inputs.dates.length;
  const F = inputs.variables.length * T;
  const features = new Float32Array(n * F);
  const refs = inputs.variables.flatMap((v, vi) => inputs.dates.map((d, t) => ({ ref: findBand(scene, v, d), f: vi * T + t })));
  const byAsset = new Map<number, typeof refs>();
  for (const r of refs) byAsset.set(r.ref.asset, [...(byAsset.get(r.ref.asset) ?? []), r]);
  await Promise.all(
    [...byAsset].map(async ([a, list]) => {
      const handle = await ctx.open(scene.assets[a]!.href);
      const arrays = await readWindow(handle, 0, win, list.map((r) => ({ sample: r.ref.sample, scale: r.ref.band.scale, offset: r.ref.band.offset, nodata: r.ref.band.nodata })), ctx.blocks, signal);
      list.forEach((r, k) => {
        const src = arrays[k]!;
        for (let p = 0; p < n; p++) features[p * F + r.f] = src[p]!;
      });
    }),
  );
  return { features, n };
}

export async function classifyWindow(ctx: RasterContext, scene: Scene, inputs: ModelInputs, classify: Classifier, win: PixelWindow, signal?: AbortSignal): Promise<ClassifiedWindow> {
  const { features, n } = await readFeatures(ctx, scene, inputs, win, signal);
  const F = inputs.variables.length * inputs.dates.length;
  const C = inputs.classCount;
  // Only complete pixels go to the model.
  const valid: number[] = [];
  for (let p = 0; p < n; p++) {
    let ok = true;
    for (let f = 0; f < F; f++) {
      if (!Number.isFinite(features[p * F + f]!)) {
        ok = false;
        break;
      }
    }
    if (ok) valid.push(p);
  }
  const batch = new Float32Array(valid.length * F);
  valid.forEach((p, i) => batch.set(features.subarray(p * F, (p + 1) * F), i * F));
  const probs = valid.length > 0 ? await classify(batch, valid.length) : new Float32Array(0);
  const classes = new Uint8Array(n).fill(NO_CLASS);
  const confidence = new Float32Array(n).fill(NaN);
  const probabilities = new Float32Array(n * C).fill(NaN);
  valid.forEach((p, i) => {
    let best = 0;
    let bestP = -1;
    for (let c = 0; c < C; c++) {
      const v = probs[i * C + c]!;
      probabilities[p * C + c] = v;
      if (v > bestP) {
        bestP = v;
        best = c;
      }
    }
    classes[p] = best;
    confidence[p] = bestP;
  });
  return { window: win, width: win[2] - win[0], height: win[3] - win[1], classes, confidence, probabilities };
}
