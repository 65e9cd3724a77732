/**
 * Reading the physical values of scene bands on a Web Mercator tile grid: plan (which level, which
 * window, per asset), read (decoded blocks through the LRU), warp (nearest or bilinear).
 * Shared by imagery tiles, .tif tiles and crop inference, so one code path is tested.
 */
import { tileBounds3857 } from '../geo/tile-grid.js';
import { transformer, WEB_MERCATOR } from '../geo/crs.js';
import { sampleCoords, chooseLevel, planWindow, type Resampling, type SampleCoords } from '../raster/plan.js';
import { readWindow } from '../raster/read-window.js';
import { warp } from '../raster/warp.js';
import type { CogHandle } from '../raster/cog.js';
import type { BlockCache } from '../raster/block-cache.js';
import type { BandRef, Scene } from '../catalog/scene.js';

export interface RasterContext {
  open(href: string): Promise<CogHandle>;
  blocks: BlockCache;
}

export interface TileAddress {
  z: number;
  x: number;
  y: number;
  size: number;
}

export type TileValues = { kind: 'empty' } | { kind: 'values'; bands: Float32Array[]; coords: SampleCoords };

export function tileCoords(scene: Scene, t: TileAddress): SampleCoords {
  const conv = transformer(WEB_MERCATOR, scene.crs.proj4);
  const toSource = (x: number, y: number) => conv.forward([x, y]) as [number, number];
  return sampleCoords(tileBounds3857(t.z, t.x, t.y), t.size, scene.grid, toSource);
}

/** Reads `refs` (in order) warped onto tile `t`. */
export async function readTileBands(ctx: RasterContext, scene: Scene, t: TileAddress, refs: readonly BandRef[], resampling: Resampling, signal?: AbortSignal): Promise<TileValues> {
  const coords = tileCoords(scene, t);
  const out: Float32Array[] = new Array(refs.length);
  const byAsset = new Map<number, number[]>();
  refs.forEach((r, i) => byAsset.set(r.asset, [...(byAsset.get(r.asset) ?? []), i]));
  let any = false;
  await Promise.all(
    [...byAsset].map(async ([assetIndex, idx]) => {
      const asset = scene.assets[assetIndex]!;
      const handle = await ctx.open(asset.href);
      const level = chooseLevel(handle.info.levels, coords.factor);
      const plan = planWindow(coords, handle.info.levels, level, resampling);
      if (plan.kind === 'empty') {
        for (const i of idx) out[i] = new Float32Array(t.size * t.size).fill(NaN);
        return;
      }
      any = true;
      const reads = idx.map((i) => {
        const r = refs[i]!;
        return { sample: r.sample, scale: r.band.scale, offset: r.band.offset, nodata: r.band.nodata };
      });
      const windows = await readWindow(handle, plan.level, plan.window, reads, ctx.blocks, signal);
      const levelSize = handle.info.levels[plan.level]!;
      idx.forEach((i, k) => {
        out[i] = warp(windows[k]!, plan.window, levelSize, coords, plan.scaleX, plan.scaleY, resampling);
      });
    }),
  );
  return any ? { kind: 'values', bands: out, coords } : { kind: 'empty' };
}
