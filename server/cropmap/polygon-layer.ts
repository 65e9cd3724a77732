/**
 * The crop map as a GeoJSON polygon layer (RFC 7946): one feature per 4-connected patch of one
 * class, with its class, area in hectares (ellipsoidal for geographic CRSs, server/geo/area.ts) and mean
 * confidence.
 */
import { rewind, booleanValid, polygon } from '@turf/turf';
import type { Feature, FeatureCollection, Polygon, Position } from 'geojson';
import { traceComponents, simplifyPolygons } from './polygonize.js';
import { transformer, WGS84 } from '../geo/crs.js';
import type { Scene } from '../catalog/scene.js';
import { polygonAreaM2 } from '../geo/area.js';

/** The properties of every polygon, in the order written below (a store that does not keep key order, PostGIS jsonb, restores it from this list). */
export const CROP_MAP_PROPERTY_ORDER: ReadonlyArray<string> = ['classId', 'className', 'color', 'areaHa', 'pixelAreaHa', 'pixels', 'meanConfidence'];

interface PolygonLayerOptions {
  /** Visvalingam threshold in square pixels (0 = exact pixel edges); default 0.6 removes single steps */
  minAreaPx?: number;
}

export function cropMapPolygons(
  scene: Scene,
  classIds: Uint8Array,
  confidencePct: Uint8Array,
  classes: Array<{ id: number; name: string; color: string }>,
  opts: PolygonLayerOptions = {},
): FeatureCollection<Polygon> {
  const { width, height, geotransform } = scene.grid;
  const [ox, pw, , oy, , ph] = geotransform;
  const polys = traceComponents(classIds, confidencePct, width, height, 255);
  let rings = simplifyPolygons(polys, opts.minAreaPx ?? 0.6);
  // Simplification keeps neighbours in contact but may, rarely, fold a narrow patch; then keep the
  // exact pixel edges for the whole layer (never a mix, which would open gaps).
  const flipped = (r: Position[][]) => r.map((ring) => ring.map(([x, y]) => [x!, -y!]));
  if (!rings.every((r) => r[0] && r[0].length >= 4 && booleanValid(polygon(flipped(r))))) rings = polys.map((p) => p.rings);
  const toWgs = transformer(scene.crs.proj4, WGS84);
  const byId = new Map(classes.map((c) => [c.id, c]));
  const features: Array<Feature<Polygon>> = polys.map((p, i) => {
    const pixelRings = rings[i]!;
    // Areas of the (simplified) polygon and of its exact pixel edges, from the vertices in the raster's CRS
    const inCrs = (rs: Position[][]) => rs.map((r) => r.map(([c, row]) => [ox + c! * pw, oy + row! * ph] as [number, number]));
    const areaHa = polygonAreaM2(inCrs(pixelRings), scene.crs.geographic) / 1e4;
    const pixelAreaHa = polygonAreaM2(inCrs(p.rings), scene.crs.geographic) / 1e4;
    const coords: Position[][] = pixelRings.map((r) =>
      r.map(([c, row]) => {
        const [lon, lat] = toWgs.forward([ox + c! * pw, oy + row! * ph]) as [number, number];
        return [Math.round(lon * 1e6) / 1e6, Math.round(lat * 1e6) / 1e6];
      }),
    );
    const cls = byId.get(p.value);
    return {
      type: 'Feature',
      id: i + 1,
      properties: {
        classId: p.value,
        className: cls?.name ?? String(p.value),
        color: cls?.color ?? null,
        areaHa: Number(areaHa.toFixed(4)),
        pixelAreaHa: Number(pixelAreaHa.toFixed(4)),
        pixels: p.pixels,
        meanConfidence: Number((p.weightSum / p.pixels / 100).toFixed(4)),
      },
      geometry: { type: 'Polygon', coordinates: coords },
    };
  });
  const fc: FeatureCollection<Polygon> = { type: 'FeatureCollection', features };
  return rewind(fc, { mutate: true }) as FeatureCollection<Polygon>;
}
