/**
 * server/cropmap/polygon-file.ts: the polygon file written in pieces is one valid GeoJSON document
 * equal to the collection, and the streaming reader gives back every feature in order, also for a
 * file written the old way (one JSON.stringify line) and for an empty collection.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Feature, FeatureCollection, Polygon } from 'geojson';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { polygonFileChunks, readPolygonFile } from '../../../server/cropmap/polygon-file.js';

const square = (i: number): Feature<Polygon> => ({
  type: 'Feature',
  id: i + 1,
  properties: { classId: i % 5, name: `a "quoted"\nname ${i}` },
  geometry: { type: 'Polygon', coordinates: [[[i, 0], [i + 1, 0], [i + 1, 1], [i, 1], [i, 0]]] },
});
const fc = (n: number): FeatureCollection<Polygon> => ({ type: 'FeatureCollection', features: Array.from({ length: n }, (_, i) => square(i)) });

let dir: string;
beforeAll(async () => void (dir = await mkdtemp(join(tmpdir(), 'granary-polyfile-'))));
afterAll(async () => rm(dir, { recursive: true, force: true }));

const collect = async (path: string) => {
  const out: Feature[] = [];
  for await (const f of readPolygonFile(path)) out.push(f);
  return out;
};

describe('polygon file', () => {
  it.each([0, 1, 999, 1000, 2501])('%i features: valid GeoJSON equal to the collection, streamed back in order', async (n) => {
    const path = join(dir, `p${n}.geojson`);
    const chunks = polygonFileChunks(fc(n));
    expect(chunks.length).toBe(2 + Math.ceil(n / 1000));
    await writeFile(path, chunks.join(''));
    expect(JSON.parse(readFileSync(path, 'utf8'))).toEqual(fc(n));
    expect(await collect(path)).toEqual(fc(n).features);
  });

  it('reads a file written as one JSON.stringify line', async () => {
    const path = join(dir, 'old.geojson');
    await writeFile(path, JSON.stringify(fc(7)));
    expect(await collect(path)).toEqual(fc(7).features);
  });
});
