/**
 * Reading the physical values of scene bands on a Web Mercator tile grid: plan (which level, which
 * window, per asset), read (decoded blocks through the LRU), warp (nearest or bilinear).
 * Shared by imagery tiles, .tif tiles and crop inference, so one code path is tested.
 */
import { tileBounds3857 } from '../geo/tile-grid.js';
import { transformer, WEB_MERCATOR } from '../geo/crs.js';
import { sampleCoords, chooseLevel, planWindow, type Resampling, type SampleCoords, type WindowPlan } from '../raster/plan.js';
import { readWindow } from '../raster/read-window.js';
import { warpBands } from '../raster/warp.js';
import type { CogHandle } from '../raster/cog.js';
import type { BlockCache } from '../raster/block-cache.js';
import type { BandRef, Scene } from '../catalog/scene.js';
import type { PlanCache } from '../raster/plan-cache.js';
import { lap, stamp, type StageTimes } from './stage-times.js';

export interface RasterContext {
  open(href: string): Promise<CogHandle>;
  blocks: BlockCache;
  /** tile plans kept between tiles (absent: plan every tile) */
  plans?: PlanCache;
}

export interface TileAddress {
  z: number;
  x: number;
  y: number;
  size: number;
}

type TileValues = { kind: 'empty' } | { kind: 'values'; bands: Float32Array[]; coords: SampleCoords };

export function tileCoords(scene: Scene, t: TileAddress): SampleCoords {
  const conv = transformer(WEB_MERCATOR, scene.crs.proj4);
  const toSource = (x: number, y: number) => conv.forward([x, y]) as [number, number];
  return sampleCoords(tileBounds3857(t.z, t.x, t.y), t.size, scene.grid, toSource);
}

/** The plan of tile `t` on the scene's grid, from the plan cache when the context has one. */
function tilePlan(ctx: RasterContext, scene: Scene, t: TileAddress) {
  const make = () => tileCoords(scene, t);
  if (!ctx.plans) return { coords: make(), windows: new Map<string, WindowPlan>() };
  const g = scene.grid;
  return ctx.plans.get(`${scene.crs.proj4}|${g.width}x${g.height}|${g.geotransform.join(',')}|${t.z}/${t.x}/${t.y}@${t.size}`, make);
}

/** Reads `refs` (in order) warped onto tile `t`; `times` (optional) collects plan/read/warp milliseconds. */
export async function readTileBands(ctx: RasterContext, scene: Scene, t: TileAddress, refs: readonly BandRef[], resampling: Resampling, signal?: AbortSignal, times?: StageTimes): Promise<TileValues> {
  const t0 = stamp(times);
  const plan0 = tilePlan(ctx, scene, t);
  const coords = plan0.coords;
  lap(times, 'plan', t0);
  const out: Float32Array[] = new Array(refs.length);
  const byAsset = new Map<number, number[]>();
  refs.forEach((r, i) => byAsset.set(r.asset, [...(byAsset.get(r.asset) ?? []), i]));
  let any = false;
  await Promise.all(
    [...byAsset].map(async ([assetIndex, idx]) => {
      const asset = scene.assets[assetIndex]!;
      const handle = await ctx.open(asset.href);
      const wkey = `${handle.source.key}|${resampling}`;
      let plan = plan0.windows.get(wkey);
      if (!plan) {
        const p0 = stamp(times);
        plan = planWindow(coords, handle.info.levels, chooseLevel(handle.info.levels, coords.factor), resampling);
        plan0.windows.set(wkey, plan);
        lap(times, 'plan', p0);
      }
      if (plan.kind === 'empty') {
        for (const i of idx) out[i] = new Float32Array(t.size * t.size).fill(NaN);
        return;
      }
      any = true;
      const reads = idx.map((i) => {
        const r = refs[i]!;
        return { sample: r.sample, scale: r.band.scale, offset: r.band.offset, nodata: r.band.nodata };
      });
      const r0 = stamp(times);
      const windows = await readWindow(handle, plan.level, plan.window, reads, ctx.blocks, signal);
      const w0 = lap(times, 'read', r0);
      const levelSize = handle.info.levels[plan.level]!;
      const p = plan;
      const warped = warpBands(windows, p.window, levelSize, coords, p.scaleX, p.scaleY, resampling);
      idx.forEach((i, k) => (out[i] = warped[k]!));
      lap(times, 'warp', w0);
    }),
  );
  return any ? { kind: 'values', bands: out, coords } : { kind: 'empty' };
}
