/**
 * Publishing a finished crop map as one set: the COG (+ .aux.xml colour table, + .json STAC sidecar)
 * and its polygons (.polygons.geojson), published together by one rename (cropmap/output-set.ts). The same function serves `granary cropmap`, the in-process jobs and the
 * distributed jobs, so for the same scene, model and season the COG is the same bytes (its metadata
 * holds only what follows from the inputs); the figures measured per run (CPU and wall seconds,
 * footprint) go into the JSON sidecar only.
 */
import type { Scene } from '../catalog/scene.js';
import type { ModelEntry } from '../inference/registry.js';
import type { RasterContext } from '../pipeline/read-tile.js';
import { writeCropMap } from '../cropmap/write-cropmap.js';
import { cropMapPolygons } from '../cropmap/polygon-layer.js';
import { footprintMetadata, footprintStacProperties, type FootprintMetadata } from '../footprint/metadata.js';
import type { FootprintRecorder } from '../footprint/recorder.js';
import type { CropMapCanvas } from './cropmap-blocks.js';
import type { FeatureCollection, Polygon } from 'geojson';
import { maskedAreaM2 } from '../geo/area.js';
import { polygonFileChunks } from '../cropmap/polygon-file.js';

interface PublishInput {
  out: string;
  scene: Scene;
  model: ModelEntry;
  season: number;
  dates: string[];
  canvas: CropMapCanvas;
  /** CPU ms of the whole job (all blocks, all machines) and its wall seconds */
  cpuMs: number;
  wallSeconds: number;
  recorder: FootprintRecorder;
  ctx: RasterContext;
  onTemp?: (paths: string[]) => void;
}

interface Published {
  tif: string;
  polygonsPath: string;
  bytes: number;
  mappedPixels: number;
  km2: number;
  polygons: FeatureCollection<Polygon>;
  footprint: FootprintMetadata;
}

/** Mapped area in km² (pixels with a class), per-row pixel areas: right for geographic (WGS84) grids too. */
export function mappedAreaKm2(canvas: Pick<CropMapCanvas, 'classIds' | 'grid'>, scene: Pick<Scene, 'grid' | 'crs'>): number {
  return maskedAreaM2(canvas.classIds, canvas.grid.width, scene.grid.geotransform, scene.crs.geographic) / 1e6;
}

export async function publishCropMap(p: PublishInput): Promise<Published> {
  const { scene, model, canvas } = p;
  const handle = await p.ctx.open(scene.assets[0]!.href);
  const geoKeys = handle.levels[0]!.image.getGeoKeys() as Record<string, unknown>;
  const mappedPixels = [...canvas.counts.values()].reduce((a, b) => a + b, 0);
  const km2 = mappedAreaKm2(canvas, scene);
  const est = p.recorder.estimate(p.cpuMs);
  const product = { cpuMs: p.cpuMs, joules: est.joules, gCo2e: est.gCo2e, km2, energySource: p.recorder.model().cpuSource, joulesPerCpuSecond: est.joules / Math.max(1e-9, p.cpuMs / 1000) };
  const fctx = { intensity: p.recorder.intensity, settings: p.recorder.settings };
  const footprint = footprintMetadata(product, fctx);
  const polygons = cropMapPolygons(scene, canvas.classIds, canvas.confidence, model.card.classes);
  const result = await writeCropMap(
    p.out,
    { width: canvas.grid.width, height: canvas.grid.height, classIds: canvas.classIds, confidence: canvas.confidence },
    {
      scene,
      geoKeys,
      model: { id: model.id, sha256: model.sha256, classes: model.card.classes, confusionMatrix: model.card.metrics.confusionMatrix, classOrder: model.card.metrics.classOrder },
      season: p.season,
      dates: p.dates,
      extra: {
        'granary:mappedAreaKm2': Number(km2.toFixed(3)),
        'granary:classPixels': Object.fromEntries([...canvas.counts].sort(([a], [b]) => a - b).map(([id, n]) => [model.card.classes.find((c) => c.id === id)!.name, n])),
      },
      // measured per run (CPU, wall time, energy): sidecar only, so the COG's bytes follow from the inputs
      run: {
        'granary:cpuSeconds': Number((p.cpuMs / 1000).toFixed(3)),
        'granary:wallSeconds': Number(p.wallSeconds.toFixed(3)),
        ...footprintStacProperties(product, fctx),
      },
      footprint,
    },
    polygonFileChunks(polygons),
    p.onTemp,
  );
  return { tif: result.tif, polygonsPath: result.polygons, bytes: result.bytes, mappedPixels, km2, polygons, footprint };
}
