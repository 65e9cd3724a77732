/**
 * What a worker primes, read by the worker itself from the catalog and models directories: the
 * child `granary serve` forks before the server's modules load (workers/fork-child.ts) primes while
 * the server is still being built, so a fresh process is healthy and warm at the same moment
 * instead of priming only after the server has read the catalog (issue #17). The embedded file
 * catalog only: a catalog in PostgreSQL is read by the server, which then primes its workers.
 */
import { Catalog } from '../catalog/catalog.js';
import { readDefaultModel } from '../inference/registry.js';
import type { ColormapRegistry } from '../render/colormaps.js';
import { primeCropTiles, primeTiles, type PrimeTiles } from './prime-tiles.js';

export async function primeListsFromFiles(catalogDir: string, modelsDir: string, colormaps: ColormapRegistry): Promise<Pick<PrimeTiles, 'tiles' | 'minTiles' | 'crops'>> {
  const scenes = await new Catalog(catalogDir).list();
  const model = await readDefaultModel(modelsDir);
  return { ...primeTiles(scenes, colormaps), crops: model ? primeCropTiles(scenes, model) : [] };
}
