/**
 * Test helper process for cropmap-set.test.ts: publishes the crop map `<out>` again and again with
 * writeCropMap (the function `granary cropmap` and the crop-map jobs publish with), each run's
 * files carrying its run number, until killed (or `count` runs). Prints "writing <n>" when the set
 * directory of a run is created (the files are being written) and "published <n>" after each.
 */
import { writeCropMap } from '../../server/cropmap/write-cropmap.js';
import { geoKeysForEpsg } from '../../server/render/geotiff-writer.js';
import type { Scene } from '../../server/catalog/scene.js';

const [out, countArg, startArg] = process.argv.slice(2);
const count = Number(countArg ?? Infinity);
const start = Number(startArg ?? 0);
const W = 768;
const H = 512;
const scene = { id: 'set', title: 'set test', bbox: [0, 0, 1, 1], grid: { width: W, height: H, geotransform: [-55, 0.001, 0, -11, 0, -0.001] } } as unknown as Scene;

for (let run = start; run < start + count; run++) {
  const classIds = new Uint8Array(W * H);
  const confidence = new Uint8Array(W * H);
  for (let i = 0; i < classIds.length; i++) {
    classIds[i] = (i * 2654435761 + run) % 7 === 0 ? 255 : ((i >> 5) + run) % 3;
    confidence[i] = (i + run) % 100;
  }
  const classes = [0, 1, 2].map((id) => ({ id, name: `class${id}-run${run}`, color: '#336699' }));
  await writeCropMap(
    out!,
    { width: W, height: H, classIds, confidence },
    { scene, geoKeys: geoKeysForEpsg(4326) as Record<string, unknown>, model: { id: 'm', sha256: 'x', classes, confusionMatrix: [[run + 1, 0, 0], [0, 1, 0], [0, 0, 1]], classOrder: null }, season: 2020, dates: ['2020-09-01', '2021-08-31'], extra: { 'granary:run': run } },
    JSON.stringify({ type: 'FeatureCollection', run, features: [] }),
    (dirs) => {
      if (dirs.length > 0) process.stdout.write(`writing ${run}\n`);
    },
  );
  process.stdout.write(`published ${run}\n`);
}
