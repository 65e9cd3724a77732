/**
 * What a worker primes, read by the worker itself from the catalog and models directories: the
 * child `granary serve` forks before the server's modules load (workers/fork-child.ts) primes while
 * the server is still being built, so a fresh process is healthy and warm at the same moment
 * instead of priming only after the server has read the catalog (issue #17). The embedded file
 * catalog only: a catalog in PostgreSQL is read by the server, which then primes its workers.
 */
import { Catalog } from '../catalog/catalog.js';
import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { DEFAULT_MODEL_ID, entryFromCard, type ModelEntry } from '../inference/registry.js';
import type { ColormapRegistry } from '../render/colormaps.js';
import { primeCropTiles, primeTiles, type PrimeTiles } from './prime-tiles.js';

export async function primeListsFromFiles(catalogDir: string, modelsDir: string, colormaps: ColormapRegistry): Promise<Pick<PrimeTiles, 'tiles' | 'minTiles' | 'crops'>> {
  const scenes = await new Catalog(catalogDir).list();
  const model = await defaultModel(modelsDir);
  return { ...primeTiles(scenes, colormaps), crops: model ? primeCropTiles(scenes, model) : [] };
}

/**
 * The default model's entry, as the registry would give it, reading only that model's card and file
 * (not every installed model's: ~30 ms more of the worker's start). No check here: the worker that
 * primes opens the session and checks it against its card (a model that fails there is not primed,
 * and the server refuses it when it checks it). Null when there is none or it does not read.
 */
async function defaultModel(dir: string): Promise<ModelEntry | null> {
  try {
    const cards = (await readdir(dir)).filter((f) => f.endsWith('.json')).sort();
    const names = [`${DEFAULT_MODEL_ID}.json`, ...cards.filter((f) => f !== `${DEFAULT_MODEL_ID}.json`)];
    for (const f of names) {
      const onnx = join(dir, f.replace(/\.json$/, '.onnx'));
      const bytes = await readFile(onnx).catch(() => null);
      if (!bytes || !cards.includes(f)) continue;
      return entryFromCard(JSON.parse(await readFile(join(dir, f), 'utf8')), onnx, createHash('sha256').update(bytes).digest('hex'));
    }
  } catch {
    /* no models directory, or a card that does not read: nothing to prime */
  }
  return null;
}
