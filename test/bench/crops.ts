/**
 * Crop inference benchmark: pixels per second of the shipped MLP, the TempCNN and the random-forest
 * baseline (onnxruntime-node, 1 and 2 intra-op threads), crop tile latency cold and warm and the
 * whole Sinop crop map for each of the three in the same run, as ratios to the MLP.
 */
import { resolve } from 'node:path';
import { readFileSync } from 'node:fs';
import * as ort from 'onnxruntime-node';
import { PACKAGE_ROOT, loadConfig } from '../../server/config.js';
import { buildApp } from '../../server/app.js';
import { percentile, fmt } from './stats.js';
import { tileRangeForBBox } from '../../server/geo/tile-grid.js';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';

/**
 * Per-pixel cost of several ONNX files measured in turn (one batch each per round, rounds for at least
 * 3 s), so a change in machine load hits all alike; returns median pixels per second per file and the
 * median over rounds of each file's time / the first file's time.
 */
async function pixelsPerSecondInTurn(onnx: string[], features: number, threads: number, n: number): Promise<Array<{ pxps: number; ratio: number }>> {
  const x = new Float32Array(n * features);
  for (let i = 0; i < x.length; i++) x[i] = Math.sin(i * 12.9898) * 0.5;
  const sessions = await Promise.all(onnx.map((f) => ort.InferenceSession.create(f, { executionProviders: ['cpu'], intraOpNumThreads: threads, interOpNumThreads: 1 })));
  const feeds = sessions.map((s) => ({ [s.inputNames[0]!]: new ort.Tensor('float32', x, [n, features]) }));
  for (let i = 0; i < 2; i++) for (let m = 0; m < sessions.length; m++) await sessions[m]!.run(feeds[m]!);
  const runs: number[][] = sessions.map(() => []);
  const t0 = performance.now();
  while (performance.now() - t0 < 3000 || runs[0]!.length < 5) {
    for (let m = 0; m < sessions.length; m++) {
      const s = performance.now();
      await sessions[m]!.run(feeds[m]!);
      runs[m]!.push(performance.now() - s);
    }
  }
  await Promise.all(sessions.map((s) => s.release()));
  return runs.map((r) => ({ pxps: n / (percentile(r, 50) / 1000), ratio: percentile(r.map((t, i) => t / runs[0]![i]!), 50) }));
}

export async function cropBench(log: (s: string) => void): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  const models = resolve(PACKAGE_ROOT, 'models');
  const mlpCard = JSON.parse(readFileSync(resolve(models, 'granary-mlp-ndvi-evi.json'), 'utf8')) as { inputs: { variables: string[]; steps: number } };
  const F = mlpCard.inputs.variables.length * mlpCard.inputs.steps;
  for (const threads of [1, 2]) {
    // 16k-pixel batches: the forest is slow enough that 64k batches would leave few rounds.
    const [mlp, tcnn, rf] = await pixelsPerSecondInTurn(
      [resolve(models, 'granary-mlp-ndvi-evi.onnx'), resolve(models, 'granary-tempcnn-ndvi-evi.onnx'), resolve(models, 'baselines/granary-rf-ndvi-evi.onnx')],
      F,
      threads,
      16_384,
    );
    log(
      `  inference, ${threads} thread(s), 16k-pixel batches in turn: MLP ${fmt(1e6 / mlp!.pxps, 3)} us/px (1x) | ` +
        `TempCNN ${fmt(1e6 / tcnn!.pxps, 3)} us/px (${fmt(tcnn!.ratio, 2)}x the MLP; limit for a default: 3x) | forest ${fmt(1e6 / rf!.pxps, 2)} us/px (${fmt(rf!.ratio, 2)}x)`,
    );
    out[`mlp.pxps.t${threads}`] = mlp!.pxps;
    out[`tempcnn.pxps.t${threads}`] = tcnn!.pxps;
    out[`rf.pxps.t${threads}`] = rf!.pxps;
    out[`tempcnn.costRatio.t${threads}`] = tcnn!.ratio;
    out[`rf.costRatio.t${threads}`] = rf!.ratio;
  }

  // Crop tiles and crop maps of the three NDVI+EVI models in one run, served from one models folder
  // (the baseline forest is not in models/ itself: it is linked in here only to be measured).
  const dir = mkdtempSync(resolve(tmpdir(), 'granary-bench-'));
  const modelsDir = resolve(dir, 'models');
  mkdirSync(modelsDir);
  const compared: Array<[label: string, id: string, from: string]> = [
    ['MLP', 'granary-mlp-ndvi-evi', models],
    ['TempCNN', 'granary-tempcnn-ndvi-evi', models],
    ['forest', 'granary-rf-ndvi-evi', resolve(models, 'baselines')],
  ];
  for (const [, id, from] of compared) for (const ext of ['onnx', 'json']) symlinkSync(resolve(from, `${id}.${ext}`), resolve(modelsDir, `${id}.${ext}`));
  const env = { GRANARY_MODELS_DIR: modelsDir };

  // Crop tiles through the app (rendered-tile cache off). First tile: for each model a fresh app whose
  // workers were started by one NDVI tile, so the crop tile measures reading the 46 bands, loading the
  // model and classifying the scene's native block. Then, in one app, every tile z10-12 for each
  // model in turn (blocks classified, not measured, beforehand), the order rotated per tile so load
  // drift hits all three alike.
  const newApp = async () => {
    const a = await buildApp(loadConfig({ ...env, GRANARY_WORKERS: '2', GRANARY_LOG_LEVEL: 'silent', GRANARY_MAX_EVENT_LOOP_DELAY_MS: '0', GRANARY_RATE_LIMIT: '0', GRANARY_TILE_CACHE_MB: '0' }));
    await a.ready();
    return a;
  };
  let app = await newApp();
  const defaultId = (await app.models.get()).id;
  const scene = await app.catalog.get('sinop');
  const tiles: Array<[number, number, number]> = [];
  for (const z of [10, 11, 12]) {
    const r = tileRangeForBBox(scene.bbox, z);
    for (let x = r.minX; x <= r.maxX; x++) for (let y = r.minY; y <= r.maxY; y++) tiles.push([z, x, y]);
  }
  const get = async (url: string): Promise<number> => {
    const s = performance.now();
    const r = await app.inject({ url });
    if (r.statusCode !== 200) throw new Error(`${url}: ${r.statusCode} ${r.body.slice(0, 200)}`);
    return performance.now() - s;
  };
  const tile = (t: [number, number, number], id: string) => get(`/tiles/sinop/crops/${t.join('/')}.png?model=${id}`);
  const firstMs = new Map<string, number>();
  for (const [, id] of compared) {
    await app.close();
    app = await newApp();
    await get(`/tiles/sinop/${tiles[0]!.join('/')}.png?variable=ndvi&date=2014-01-17`);
    firstMs.set(id, await tile(tiles[0]!, id));
  }
  for (const [, id] of compared) await tile(tiles[0]!, id);
  const lat = new Map<string, number[]>(compared.map(([, id]) => [id, []]));
  for (let k = 0; k < tiles.length; k++) {
    for (let m = 0; m < compared.length; m++) {
      const id = compared[(k + m) % compared.length]![1];
      lat.get(id)!.push(await tile(tiles[k]!, id));
    }
  }
  await app.close();
  const base = 'granary-mlp-ndvi-evi';
  const p50 = (id: string) => percentile(lat.get(id)!, 50);
  log(`  crop tiles (sinop, ${tiles.length} tiles z10-12 per model, rendered-tile cache off; default model: ${defaultId}):`);
  for (const [label, id] of compared) {
    log(
      `    ${label.padEnd(8)} first tile ${fmt(firstMs.get(id)!)} ms (reads, loads the model, classifies the native block: ${fmt(firstMs.get(id)! / firstMs.get(base)!, 2)}x the MLP) | ` +
        `then p50 ${fmt(p50(id))} ms p95 ${fmt(percentile(lat.get(id)!, 95))} ms (${fmt(p50(id) / p50(base), 2)}x the MLP's p50)`,
    );
    const key = id === base ? 'mlp' : id === 'granary-tempcnn-ndvi-evi' ? 'tempcnn' : 'rf';
    out[`cropTile.${key}.first`] = firstMs.get(id)!;
    out[`cropTile.${key}.p50`] = p50(id);
  }
  out['cropTile.first'] = firstMs.get(defaultId) ?? NaN;
  out['cropTile.p50'] = lat.has(defaultId) ? p50(defaultId) : NaN;

  // Whole-scene crop map through the CLI (includes process start-up), each model twice, interleaved.
  const seconds = new Map<string, number[]>(compared.map(([, id]) => [id, []]));
  const wall = new Map<string, number[]>(compared.map(([, id]) => [id, []]));
  for (let round = 0; round < 2; round++) {
    for (const [, id] of compared) {
      const s = performance.now();
      const r = spawnSync('node', ['bin/granary.js', 'cropmap', 'sinop', '--model', id, '--quiet', '--out', resolve(dir, `${id}.tif`)], { cwd: PACKAGE_ROOT, encoding: 'utf8', env: { ...process.env, ...env } });
      wall.get(id)!.push(performance.now() - s);
      const m = /classified in ([\d.]+) s/.exec(r.stdout);
      if (r.status !== 0 || !m) throw new Error(`granary cropmap sinop --model ${id}: exit ${r.status}: ${r.stderr.slice(0, 300)}`);
      seconds.get(id)!.push(Number(m[1]));
    }
  }
  const best = (xs: number[]) => Math.min(...xs);
  log(`  granary cropmap sinop (254x144 px, COG + polygons; best of 2, interleaved):`);
  for (const [label, id] of compared) {
    log(
      `    ${label.padEnd(8)} ${fmt(best(seconds.get(id)!), 2)} s classification (${fmt(best(seconds.get(id)!) / best(seconds.get(base)!), 2)}x the MLP), ` +
        `${fmt(best(wall.get(id)!) / 1000, 2)} s wall including Node start-up (${fmt(best(wall.get(id)!) / best(wall.get(base)!), 2)}x)`,
    );
    const key = id === base ? 'mlp' : id === 'granary-tempcnn-ndvi-evi' ? 'tempcnn' : 'rf';
    out[`cropmap.${key}.seconds`] = best(seconds.get(id)!);
  }
  out['cropmap.seconds'] = best(seconds.get(defaultId) ?? [NaN]);
  return out;
}
