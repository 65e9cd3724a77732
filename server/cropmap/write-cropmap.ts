/**
 * A whole-scene crop map as a COG that GDAL and QGIS open: band 1 = class id (uint8, 255 nodata),
 * band 2 = confidence in percent (uint8), tiled, DEFLATE, overviews by mode, class names in the
 * GDAL metadata, and a colour table + category names in the `.aux.xml` beside it (TIFF palettes
 * require a single band; GDAL and QGIS read the PAM sidecar for band 1). A JSON sidecar (STAC Item
 * with the model, season, confusion matrix and footprint) goes beside it too. The COG holds only what
 * follows from the inputs (no run times, no footprint), so the same inputs give the same bytes.
 *
 * The COG, both sidecars and the polygons are published as one set by one rename
 * (cropmap/output-set.ts): an interrupted run leaves the previous set or the new one, never a mix.
 */
import { unlink, readdir, mkdir } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { writeGeoTiff } from '../render/geotiff-writer.js';
import { publishSet } from './output-set.js';
import { hexToRgb } from '../render/colormaps.js';
import type { Scene } from '../catalog/scene.js';

interface CropMapData {
  width: number;
  height: number;
  classIds: Uint8Array; // card class id, 255 = nodata
  confidence: Uint8Array; // percent, 255 = nodata
}

interface CropMapMeta {
  scene: Scene;
  geoKeys: Record<string, unknown>;
  model: { id: string; sha256: string; classes: Array<{ id: number; name: string; color: string }>; confusionMatrix: number[][] | null; classOrder: string[] | null };
  season: number;
  dates: string[];
  /** properties that follow from the inputs: in the COG's GDAL metadata and the sidecar */
  extra?: Record<string, unknown>;
  /** properties measured per run (CPU, wall time, footprint): the sidecar only, so the COG's bytes are deterministic */
  run?: Record<string, unknown>;
  /** the job's footprint, for the sidecar (read by the dashboard) */
  footprint?: unknown;
}

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

function auxXml(classes: CropMapMeta['model']['classes']): string {
  const byId = new Map(classes.map((c) => [c.id, c]));
  const maxId = Math.max(...classes.map((c) => c.id));
  const entries: string[] = [];
  const names: string[] = [];
  for (let i = 0; i <= 255; i++) {
    const c = byId.get(i);
    const [r, g, b] = c ? hexToRgb(c.color) : [0, 0, 0];
    entries.push(`      <Entry c1="${r}" c2="${g}" c3="${b}" c4="${c ? 255 : 0}"/>`);
    if (i <= maxId) names.push(`      <Category>${c ? esc(c.name) : ''}</Category>`);
  }
  return `<PAMDataset>
  <PAMRasterBand band="1">
    <Description>class</Description>
    <ColorInterp>Palette</ColorInterp>
    <CategoryNames>
${names.join('\n')}
    </CategoryNames>
    <ColorTable>
${entries.join('\n')}
    </ColorTable>
  </PAMRasterBand>
</PAMDataset>
`;
}

/** Temporary files left by runs before output sets existed (`.x.tif.<pid>.<hex>.tmp`). */
async function removeStaleTemps(dir: string, stem: string): Promise<void> {
  const base = stem.replace(/\.tif$/, '').replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const ours = new RegExp(`^\\.${base}\\.(tif|tif\\.aux\\.xml|json|polygons\\.geojson)\\.\\d+\\.[0-9a-f]+\\.tmp$`);
  for (const f of await readdir(dir).catch(() => [] as string[])) {
    if (ours.test(f)) await unlink(join(dir, f)).catch(() => undefined);
  }
}

/**
 * Writes the crop map `out` (x.tif) with its sidecars and `polygons` (GeoJSON text or its pieces in order, x.polygons.geojson)
 * as one set. `onTemp` is told the set directory being written (removed by an interrupt handler).
 */
export async function writeCropMap(out: string, data: CropMapData, meta: CropMapMeta, polygons: string | string[], onTemp?: (paths: string[]) => void): Promise<{ tif: string; aux: string; json: string; polygons: string; bytes: number }> {
  await mkdir(dirname(out), { recursive: true });
  await removeStaleTemps(dirname(out), basename(out));
  const { scene, model } = meta;
  const classNames = model.classes.map((c) => `${c.id}:${c.name}`).join(',');
  const tif = writeGeoTiff({
    width: data.width,
    height: data.height,
    bands: [data.classIds, data.confidence],
    tileSize: 256,
    compression: 'deflate',
    geotransform: scene.grid.geotransform,
    geoKeys: meta.geoKeys as never,
    nodata: 255,
    overviews: { levels: 'auto', resampling: 'mode' },
    gdalMetadata: {
      items: {
        GRANARY_PRODUCT: 'crop map',
        SCENE: scene.id,
        MODEL_ID: model.id,
        MODEL_SHA256: model.sha256,
        SEASON: `${meta.season}-${meta.season + 1}`,
        DATES: meta.dates.join(','),
        CLASS_NAMES: classNames,
        ...Object.fromEntries(Object.entries(meta.extra ?? {}).filter(([, v]) => v !== null).map(([k, v]) => [k, typeof v === 'string' || typeof v === 'number' ? v : JSON.stringify(v)])),
      },
      bands: [
        { description: 'class', items: { CLASS_NAMES: classNames } },
        { description: 'confidence_percent', unitType: '%' },
      ],
    },
  });
  const aux = `${out}.aux.xml`;
  const json = out.replace(/\.tif$/, '') + '.json';
  const sidecar = {
    type: 'Feature',
    stac_version: '1.0.0',
    id: basename(out).replace(/\.tif$/, ''),
    bbox: scene.bbox,
    geometry: null,
    properties: { title: `Crop map of ${scene.title}, season ${meta.season}-${meta.season + 1}, model ${model.id}`, datetime: null, start_datetime: `${meta.dates[0]}T00:00:00Z`, end_datetime: `${meta.dates[meta.dates.length - 1]}T00:00:00Z`, ...meta.extra, ...meta.run },
    assets: { data: { href: `./${basename(out)}`, type: 'image/tiff; application=geotiff; profile=cloud-optimized', roles: ['data'] } },
    links: [],
    sceneId: scene.id,
    modelId: model.id,
    modelSha256: model.sha256,
    season: meta.season,
    classes: model.classes,
    confusionMatrix: model.confusionMatrix,
    confusionMatrixOrientation: 'rows = reference (true) class, columns = predicted class, from the model card\'s location-grouped cross-validation',
    classOrder: model.classOrder,
    ...(meta.footprint ? { footprint: meta.footprint } : {}),
  };
  await publishSet(out, { '.tif': tif, '.tif.aux.xml': auxXml(model.classes), '.json': JSON.stringify(sidecar, null, 2) + '\n', '.polygons.geojson': polygons }, (setDir) => onTemp?.(setDir ? [setDir] : []));
  return { tif: out, aux, json, polygons: out.replace(/\.tif$/, '') + '.polygons.geojson', bytes: tif.length };
}
