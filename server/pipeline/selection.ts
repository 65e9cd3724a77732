/**
 * What a tile shows: one variable, an RGB composite, or an expression, at one date, with rescale,
 * colormap and resampling. Parsed and validated from query parameters against the scene (pure), on
 * the main thread so that mistakes become precise 400s before any worker is involved.
 */
import { parseExpression, expressionVariables, ExpressionError, type Expr } from '../render/expression.js';
import { pickDate, type Scene } from '../catalog/scene.js';
import { badRequest } from '../errors.js';
import type { Resampling } from '../raster/plan.js';
import type { ColormapRegistry } from '../render/colormaps.js';

export type Selection =
  | { kind: 'variable'; variable: string }
  | { kind: 'bands'; bands: [string, string, string] }
  | { kind: 'expression'; expression: string };

interface TileQuery {
  variable?: string;
  bands?: string;
  expression?: string;
  date?: string;
  rescale?: string | string[];
  colormap?: string;
  resampling?: string;
}

export interface ResolvedSelection {
  selection: Selection;
  /** the variables to read */
  variables: string[];
  date: string | null;
  /** one range per output band */
  rescale: Array<[number, number]>;
  colormap: string | null;
  resampling: Resampling;
  /** canonical string of everything above, for cache keys and TileJSON templates */
  canonical: string;
}

function parseRescale(raw: string | string[] | undefined, count: number): Array<[number, number]> | null {
  if (raw === undefined) return null;
  const list = Array.isArray(raw) ? raw : [raw];
  const ranges = list.map((r) => {
    const parts = r.split(',');
    const nums = parts.map((p) => (p.trim() === '' ? NaN : Number(p)));
    if (parts.length !== 2 || !nums.every(Number.isFinite)) throw badRequest(`rescale "${r.slice(0, 60)}" must be two numbers "min,max"`);
    if (nums[0] === nums[1]) throw badRequest(`rescale "${r}" has min equal to max`);
    return [nums[0]!, nums[1]!] as [number, number];
  });
  if (ranges.length === 1 && count > 1) return Array.from({ length: count }, () => ranges[0]!);
  if (ranges.length !== count) throw badRequest(`${ranges.length} rescale ranges for ${count} output band(s): give one, or one per band`);
  return ranges;
}

export function resolveSelection(scene: Scene, q: TileQuery, colormaps: ColormapRegistry): ResolvedSelection {
  const given = [q.variable, q.bands, q.expression].filter((v) => v !== undefined).length;
  if (given > 1) throw badRequest('give only one of variable, bands or expression');
  const checkVar = (v: string) => {
    if (!scene.variables.includes(v)) throw badRequest(`unknown variable "${v.slice(0, 60)}" for scene ${scene.id} (valid: ${scene.variables.join(', ')})`, { valid: scene.variables });
    return v;
  };
  let selection: Selection;
  let variables: string[];
  let expr: Expr | null = null;
  if (q.expression !== undefined) {
    try {
      expr = parseExpression(q.expression, scene.variables);
    } catch (e) {
      if (e instanceof ExpressionError) throw badRequest(`malformed expression: ${e.message}`, { position: e.position });
      throw e;
    }
    selection = { kind: 'expression', expression: q.expression.replace(/\s+/g, '') };
    variables = [...expressionVariables(expr)];
    if (variables.length === 0) throw badRequest('the expression uses no variable of the scene');
  } else if (q.bands !== undefined) {
    const list = q.bands.split(',').map((s) => s.trim());
    if (list.length !== 3) throw badRequest(`bands must name three variables (R,G,B), got ${list.length}`);
    list.forEach(checkVar);
    selection = { kind: 'bands', bands: list as [string, string, string] };
    variables = [...new Set(list)];
  } else {
    const rgb = ['red', 'green', 'blue'];
    if (q.variable === undefined && rgb.every((v) => scene.variables.includes(v))) {
      selection = { kind: 'bands', bands: ['red', 'green', 'blue'] };
      variables = rgb;
    } else {
      const v = checkVar(q.variable ?? scene.variables[0]!);
      selection = { kind: 'variable', variable: v };
      variables = [v];
    }
  }
  const outBands = selection.kind === 'bands' ? 3 : 1;
  const date = pickDate(scene, q.date);
  let rescale = parseRescale(q.rescale, outBands);
  if (!rescale) {
    if (selection.kind === 'variable') rescale = [scene.display[selection.variable]?.rescale ?? [0, 1]];
    else if (selection.kind === 'bands') {
      // One shared range for a composite keeps its colour balance.
      const rs = selection.bands.map((b): [number, number] => scene.display[b]?.rescale ?? [0, 1]);
      const shared: [number, number] = [Math.min(...rs.map((r) => r[0])), Math.max(...rs.map((r) => r[1]))];
      rescale = [shared, shared, shared];
    } else rescale = [[-1, 1]];
  }
  let colormap: string | null = null;
  if (q.colormap !== undefined) {
    if (outBands !== 1) throw badRequest('colormap applies to one band (variable or expression), not to an RGB composite');
    const m = colormaps.get(q.colormap);
    if (!m || m.kind !== 'continuous') throw badRequest(`unknown colormap "${q.colormap.slice(0, 40)}" (valid: ${colormaps.names().filter((n) => colormaps.get(n)?.kind === 'continuous').join(', ')})`);
    colormap = q.colormap;
  } else if (selection.kind === 'variable') {
    colormap = scene.display[selection.variable]?.colormap ?? 'viridis';
  } else if (selection.kind === 'expression') {
    colormap = 'viridis';
  }
  const resampling = (q.resampling ?? 'nearest') as Resampling;
  if (resampling !== 'nearest' && resampling !== 'bilinear') throw badRequest(`resampling must be nearest or bilinear, got "${String(q.resampling).slice(0, 30)}"`);
  const canonical = JSON.stringify([selection, date, rescale, colormap, resampling]);
  return { selection, variables, date, rescale, colormap, resampling, canonical };
}

/** Query string that reproduces a selection (for TileJSON templates). */
export function selectionQuery(s: ResolvedSelection): string {
  const p = new URLSearchParams();
  if (s.selection.kind === 'variable') p.set('variable', s.selection.variable);
  if (s.selection.kind === 'bands') p.set('bands', s.selection.bands.join(','));
  if (s.selection.kind === 'expression') p.set('expression', s.selection.expression);
  if (s.date) p.set('date', s.date);
  for (const r of s.rescale) p.append('rescale', `${r[0]},${r[1]}`);
  if (s.colormap) p.set('colormap', s.colormap);
  p.set('resampling', s.resampling);
  return p.toString();
}
