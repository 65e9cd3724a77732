/**
 * What a worker primes (server/services/prime-tiles.ts, prime-lists.ts), read from the bundled
 * catalog and models as the early child reads them: every data scene's centre tile first, and one
 * tile zoomed in past the first one's pixels (the minimum, kept when the priming is stopped), no test scene, and the default model's crop tile at
 * the centre of each data scene it can read, with the season its crop TileJSON names.
 */
import { describe, expect, it } from 'vitest';
import { resolve } from 'node:path';
import { primeListsFromFiles } from '../../../server/services/prime-lists.js';
import { ColormapRegistry } from '../../../server/render/colormaps.js';
import { Catalog } from '../../../server/catalog/catalog.js';
import { ModelRegistry } from '../../../server/inference/registry.js';
import { modelTask } from '../../../server/services/model-task.js';

const ROOT = resolve(import.meta.dirname, '../../..');
const CATALOG = resolve(ROOT, 'fixtures/catalog');
const MODELS = resolve(ROOT, 'models');

describe('prime lists', () => {
  it('the data scenes\' centre tiles first (the minimum), then products and overviews; no test scene', async () => {
    const scenes = await new Catalog(CATALOG).list();
    const data = scenes.filter((s) => s.purpose === 'data').map((s) => s.id).sort();
    const tests = scenes.filter((s) => s.purpose === 'test').map((s) => s.id);
    expect(data.length).toBeGreaterThan(0);
    expect(tests.length).toBeGreaterThan(0); // the bundled catalog has one: it must not be primed

    const { tiles, minTiles, crops } = await primeListsFromFiles(CATALOG, MODELS, new ColormapRegistry());
    // every data scene's centre and its field-level tile (past its pixels: upsampling), in pairs
    expect(minTiles).toBe(2 * data.length);
    const minimum = tiles.slice(0, minTiles);
    expect([...new Set(minimum.map((t) => t.scene.id))].sort()).toEqual(data);
    for (let i = 0; i < minTiles; i += 2) {
      const [centre, field] = [minimum[i]!, minimum[i + 1]!];
      expect(field.scene.id).toBe(centre.scene.id);
      expect(field.tile.z).toBe(Math.min(16, centre.tile.z + 4)); // the centre is one zoom under the data's, the field three past it
    }
    expect(tiles.some((t) => tests.includes(t.scene.id))).toBe(false);
    expect(tiles.slice(minTiles).every((t) => t.scene.purpose !== 'test')).toBe(true);

    const model = await new ModelRegistry(MODELS, async () => undefined).get();
    const readable = scenes.filter((s) => s.purpose === 'data' && model.variables.every((v) => s.variables.includes(v)));
    expect(crops.map((c) => c.scene.id).sort()).toEqual(readable.map((s) => s.id).sort());
    for (const c of crops) {
      expect(c.model.sha256).toBe(model.sha256);
      expect(c.season).toBe(modelTask(model, c.scene).choice.season);
      expect(c.layer).toBe('class');
    }
  });
});
