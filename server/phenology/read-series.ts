/**
 * Reads one variable of a scene (every date) for a pixel window: I/O only, through the raster context
 * the workers and the CLI share. Returns the scene's dates and one Float32Array (physical values, NaN
 * for nodata) per date.
 */
import { readWindow, type PixelWindow } from '../raster/read-window.js';
import type { RasterContext } from '../pipeline/read-tile.js';
import type { Scene } from '../catalog/scene.js';
import { GranaryError } from '../errors.js';

export interface VariableStack {
  dates: string[];
  width: number;
  height: number;
  /** one array per date, row-major over the window */
  values: Float32Array[];
}

export async function readVariableStack(ctx: RasterContext, scene: Scene, variable: string, win: PixelWindow = [0, 0, scene.grid.width, scene.grid.height], signal?: AbortSignal): Promise<VariableStack> {
  const picks: Array<{ date: string; href: string; sample: number; scale: number; offset: number; nodata: number | null }> = [];
  for (const asset of scene.assets) {
    asset.bands.forEach((b, sample) => {
      if (b.variable === variable && b.date) picks.push({ date: b.date, href: asset.href, sample, scale: b.scale, offset: b.offset, nodata: b.nodata });
    });
  }
  if (picks.length === 0) throw new GranaryError('bad-request', `scene ${scene.id} has no dated variable "${variable}" (variables: ${scene.variables.join(', ')})`);
  picks.sort((a, b) => a.date.localeCompare(b.date));
  const byHref = new Map<string, typeof picks>();
  for (const p of picks) byHref.set(p.href, [...(byHref.get(p.href) ?? []), p]);
  const values = new Map<string, Float32Array>();
  for (const [href, ps] of byHref) {
    const handle = await ctx.open(href);
    const arrays = await readWindow(handle, 0, win, ps.map((p) => ({ sample: p.sample, scale: p.scale, offset: p.offset, nodata: p.nodata })), ctx.blocks, signal);
    ps.forEach((p, i) => values.set(p.date, arrays[i]!));
  }
  return { dates: picks.map((p) => p.date), width: win[2] - win[0], height: win[3] - win[1], values: picks.map((p) => values.get(p.date)!) };
}
