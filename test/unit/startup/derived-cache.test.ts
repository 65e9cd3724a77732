/**
 * The start-up cache of derived results (server/util/derived-cache.ts) and the regions loader that
 * uses it: a second load reads the cache and gives the same regions, tables and geometry issues as
 * a load without a cache; a changed input file, changed options or a corrupt entry compute afresh.
 */
import { mkdtemp, readdir, readFile, writeFile, cp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { DerivedCache } from '../../../server/util/derived-cache.js';
import { loadRegions } from '../../../server/regions/load.js';
import { FIXTURES } from '../../helpers/test-app.js';

const dirs: string[] = [];
const temp = async () => {
  const d = await mkdtemp(join(tmpdir(), 'granary-derived-'));
  dirs.push(d);
  return d;
};
afterAll(async () => Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true }))));

describe('DerivedCache', () => {
  it('computes once per inputs, again when a file, the options or the code change', async () => {
    const d = await temp();
    const input = join(d, 'in.txt');
    const code = join(d, 'code.js');
    await writeFile(input, 'a');
    await writeFile(code, '// v1');
    const cache = new DerivedCache(join(d, 'cache'));
    let calls = 0;
    const get = (options?: unknown) => cache.get('thing', { files: [input], code: [pathToFileURL(code)], options }, () => ({ n: ++calls }));
    expect(get()).toEqual({ n: 1 });
    expect(get()).toEqual({ n: 1 });
    expect(new DerivedCache(join(d, 'cache')).get('thing', { files: [input], code: [pathToFileURL(code)] }, () => ({ n: -1 }))).toEqual({ n: 1 });
    await writeFile(input, 'b');
    expect(get()).toEqual({ n: 2 });
    expect(get({ policy: 'drop' })).toEqual({ n: 3 });
    await writeFile(code, '// v2');
    expect(get({ policy: 'drop' })).toEqual({ n: 4 });
    // one entry per name is kept
    expect((await readdir(join(d, 'cache'))).filter((f) => f.startsWith('thing-'))).toHaveLength(1);
    expect(cache.hits).toBe(1);
    expect(cache.misses).toBe(4);
  });

  it('treats a corrupt entry as missing and a cache it cannot write as absent', async () => {
    const d = await temp();
    const input = join(d, 'in.txt');
    await writeFile(input, 'a');
    const cache = new DerivedCache(join(d, 'cache'));
    cache.get('thing', { files: [input], code: [] }, () => 1);
    const [entry] = await readdir(join(d, 'cache'));
    await writeFile(join(d, 'cache', entry!), '{"key": "x", "val');
    expect(cache.get('thing', { files: [input], code: [] }, () => 2)).toBe(2);
    // the cache directory is a file: nothing can be written, the value is still computed
    await writeFile(join(d, 'blocked'), '');
    expect(new DerivedCache(join(d, 'blocked', 'cache')).get('thing', { files: [input], code: [] }, () => 3)).toBe(3);
  });
});

describe('loadRegions with the cache', () => {
  it('gives the same regions, tables and issues from the cache as computed afresh', async () => {
    const d = await temp();
    const cache = new DerivedCache(join(d, 'cache'));
    const fresh = loadRegions(join(FIXTURES, 'regions.config.json'));
    const first = loadRegions(join(FIXTURES, 'regions.config.json'), { cache });
    const second = loadRegions(join(FIXTURES, 'regions.config.json'), { cache });
    expect(cache.misses).toBe(4); // the geometry check and the three tables
    expect(cache.hits).toBe(4);
    for (const loaded of [first, second]) {
      expect(loaded.regions).toEqual(fresh.regions);
      expect(loaded.joinReport).toEqual(fresh.joinReport);
      expect(loaded.tables.cropStatistics.crops).toEqual(fresh.tables.cropStatistics.crops);
      expect(loaded.tables.population).toEqual(fresh.tables.population);
      expect(loaded.tables.prices).toEqual(fresh.tables.prices);
    }
    // the bundled boundaries have one hole outside its shell (Barra do Bugres), promoted to a polygon
    expect(second.joinReport.invalidGeometries.map((g) => g.action)).toEqual(['promoted-to-polygon']);
  });

  it('sees a changed boundary file', async () => {
    const d = await temp();
    await cp(FIXTURES, join(d, 'fx'), { recursive: true, filter: (src) => !src.includes('/imagery') && !src.includes('/cache') });
    const config = join(d, 'fx', 'regions.config.json');
    const cache = new DerivedCache(join(d, 'cache'));
    expect(loadRegions(config, { cache }).joinReport.invalidGeometries).toHaveLength(1);
    // the first municipality becomes a bow tie (its ring crosses itself)
    const file = join(d, 'fx', 'boundaries', 'mt_municipalities.geojson');
    const fc = JSON.parse(await readFile(file, 'utf8'));
    const [x, y] = [-55, -12];
    fc.features[0].geometry = { type: 'Polygon', coordinates: [[[x, y], [x + 0.1, y + 0.1], [x + 0.1, y], [x, y + 0.1], [x, y]]] };
    await writeFile(file, JSON.stringify(fc));
    const after = loadRegions(config, { cache });
    expect(after.joinReport).toEqual(loadRegions(config).joinReport);
    expect(after.joinReport.invalidGeometries).toHaveLength(2);
    expect(after.joinReport.invalidGeometries.find((g) => g.id === String(fc.features[0].properties.id))?.action).toBe('kept-invalid');
  });
});
