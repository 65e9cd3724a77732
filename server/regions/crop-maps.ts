/**
 * Crop maps written by `granary cropmap` into `<dataDir>/cropmaps/`:
 *   <sceneId>__<modelId>.tif   band 1 = class id (uint8, 255 = nodata), band 2 = confidence
 *   <sceneId>__<modelId>.json  sidecar {classes:[{id,name}], confusionMatrix (rows = reference), modelId, sceneId}
 *   <sceneId>__<modelId>.polygons.geojson   (optional) the map as polygons, served as an OGC collection
 *
 * The directory is listed on each call (a handful of files), so maps written while the server runs
 * are seen. A map published as a set (cropmap/output-set.ts) is read from ONE set: its `.current`
 * link is resolved once and the COG, sidecar and polygons are all taken from that set directory
 * (the worker opens the COG by that path too), so a publication between two reads cannot pair the
 * COG of one run with the sidecar of another. Class areas per region are computed in a worker and kept in an LRU keyed by the map
 * file's mtime and size, so a rewritten map is recomputed.
 */
import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { LRUCache } from 'lru-cache';
import type { SceneCatalog } from '../catalog/catalog.js';
import type { Scene } from '../catalog/scene.js';
import type { WorkerPool } from '../workers/pool.js';
import type { TaskMap } from '../workers/tasks.js';
import type { SourcePolicy } from '../raster/source.js';
import type { ZonalTask } from '../pipeline/zonal.js';
import type { RegionFeature } from './load.js';
import { checkSidecar, type CropMapSidecar } from './crop-area.js';
import { publishedSet } from '../cropmap/output-set.js';

export interface CropMapEntry {
  sceneId: string;
  modelId: string;
  /** absolute path of the class + confidence GeoTIFF (inside its set directory when published as a set) */
  tif: string;
  sidecar: CropMapSidecar;
  mtimeMs: number;
  size: number;
}

interface PolygonLayerFile {
  path: string;
  /** file name without `.polygons.geojson` (e.g. sinop__mlp) */
  stem: string;
  sceneId: string | null;
  modelId: string | null;
  mtimeMs: number;
  size: number;
}

export interface RegionClassAreas {
  polygonAreaHa: number;
  coveredAreaHa: number;
  pixelCount: number;
  areaHaByClass: Record<string, number>;
  otherAreaHa: number;
  nodataAreaHa: number;
  method: string;
}

export type RegionAreaOutcome = { kind: 'areas'; areas: RegionClassAreas } | { kind: 'failed'; reason: string };

const STEM = /^([A-Za-z0-9][A-Za-z0-9_-]*?)__([A-Za-z0-9][A-Za-z0-9_.-]*)$/;

export class CropMapStore {
  /** per-file problems found while listing (bad sidecars), for diagnostics */
  problems: Array<{ file: string; error: string }> = [];
  private readonly areas = new LRUCache<string, Promise<RegionAreaOutcome>>({ max: 5000 });

  constructor(
    readonly dir: string,
    private readonly pool: WorkerPool<TaskMap>,
    private readonly catalog: SceneCatalog,
    private readonly policy: SourcePolicy,
  ) {}

  private async files(): Promise<string[]> {
    try {
      return (await readdir(this.dir)).sort();
    } catch {
      return [];
    }
  }

  /** Crop maps with a usable sidecar, newest first. */
  async list(): Promise<CropMapEntry[]> {
    const files = await this.files();
    const out: CropMapEntry[] = [];
    const problems: Array<{ file: string; error: string }> = [];
    for (const f of files) {
      if (!f.endsWith('.tif')) continue;
      const stem = f.slice(0, -4);
      const m = STEM.exec(stem);
      if (!m) continue;
      // one set: both files from the set published now (resolved once), else the plain names
      const set = await publishedSet(join(this.dir, f));
      const sidecarName = set ? `${stem}.json` : files.includes(`${stem}.json`) ? `${stem}.json` : files.includes(`${f}.json`) ? `${f}.json` : null;
      if (!sidecarName) {
        problems.push({ file: f, error: 'no sidecar JSON' });
        continue;
      }
      const tifPath = set ? set['.tif'] : join(this.dir, f);
      try {
        const [st, text] = await Promise.all([stat(tifPath), readFile(set ? set['.json'] : join(this.dir, sidecarName), 'utf8')]);
        const sidecar = checkSidecar(JSON.parse(text));
        if (typeof sidecar === 'string') {
          problems.push({ file: sidecarName, error: sidecar });
          continue;
        }
        out.push({ sceneId: m[1]!, modelId: m[2]!, tif: tifPath, sidecar, mtimeMs: st.mtimeMs, size: st.size });
      } catch (e) {
        problems.push({ file: sidecarName, error: (e as Error).message });
      }
    }
    this.problems = problems;
    return out.sort((a, b) => b.mtimeMs - a.mtimeMs);
  }

  /** Worker-task spec reading `entry`'s class band (version-checked, see pipeline/zonal.ts). */
  classSpec(entry: CropMapEntry): NonNullable<ZonalTask['classes']> {
    return { href: entry.tif, sample: 0, classes: entry.sidecar.classes.map((c) => ({ value: c.id, name: c.name })), version: `${entry.mtimeMs}:${entry.size}`, policy: this.policy };
  }

  /** The crop map of (scene, model); without a model, the newest map of the scene. */
  async find(sceneId: string, modelId?: string): Promise<CropMapEntry | null> {
    const all = await this.list();
    return all.find((e) => e.sceneId === sceneId && (modelId === undefined || e.modelId === modelId)) ?? null;
  }

  /** `*.polygons.geojson` layers, newest first. */
  async polygonLayers(): Promise<PolygonLayerFile[]> {
    const out: PolygonLayerFile[] = [];
    for (const f of await this.files()) {
      if (!f.endsWith('.polygons.geojson')) continue;
      const stem = f.slice(0, -'.polygons.geojson'.length);
      const m = STEM.exec(stem);
      try {
        const set = await publishedSet(join(this.dir, `${stem}.tif`));
        const path = set ? set['.polygons.geojson'] : join(this.dir, f);
        const st = await stat(path);
        if (!st.isFile()) continue;
        out.push({ path, stem, sceneId: m?.[1] ?? null, modelId: m?.[2] ?? null, mtimeMs: st.mtimeMs, size: st.size });
      } catch {
        /* removed while listing */
      }
    }
    return out.sort((a, b) => b.mtimeMs - a.mtimeMs);
  }

  async scene(entry: CropMapEntry): Promise<Scene | null> {
    try {
      return await this.catalog.get(entry.sceneId);
    } catch {
      return null;
    }
  }

  /**
   * Class areas of `entry` inside each region (one worker task per region not cached yet).
   * Regions whose bbox misses the scene's bbox are answered without reading (zero coverage).
   */
  async regionAreas(entry: CropMapEntry, regions: ReadonlyArray<RegionFeature>, regionBbox: (id: string) => [number, number, number, number]): Promise<Map<string, RegionAreaOutcome>> {
    const scene = await this.scene(entry);
    const out = new Map<string, RegionAreaOutcome>();
    await Promise.all(
      regions.map(async (r) => {
        const b = regionBbox(r.id);
        if (scene && !(b[0] <= scene.bbox[2] && b[2] >= scene.bbox[0] && b[1] <= scene.bbox[3] && b[3] >= scene.bbox[1])) {
          out.set(r.id, { kind: 'areas', areas: { polygonAreaHa: 0, coveredAreaHa: 0, pixelCount: 0, areaHaByClass: {}, otherAreaHa: 0, nodataAreaHa: 0, method: '' } });
          return;
        }
        const key = `${entry.tif}|${entry.mtimeMs}|${entry.size}|${r.id}`;
        let p = this.areas.get(key);
        if (!p) {
          const task: ZonalTask = { features: [{ index: 0, geometry: r.geometry }], values: null, classes: this.classSpec(entry) };
          p = this.pool.run('zonal-stats', task).then(
            (res): RegionAreaOutcome => {
              const c = res[0]?.classes;
              if (!c) return { kind: 'failed', reason: 'no class statistics returned' };
              return { kind: 'areas', areas: { polygonAreaHa: res[0]!.polygonAreaHa, coveredAreaHa: c.coveredAreaHa, pixelCount: c.pixelCount, areaHaByClass: c.areaHaByClass, otherAreaHa: c.otherAreaHa, nodataAreaHa: c.nodataAreaHa, method: c.method } };
            },
            (e: Error): RegionAreaOutcome => ({ kind: 'failed', reason: e.message }),
          );
          this.areas.set(key, p);
          // transient failures (overload, timeouts) are not cached
          void p.then((o) => {
            if (o.kind === 'failed') this.areas.delete(key);
          });
        }
        out.set(r.id, await p);
      }),
    );
    return out;
  }
}
