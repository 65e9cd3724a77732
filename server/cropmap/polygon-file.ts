/**
 * The `.polygons.geojson` file of a crop map, written and read a feature at a time. A scale-scene map
 * (18 Mpx, about a million polygons) serialised with one JSON.stringify is past V8's maximum string
 * length ("RangeError: Invalid string length" in the assembler, 2026-12-05), and reading it back with
 * one JSON.parse is too. The file stays one valid GeoJSON FeatureCollection, laid out one feature
 * per line so that a reader can stream it:
 *
 *   {"type":"FeatureCollection","features":[
 *   {"type":"Feature",...},
 *   {"type":"Feature",...}
 *   ]}
 */
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import type { Feature, FeatureCollection } from 'geojson';

const HEAD = '{"type":"FeatureCollection","features":[';
const FEATURES_PER_CHUNK = 1000;

/** The file's text in chunks of up to 1000 features (each chunk a string far below the limit). */
export function polygonFileChunks(fc: FeatureCollection): string[] {
  const chunks: string[] = [`${HEAD}\n`];
  const n = fc.features.length;
  for (let i = 0; i < n; i += FEATURES_PER_CHUNK) {
    let s = '';
    for (let k = i; k < Math.min(n, i + FEATURES_PER_CHUNK); k++) s += `${JSON.stringify(fc.features[k])}${k < n - 1 ? ',' : ''}\n`;
    chunks.push(s);
  }
  chunks.push(']}\n');
  return chunks;
}

/** The features of a polygon file, one at a time; a file in another layout (one line) is parsed whole. */
export async function* readPolygonFile(path: string): AsyncGenerator<Feature> {
  const lines = createInterface({ input: createReadStream(path, { encoding: 'utf8' }), crlfDelay: Infinity });
  let first = true;
  let whole: string | null = null;
  for await (const line of lines) {
    if (first) {
      first = false;
      if (line !== HEAD) whole = line;
      continue;
    }
    if (whole !== null) {
      whole += `\n${line}`;
      continue;
    }
    if (line === ']}' || line === '') continue;
    yield JSON.parse(line.endsWith(',') ? line.slice(0, -1) : line) as Feature;
  }
  if (whole !== null) for (const f of (JSON.parse(whole) as FeatureCollection).features) yield f;
}
