/**
 * A class raster as polygons: 4-connected pixels of one class become one polygon (with holes),
 * traced along pixel edges, so neighbours share their boundaries exactly (no gaps, no overlaps).
 * Then the staircase is simplified topologically (topojson: each boundary between two polygons is
 * one arc, simplified once, so neighbours stay in contact), in pixel units.
 *
 * Written by hand because no maintained JavaScript library polygonizes a raster along pixel edges
 * (d3-contour's marching squares smooths class boundaries independently per class, which leaves
 * gaps and overlaps between neighbouring classes). Pure: pixel coordinates in, pixel coordinates out.
 */
import { topology } from 'topojson-server';
import { presimplify, simplify } from 'topojson-simplify';
import { feature } from 'topojson-client';
import type { Feature, MultiPolygon, Polygon, Position } from 'geojson';

interface PixelPolygon {
  /** class value of the component */
  value: number;
  /** rings in pixel coordinates (x = column, y = row); ring 0 exterior, then holes */
  rings: Position[][];
  pixels: number;
  /** sum of `weights` over the component's pixels (e.g. confidence), for means */
  weightSum: number;
}

/** Labels 4-connected components of equal value; `skip` values get label -1. */
export function labelComponents(values: ArrayLike<number>, width: number, height: number, skip: number): { labels: Int32Array; count: number } {
  const labels = new Int32Array(width * height).fill(-1);
  let count = 0;
  const stack: number[] = [];
  for (let start = 0; start < width * height; start++) {
    if (labels[start] !== -1 || values[start] === skip) continue;
    const v = values[start]!;
    labels[start] = count;
    stack.push(start);
    while (stack.length > 0) {
      const p = stack.pop()!;
      const x = p % width;
      const y = (p - x) / width;
      const visit = (q: number) => {
        if (labels[q] === -1 && values[q] === v) {
          labels[q] = count;
          stack.push(q);
        }
      };
      if (x > 0) visit(p - 1);
      if (x < width - 1) visit(p + 1);
      if (y > 0) visit(p - width);
      if (y < height - 1) visit(p + width);
    }
    count++;
  }
  return { labels, count };
}

/**
 * Traces the boundary rings of every component. Directed edges keep the component on their left in
 * a y-down pixel grid, i.e. exterior rings run clockwise in pixel space, which becomes
 * counter-clockwise once rows are flipped to northings (RFC 7946's rule), holes the opposite.
 */
export function traceComponents(values: ArrayLike<number>, weights: ArrayLike<number> | null, width: number, height: number, skip: number): PixelPolygon[] {
  const { labels, count } = labelComponents(values, width, height, skip);
  const W1 = width + 1;
  // Outgoing edges per (component, start vertex): vertex id = y * (width+1) + x.
  const edges: Array<Map<number, number[]>> = Array.from({ length: count }, () => new Map());
  const pixels = new Float64Array(count);
  const weightSums = new Float64Array(count);
  const value = new Float64Array(count);
  const add = (c: number, from: number, to: number) => {
    const m = edges[c]!;
    const list = m.get(from);
    if (list) list.push(to);
    else m.set(from, [to]);
  };
  const at = (x: number, y: number) => (x < 0 || y < 0 || x >= width || y >= height ? -2 : labels[y * width + x]!);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const c = labels[y * width + x]!;
      if (c < 0) continue;
      pixels[c]! += 1;
      weightSums[c]! += weights ? weights[y * width + x]! : 0;
      value[c] = values[y * width + x]!;
      const tl = y * W1 + x;
      const tr = tl + 1;
      const bl = tl + W1;
      const br = bl + 1;
      // Interior on the left when walking in y-down pixel space: top edge goes right-to-left, etc.
      if (at(x, y - 1) !== c) add(c, tr, tl);
      if (at(x - 1, y) !== c) add(c, tl, bl);
      if (at(x, y + 1) !== c) add(c, bl, br);
      if (at(x + 1, y) !== c) add(c, br, tr);
    }
  }
  const out: PixelPolygon[] = [];
  for (let c = 0; c < count; c++) {
    const m = edges[c]!;
    const rings: Position[][] = [];
    for (const [startVertex] of m) {
      while ((m.get(startVertex)?.length ?? 0) > 0) {
        const ring: number[] = [startVertex];
        let prev = startVertex;
        let cur = m.get(startVertex)!.pop()!;
        while (cur !== startVertex) {
          ring.push(cur);
          const outs = m.get(cur)!;
          let pick = 0;
          if (outs.length > 1) {
            // Pinch vertex (two diagonal pixels of the component): take the right turn on screen, so
            // the boundary passes between the diagonal pixels and every ring stays simple (an
            // enclosed background pixel becomes a hole touching the shell at one point, which is
            // valid, rather than a shell that touches itself, which is not).
            const dx = (cur % W1) - (prev % W1);
            const dy = Math.floor(cur / W1) - Math.floor(prev / W1);
            const score = (to: number) => {
              const ex = (to % W1) - (cur % W1);
              const ey = Math.floor(to / W1) - Math.floor(cur / W1);
              const cross = dx * ey - dy * ex; // y-down: cross > 0 is a right turn on screen
              return cross > 0 ? 0 : cross === 0 ? 1 : 2;
            };
            for (let k = 1; k < outs.length; k++) if (score(outs[k]!) < score(outs[pick]!)) pick = k;
          }
          const next = outs.splice(pick, 1)[0]!;
          prev = cur;
          cur = next;
        }
        ring.push(startVertex);
        rings.push(dropCollinear(ring.map((v) => [v % W1, Math.floor(v / W1)])));
      }
      m.delete(startVertex);
    }
    // Exterior first: the ring with the largest absolute area.
    rings.sort((a, b) => Math.abs(signedArea(b)) - Math.abs(signedArea(a)));
    out.push({ value: value[c]!, rings, pixels: pixels[c]!, weightSum: weightSums[c]! });
  }
  return out;
}

/** Shoelace area (positive for counter-clockwise in y-up axes). */
export function signedArea(ring: Position[]): number {
  let s = 0;
  for (let i = 0; i < ring.length - 1; i++) s += ring[i]![0]! * ring[i + 1]![1]! - ring[i + 1]![0]! * ring[i]![1]!;
  return s / 2;
}

function dropCollinear(ring: Position[]): Position[] {
  const open = ring.slice(0, -1);
  const keep: Position[] = [];
  for (let i = 0; i < open.length; i++) {
    const a = open[(i - 1 + open.length) % open.length]!;
    const b = open[i]!;
    const c = open[(i + 1) % open.length]!;
    const cross = (b[0]! - a[0]!) * (c[1]! - b[1]!) - (b[1]! - a[1]!) * (c[0]! - b[0]!);
    if (cross !== 0) keep.push(b);
  }
  keep.push(keep[0]!);
  return keep;
}

/**
 * Topology-preserving simplification of the traced polygons (Visvalingam, `minArea` in square
 * pixels; 0 keeps the exact pixel edges). Neighbours share each simplified arc.
 */
export function simplifyPolygons(polys: PixelPolygon[], minArea: number): Position[][][] {
  if (minArea <= 0) return polys.map((p) => p.rings);
  const fc = {
    type: 'FeatureCollection' as const,
    features: polys.map((p, i): Feature<Polygon> => ({ type: 'Feature', id: i, properties: {}, geometry: { type: 'Polygon', coordinates: p.rings } })),
  };
  const topo = topology({ layer: fc });
  const simplified = simplify(presimplify(topo as never), minArea);
  const back = feature(simplified as never, (simplified as unknown as { objects: Record<string, never> }).objects.layer!) as unknown as { features: Array<Feature<Polygon | MultiPolygon>> };
  return back.features.map((f, i) => {
    const g = f.geometry;
    if (!g) return polys[i]!.rings;
    if (g.type === 'Polygon') return g.coordinates;
    return g.coordinates[0] ?? polys[i]!.rings;
  });
}
