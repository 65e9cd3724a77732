/**
 * The catalog: one STAC Item JSON per scene in `<dataDir>/catalog/`. Reloaded when the directory
 * changes (its mtime moves when an item is renamed into place), so a running server sees scenes
 * added by `granary scenes add` without a restart. Items are written to a temporary file and renamed.
 */
import { readdir, readFile, stat, mkdir } from 'node:fs/promises';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { sceneFromItem, SCENE_ID, type StacItem } from './scene.js';
import { isRemote } from '../raster/source.js';
import { writeFileAtomic } from '../util/atomic-write.js';
import { GranaryError } from '../errors.js';
import { LoadedCatalog, type CatalogEntry, type CatalogProblem } from './scene-catalog.js';

/** The file reads a catalog load makes: asynchronous (a running server), or synchronous (its first load). */
interface CatalogIo {
  readdir(dir: string): string[] | Promise<string[]>;
  readText(path: string): string | Promise<string>;
  stat(path: string): { size: number; mtimeMs: number } | Promise<{ size: number; mtimeMs: number }>;
}
const ASYNC_IO: CatalogIo = { readdir: (d) => readdir(d), readText: (p) => readFile(p, 'utf8'), stat: (p) => stat(p) };
const SYNC_IO: CatalogIo = { readdir: (d) => readdirSync(d), readText: (p) => readFileSync(p, 'utf8'), stat: (p) => statSync(p) };

/** Size and mtime of an item's local assets (hrefs relative to `dir`): part of a scene's ETag. */
export async function assetFingerprint(item: StacItem, dir: string, io: CatalogIo = ASYNC_IO): Promise<string> {
  const parts: string[] = [];
  for (const a of Object.values(item.assets)) {
    if (isRemote(a.href)) continue;
    try {
      const s = await io.stat(resolve(dir, a.href));
      parts.push(`${s.size}:${s.mtimeMs}`);
    } catch {
      parts.push('missing');
    }
  }
  return parts.join('|');
}

export type { SceneCatalog } from './scene-catalog.js';

export class Catalog extends LoadedCatalog {
  private loadedMtime = -1;
  private loading: Promise<void> | null = null;
  constructor(readonly dir: string) {
    super();
  }

  /**
   * Reloads the items if the directory changed since the last load. The directory's stat is
   * synchronous (one system call, cheaper than the turn of the event loop an asynchronous one needs;
   * this runs for every request that names a scene); the reload itself is not.
   */
  async refresh(): Promise<void> {
    let mtime: number;
    try {
      mtime = statSync(this.dir).mtimeMs;
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

  /**
   * The first load, with synchronous reads: a server reads its catalog while it builds, and
   * asynchronous reads would each wait for a turn of an event loop that the build keeps busy (some
   * 60 ms of a fresh process's start; issue #17). A few small JSON files and their assets' stats;
   * the returned promise settles within the same turn.
   */
  async firstLoad(): Promise<void> {
    let mtime: number;
    try {
      mtime = statSync(this.dir).mtimeMs;
    } catch {
      return;
    }
    await this.load(mtime, SYNC_IO);
  }

  private async load(mtime: number, io: CatalogIo = ASYNC_IO): Promise<void> {
    const next = new Map<string, CatalogEntry>();
    const problems: CatalogProblem[] = [];
    for (const f of (await io.readdir(this.dir)).filter((f) => f.endsWith('.json')).sort()) {
      const path = join(this.dir, f);
      try {
        const item = JSON.parse(await io.readText(path)) as StacItem;
        if (!SCENE_ID.test(item.id)) throw new Error(`invalid scene id ${item.id}`);
        const fingerprint = `${(await io.stat(path)).mtimeMs}|${await assetFingerprint(item, dirname(path), io)}`;
        next.set(item.id, { item, scene: sceneFromItem(item, path, fingerprint) });
      } catch (e) {
        problems.push({ file: f, error: (e as Error).message });
      }
    }
    this.scenes = next;
    this.problems = problems;
    this.loadedMtime = mtime;
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
