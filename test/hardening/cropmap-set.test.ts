/**
 * The crop-map output set (server/cropmap/output-set.ts) under kill -9: a writer process publishes
 * the same map again and again (writeCropMap, as `granary cropmap` and the jobs do) and is killed
 * at KILLS moments: the odd ones at random in the writer's cycle (mostly while it encodes the COG),
 * the even ones a random few ms after it says it has started writing a set's files, so that kills
 * land inside publications too; more kills of that kind follow until one has landed inside.
 * After every kill, and all the while by a concurrent reader, the four files (COG, .aux.xml, .json,
 * .polygons.geojson) are one complete set: all present, all from the same run. The next writer
 * removes what killed ones left, and GDAL opens the published COG with its colour table. The
 * service's reader (CropMapStore) takes the COG, sidecar and polygons from one set while a writer
 * publishes again and again.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { currentSetDir, SET_DIR } from '../../server/cropmap/output-set.js';
import { CropMapStore } from '../../server/regions/crop-maps.js';
import { createTestApp } from '../helpers/test-app.js';

const WRITER = join(import.meta.dirname, 'cropmap-set-writer.ts');
const KILLS = 12;
const dir = mkdtempSync(join(tmpdir(), 'granary-set-'));
const out = join(dir, 'x.tif');
const hasGdal = spawnSync('gdalinfo', ['--version']).status === 0;
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The run number each file of a set carries (or null where a file is missing). */
async function runsOf(base: string): Promise<{ tif: number | null; aux: number | null; json: number | null; polygons: number | null }> {
  const read = (f: string) => readFile(join(base, f)).catch(() => null);
  const [tif, aux, json, poly] = await Promise.all([read('x.tif'), read('x.tif.aux.xml'), read('x.json'), read('x.polygons.geojson')]);
  const m = (b: Buffer | null, re: RegExp) => (b ? Number(re.exec(b.toString('latin1'))?.[1] ?? NaN) : null);
  return {
    tif: m(tif, /<Item name="granary:run">(\d+)<\/Item>/),
    aux: m(aux, /class0-run(\d+)/),
    json: json ? (JSON.parse(json.toString()) as { properties: Record<string, number> }).properties['granary:run']! : null,
    polygons: poly ? (JSON.parse(poly.toString()) as { run: number }).run : null,
  };
}

function expectOneSet(r: Awaited<ReturnType<typeof runsOf>>, where: string): number {
  expect(r.tif, `${where}: ${JSON.stringify(r)}`).not.toBeNull();
  expect(Number.isInteger(r.tif), `${where}: ${JSON.stringify(r)}`).toBe(true);
  expect([r.aux, r.json, r.polygons], `${where}: ${JSON.stringify(r)}`).toEqual([r.tif, r.tif, r.tif]);
  return r.tif!;
}

/** Set directories that are neither published (`x.current`) nor kept as the superseded set (`x.previous`). */
function unpublishedSets(): string[] {
  const keep = ['x.current', 'x.previous'].map((l) => {
    try {
      return realpathSync(join(dir, l));
    } catch {
      return null;
    }
  });
  return readdirSync(join(dir, SET_DIR)).filter((d) => !keep.includes(realpathSync(join(dir, SET_DIR, d))));
}

function writer(args: string[], path = out): ChildProcess {
  return spawn(process.execPath, ['--import', 'tsx', WRITER, path, ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
}

describe('crop-map output set under kill -9', () => {
  it(`killed at ${KILLS} random moments while publishing: readers always see one complete set, old or new`, async () => {
    let last = -1;
    let start = 0;
    let readerChecks = 0;
    let killedWhileWriting = 0;
    let kills = 0;
    for (let k = 0; k < KILLS || (killedWhileWriting === 0 && k < 4 * KILLS); k++) {
      const aimed = k % 2 === 0 || k >= KILLS;
      const child = writer(['1000000', String(start)]);
      let published = 0;
      let writing = 0;
      child.stdout!.on('data', (c: Buffer) => {
        published += (c.toString().match(/published/g) ?? []).length;
        writing += (c.toString().match(/writing/g) ?? []).length;
      });
      const exit = new Promise((r) => child.once('exit', r));
      // a concurrent reader: resolves the published set once, reads its four files
      let reading = true;
      const reader = (async () => {
        while (reading) {
          const set = await currentSetDir(out);
          if (set) {
            const r = await runsOf(set);
            // a set removed under the reader (superseded meanwhile) gives missing files: read again
            if (r.tif !== null && r.aux !== null && r.json !== null && r.polygons !== null) {
              expectOneSet(r, 'concurrent reader');
              readerChecks++;
            }
          }
          await new Promise((res) => setTimeout(res, 3));
        }
      })();
      // wait for the first publication of this writer, then kill: at a random moment, or aimed at
      // the next set's writing (a random 0-8 ms after the writer says it started writing files)
      const t0 = Date.now();
      while (published === 0 && Date.now() - t0 < 60_000) await new Promise((r) => setTimeout(r, 5));
      if (aimed) {
        const seen = writing;
        while (writing === seen && Date.now() - t0 < 60_000) await new Promise((r) => setImmediate(r));
        await new Promise((r) => setTimeout(r, Math.random() * 8));
      } else {
        await new Promise((r) => setTimeout(r, Math.random() * 400));
      }
      child.kill('SIGKILL');
      await exit;
      reading = false;
      await reader;
      // a kill inside a publication leaves an unpublished set directory (removed by the next writer)
      if (unpublishedSets().length > 0) killedWhileWriting++;
      // after the kill, through the usual names: one complete set, never older than the last seen
      const now = expectOneSet(await runsOf(dir), `after kill ${k}`);
      expect(now).toBeGreaterThanOrEqual(last);
      last = now;
      start = now + 1_000; // the next writer's runs are distinguishable
      kills++;
    }
    expect(readerChecks).toBeGreaterThan(KILLS);
    expect(killedWhileWriting, 'no kill landed inside a publication').toBeGreaterThan(0);
    console.log(`${kills} kills, ${killedWhileWriting} inside a publication; ${readerChecks} concurrent reads, all one set`);
  }, 600_000);

  it('the next writer removes what killed writers left, publishes, and GDAL opens the map', async () => {
    const child = writer(['1', '999999']);
    await new Promise((r) => child.once('exit', r));
    expect(expectOneSet(await runsOf(dir), 'final')).toBe(999999);
    // the published set and the one it superseded (kept until the next publication); no partial set
    expect(readdirSync(join(dir, SET_DIR))).toHaveLength(2);
    expect(unpublishedSets()).toEqual([]);
    expect(readdirSync(dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
    if (hasGdal) {
      const info = spawnSync('gdalinfo', [out], { encoding: 'utf8' });
      expect(info.status, info.stderr).toBe(0);
      expect(info.stdout).toMatch(/Size is 768, 512/);
      expect(info.stdout).toMatch(/Color Table/);
      expect(readFileSync(join(dir, 'x.polygons.geojson'), 'utf8')).toContain('"run":999999');
    }
  }, 120_000);

  it('the service reads one set: while maps are published again and again, every listed map pairs its COG with its own sidecar and polygons', async () => {
    // the service's reader (regions/crop-maps.ts) on a crop-map directory: <scene>__<model>.tif
    const mapsDir = mkdtempSync(join(tmpdir(), 'granary-set-reader-'));
    try {
      const store = new CropMapStore(mapsDir, null as never, null as never, null as never);
      const child = writer(['1000000', '0'], join(mapsDir, 'set__m.tif'));
      let published = 0;
      child.stdout!.on('data', (c: Buffer) => (published += (c.toString().match(/published/g) ?? []).length));
      const exit = new Promise((r) => child.once('exit', r));
      const runOf = (name: string) => Number(/-run(\d+)$/.exec(name)?.[1] ?? NaN);
      let checks = 0;
      let gone = 0;
      const seen = new Set<number>();
      const t0 = Date.now();
      try {
        while ((checks < 150 || seen.size < 5) && Date.now() - t0 < 120_000) {
          const [entry] = await store.list();
          const [layer] = await store.polygonLayers();
          if (!entry || !layer) {
            await new Promise((r) => setTimeout(r, 5));
            continue;
          }
          // the COG and polygons are read after the listing, as a worker task and the layer route do
          const [tif, poly] = await Promise.all([readFile(entry.tif).catch(() => null), readFile(layer.path, 'utf8').catch(() => null)]);
          if (tif === null || poly === null) {
            gone++; // superseded twice since the listing (the set before the previous one is removed)
            continue;
          }
          const sidecarRun = runOf(entry.sidecar.classes[0]!.name);
          expect(entry.sidecar.confusionMatrix[0]![0], 'sidecar from one run').toBe(sidecarRun + 1);
          expect(Number(/<Item name="granary:run">(\d+)<\/Item>/.exec(tif.toString('latin1'))?.[1]), 'COG and sidecar from one set').toBe(sidecarRun);
          if (layer.path.startsWith(join(mapsDir, SET_DIR)) && entry.tif.startsWith(join(mapsDir, SET_DIR)) && layer.path.split('/').at(-2) === entry.tif.split('/').at(-2)) {
            expect((JSON.parse(poly) as { run: number }).run, 'polygons from the same set').toBe(sidecarRun);
          }
          seen.add(sidecarRun);
          checks++;
        }
      } finally {
        child.kill('SIGKILL');
        await exit;
      }
      console.log(`${checks} reads through CropMapStore over ${seen.size} publications (${published} published), all one set; ${gone} listings outlived their set`);
      expect(checks).toBeGreaterThanOrEqual(150);
      expect(seen.size, 'the writer published during the reads').toBeGreaterThanOrEqual(5);
      expect(gone).toBeLessThan(checks / 10);
    } finally {
      rmSync(mapsDir, { recursive: true, force: true });
    }
  }, 180_000);

  it('the service removes, when it starts, a set left by a writer killed before publishing it', async () => {
    const t = await createTestApp({
      setup: async ({ dataDir }) => {
        const maps = join(dataDir, 'cropmaps');
        const published = writer(['1', '7'], join(maps, 'set__m.tif'));
        await new Promise((r) => published.once('exit', r));
        // a partial set of a writer that is gone (a process that has exited: its pid is dead)
        const gone = spawn(process.execPath, ['-e', '0']);
        await new Promise((r) => gone.once('exit', r));
        const host = hostname().replace(/[^A-Za-z0-9-]/g, '-').slice(0, 40) || 'host';
        const partial = join(maps, SET_DIR, `set__m.${host}.${gone.pid}.0badc0de`);
        mkdirSync(partial);
        writeFileSync(join(partial, 'set__m.tif.aux.xml'), 'partial');
        // and one of another host's writer, recent: it may still be writing, left alone
        mkdirSync(join(maps, SET_DIR, 'set__m.elsewhere.12.0badc0de'));
      },
    });
    try {
      const sets = readdirSync(join(t.dataDir, 'cropmaps', SET_DIR));
      expect(sets.filter((d) => d.includes('0badc0de'))).toEqual(['set__m.elsewhere.12.0badc0de']);
      expect(sets).toHaveLength(2); // the published set and the other host's
      const [entry] = await t.app.cropMaps.list();
      expect(entry?.sidecar.classes[0]?.name).toBe('class0-run7');
      expect(existsSync(entry!.tif)).toBe(true);
    } finally {
      await t.close();
    }
  }, 180_000);
});
