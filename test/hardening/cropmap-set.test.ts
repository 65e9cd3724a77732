/**
 * The crop-map output set (server/cropmap/output-set.ts) under kill -9: a writer process publishes
 * the same map again and again (writeCropMap, as `granary cropmap` and the jobs do) and is killed
 * at KILLS random moments, most of them inside a publication (a set takes tens of ms to write).
 * After every kill, and all the while by a concurrent reader, the four files (COG, .aux.xml, .json,
 * .polygons.geojson) are one complete set: all present, all from the same run. The next writer
 * removes what killed ones left, and GDAL opens the published COG with its colour table.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { currentSetDir, SET_DIR } from '../../server/cropmap/output-set.js';

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

function writer(args: string[]): ChildProcess {
  return spawn(process.execPath, ['--import', 'tsx', WRITER, out, ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
}

describe('crop-map output set under kill -9', () => {
  it(`killed at ${KILLS} random moments while publishing: readers always see one complete set, old or new`, async () => {
    let last = -1;
    let start = 0;
    let readerChecks = 0;
    let killedWhileWriting = 0;
    for (let k = 0; k < KILLS; k++) {
      const child = writer(['1000000', String(start)]);
      let published = 0;
      child.stdout!.on('data', (c: Buffer) => (published += (c.toString().match(/published/g) ?? []).length));
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
      // wait for the first publication of this writer, then kill at a random moment
      const t0 = Date.now();
      while (published === 0 && Date.now() - t0 < 60_000) await new Promise((r) => setTimeout(r, 5));
      await new Promise((r) => setTimeout(r, Math.random() * 400));
      child.kill('SIGKILL');
      await exit;
      reading = false;
      await reader;
      // a kill inside a publication leaves an unpublished set directory (removed by the next writer)
      if (readdirSync(join(dir, SET_DIR)).length > 1) killedWhileWriting++;
      // after the kill, through the usual names: one complete set, never older than the last seen
      const now = expectOneSet(await runsOf(dir), `after kill ${k}`);
      expect(now).toBeGreaterThanOrEqual(last);
      last = now;
      start = now + 1_000; // the next writer's runs are distinguishable
    }
    expect(readerChecks).toBeGreaterThan(KILLS);
    expect(killedWhileWriting, 'no kill landed inside a publication').toBeGreaterThan(0);
    console.log(`${KILLS} kills, ${killedWhileWriting} inside a publication; ${readerChecks} concurrent reads, all one set`);
  }, 600_000);

  it('the next writer removes what killed writers left, publishes, and GDAL opens the map', async () => {
    const child = writer(['1', '999999']);
    await new Promise((r) => child.once('exit', r));
    expect(expectOneSet(await runsOf(dir), 'final')).toBe(999999);
    const sets = readdirSync(join(dir, SET_DIR));
    expect(sets).toHaveLength(1);
    expect(readdirSync(dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
    if (hasGdal) {
      const info = spawnSync('gdalinfo', [out], { encoding: 'utf8' });
      expect(info.status, info.stderr).toBe(0);
      expect(info.stdout).toMatch(/Size is 768, 512/);
      expect(info.stdout).toMatch(/Color Table/);
      expect(readFileSync(join(dir, 'x.polygons.geojson'), 'utf8')).toContain('"run":999999');
    }
  }, 120_000);
});
