/**
 * What the service needs from a catalog, and the in-memory lookup both implementations share:
 * `Catalog` (files, the embedded default, catalog/catalog.ts) and `PgCatalog` (PostgreSQL, cluster
 * mode, store/pg-catalog.ts) each load their scenes into this map their own way (directory mtime,
 * LISTEN/NOTIFY) and answer list/get/item from it the same way.
 */
import { SCENE_ID, type Scene, type StacItem } from './scene.js';
import { GranaryError } from '../errors.js';

export interface CatalogProblem {
  file: string;
  error: string;
}

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

export interface CatalogEntry {
  scene: Scene;
  item: StacItem;
}

/** list/get/item over the loaded scenes; subclasses load them in `refresh()` and write in `save()`. */
export abstract class LoadedCatalog implements SceneCatalog {
  protected scenes = new Map<string, CatalogEntry>();
  problems: CatalogProblem[] = [];
  abstract readonly dir: string;
  abstract refresh(): Promise<void>;
  abstract save(item: StacItem, opts?: { replace?: boolean }): Promise<string>;

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

  private async entry(id: string): Promise<CatalogEntry> {
    await this.refresh();
    const e = SCENE_ID.test(id) ? this.scenes.get(id) : undefined;
    if (!e) {
      const valid = [...this.scenes.keys()];
      throw new GranaryError('not-found', `unknown scene "${id.slice(0, 80)}" (available: ${valid.join(', ') || 'none'})`, { valid });
    }
    return e;
  }
}
