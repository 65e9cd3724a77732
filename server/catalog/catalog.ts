/**
 * The catalog: one STAC Item JSON per scene in `<dataDir>/catalog/`. Reloaded when the directory
 * changes (its mtime moves when an item is renamed into place), so a running server sees scenes
 * added by `granary scenes add` without a restart. Items are written to a temporary file and renamed.
 */
import { readdir, readFile, stat, mkdir } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { sceneFromItem, SCENE_ID, type Scene, type StacItem } from './scene.js';
import { isRemote } from '../raster/source.js';
import { writeFileAtomic } from '../util/atomic-write.js';
import { GranaryError } from '../errors.js';

export interface CatalogProblem {
  file: string;
  error: string;
}

/** Size and mtime of an item's local assets (hrefs relative to `dir`): part of a scene's ETag. */
export async function assetFingerprint(item: StacItem, dir: string): Promise<string> {
  const parts: string[] = [];
  for (const a of Object.values(item.assets)) {
    if (isRemote(a.href)) continue;
    try {
      const s = await stat(resolve(dir, a.href));
      parts.push(`${s.size}:${s.mtimeMs}`);
    } catch {
      parts.push('missing');
    }
  }
  return parts.join('|');
}

/**
 * What the service needs from a catalog. Two implementations: `Catalog` (files, the embedded
 * default) and `PgCatalog` (server/store/pg-catalog.ts, cluster mode).
 */
export interface SceneCatalog {
  /** where relative asset hrefs resolve (and where `granary scenes add` inspects from) */
  readonly dir: string;
  problems: CatalogProblem[];
  refresh(): Promise<void>;
  list(): Promise<Scene[]>;
  get(id: string): Promise<Scene>;
  item(id: string): Promise<StacItem>;
  save(item: StacItem, opts?: { replace?: boolean }): Promise<string>;
  close?(): Promise<void>;
}

export class Catalog implements SceneCatalog {
  private scenes = new Map<string, { scene: Scene; item: StacItem }>();
  private loadedMtime = -1;
  private loading: Promise<void> | null = null;
  problems: CatalogProblem[] = [];

  constructor(readonly dir: string) {}

  private async fingerprint(item: StacItem, itemPath: string): Promise<string> {
    const st = await stat(itemPath);
    return `${st.mtimeMs}|${await assetFingerprint(item, dirname(itemPath))}`;
  }

  /** Reloads the items if the directory changed since the last load. */
  async refresh(): Promise<void> {
    let mtime: number;
    try {
      mtime = (await stat(this.dir)).mtimeMs;
    } catch {
      this.scenes.clear();
      this.loadedMtime = -1;
      return;
    }
    if (mtime === this.loadedMtime) return;
    if (!this.loading) {
      this.loading = this.load(mtime).finally(() => {
        this.loading = null;
      });
    }
    await this.loading;
  }

  private async load(mtime: number): Promise<void> {
    const next = new Map<string, { scene: Scene; item: StacItem }>();
    const problems: CatalogProblem[] = [];
    for (const f of (await readdir(this.dir)).filter((f) => f.endsWith('.json')).sort()) {
      const path = join(this.dir, f);
      try {
        const item = JSON.parse(await readFile(path, 'utf8')) as StacItem;
        if (!SCENE_ID.test(item.id)) throw new Error(`invalid scene id ${item.id}`);
        next.set(item.id, { item, scene: sceneFromItem(item, path, await this.fingerprint(item, path)) });
      } catch (e) {
        problems.push({ file: f, error: (e as Error).message });
      }
    }
    this.scenes = next;
    this.problems = problems;
    this.loadedMtime = mtime;
  }

  async list(): Promise<Scene[]> {
    await this.refresh();
    return [...this.scenes.values()].map((s) => s.scene);
  }

  async get(id: string): Promise<Scene> {
    return (await this.entry(id)).scene;
  }

  async item(id: string): Promise<StacItem> {
    return (await this.entry(id)).item;
  }

  private async entry(id: string) {
    await this.refresh();
    const e = SCENE_ID.test(id) ? this.scenes.get(id) : undefined;
    if (!e) {
      const valid = [...this.scenes.keys()];
      throw new GranaryError('not-found', `unknown scene "${id.slice(0, 80)}" (available: ${valid.join(', ') || 'none'})`, { valid });
    }
    return e;
  }

  async save(item: StacItem, { replace = false } = {}): Promise<string> {
    if (!SCENE_ID.test(item.id)) throw new GranaryError('bad-request', `invalid scene id ${item.id}`);
    await mkdir(this.dir, { recursive: true });
    const path = join(this.dir, `${item.id}.json`);
    if (!replace) {
      const exists = await stat(path).then(() => true, () => false);
      if (exists) throw new GranaryError('conflict', `scene "${item.id}" already exists (use --replace to overwrite)`);
    }
    await writeFileAtomic(path, JSON.stringify(item, null, 2) + '\n');
    return path;
  }
}
