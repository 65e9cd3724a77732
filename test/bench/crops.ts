/**
 * Crop inference benchmark: pixels per second of the shipped MLP and of the random-forest baseline
 * (onnxruntime-node, 1 and 2 intra-op threads), crop tile latency cold and warm, and the whole Sinop
 * crop map, in one process.
 */
import { resolve } from 'node:path';
import { existsSync, readFileSync } from 'node:fs';
import * as ort from 'onnxruntime-node';
import { PACKAGE_ROOT, loadConfig } from '../../server/config.js';
import { buildApp } from '../../server/app.js';
import { percentile, fmt } from './stats.js';
import { tileRangeForBBox } from '../../server/geo/tile-grid.js';
import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';

async function pixelsPerSecond(onnx: string, features: number, threads: number, n = 65_536): Promise<number> {
  const session = await ort.InferenceSession.create(onnx, { executionProviders: ['cpu'], intraOpNumThreads: threads, interOpNumThreads: 1 });
  const x = new Float32Array(n * features);
  for (let i = 0; i < x.length; i++) x[i] = Math.sin(i * 12.9898) * 0.5;
  const feed = { [session.inputNames[0]!]: new ort.Tensor('float32', x, [n, features]) };
  for (let i = 0; i < 2; i++) await session.run(feed);
  const runs: number[] = [];
  const t0 = performance.now();
  while (performance.now() - t0 < 1500 || runs.length < 3) {
    const s = performance.now();
    await session.run(feed);
    runs.push(performance.now() - s);
  }
  await session.release();
  return n / (percentile(runs, 50) / 1000);
}

export async function cropBench(log: (s: string) => void): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  const models = resolve(PACKAGE_ROOT, 'models');
  const mlpCard = JSON.parse(readFileSync(resolve(models, 'granary-mlp-ndvi-evi.json'), 'utf8')) as { inputs: { variables: string[]; steps: number } };
  const F = mlpCard.inputs.variables.length * mlpCard.inputs.steps;
  for (const threads of [1, 2]) {
    const mlp = await pixelsPerSecond(resolve(models, 'granary-mlp-ndvi-evi.onnx'), F, threads);
    const rf = await pixelsPerSecond(resolve(models, 'baselines/granary-rf-ndvi-evi.onnx'), F, threads, 16_384);
    log(`  inference, ${threads} thread(s), 64k-pixel batches: MLP ${fmt(mlp / 1e6, 2)} Mpx/s (${fmt(1e6 / mlp, 3)} us/px) | random forest ${fmt(rf / 1e6, 3)} Mpx/s (${fmt(1e6 / rf, 2)} us/px) | MLP is ${fmt(mlp / rf, 1)}x cheaper per pixel`);
    out[`mlp.pxps.t${threads}`] = mlp;
    out[`rf.pxps.t${threads}`] = rf;
    // The TempCNN (installable, not the default): same batches, its cost as a multiple of the MLP's.
    const tcnnPath = resolve(models, 'granary-tempcnn-ndvi-evi.onnx');
    if (existsSync(tcnnPath)) {
      const tcnn = await pixelsPerSecond(tcnnPath, F, threads);
      log(`  inference, ${threads} thread(s): TempCNN ${fmt(tcnn / 1e6, 2)} Mpx/s (${fmt(1e6 / tcnn, 3)} us/px) = ${fmt(mlp / tcnn, 2)}x the MLP's cost per pixel (limit for a default: 3x)`);
      out[`tempcnn.pxps.t${threads}`] = tcnn;
    }
  }

  // Crop tiles through the app: cold (fresh app, nothing cached) and warm (rendered-tile cache).
  const app = await buildApp(loadConfig({ GRANARY_WORKERS: '2', GRANARY_LOG_LEVEL: 'silent', GRANARY_MAX_EVENT_LOOP_DELAY_MS: '0', GRANARY_RATE_LIMIT: '0', GRANARY_TILE_CACHE_MB: '0' }));
  await app.ready();
  const scene = await app.catalog.get('sinop');
  const tiles: Array<[number, number, number]> = [];
  for (const z of [10, 11, 12]) {
    const r = tileRangeForBBox(scene.bbox, z);
    for (let x = r.minX; x <= r.maxX; x++) for (let y = r.minY; y <= r.maxY; y++) tiles.push([z, x, y]);
  }
  const first = performance.now();
  await app.inject({ url: `/tiles/sinop/crops/${tiles[0]!.join('/')}.png` });
  const firstMs = performance.now() - first;
  const lat: number[] = [];
  for (const t of tiles) {
    const s = performance.now();
    const r = await app.inject({ url: `/tiles/sinop/crops/${t.join('/')}.png` });
    if (r.statusCode !== 200) throw new Error(`crop tile ${t.join('/')}: ${r.statusCode}`);
    lat.push(performance.now() - s);
  }
  log(`  crop tiles (sinop, ${tiles.length} tiles z10-12, rendered-tile cache off): first tile of a fresh process ${fmt(firstMs)} ms (classifies the scene's native block); then p50 ${fmt(percentile(lat, 50))} ms p95 ${fmt(percentile(lat, 95))} ms (block classes cached)`);
  out['cropTile.first'] = firstMs;
  out['cropTile.p50'] = percentile(lat, 50);
  await app.close();

  // Whole-scene crop map through the CLI (includes process start-up).
  const dir = mkdtempSync(resolve(tmpdir(), 'granary-bench-'));
  const s = performance.now();
  const r = spawnSync('node', ['bin/granary.js', 'cropmap', 'sinop', '--quiet', '--out', resolve(dir, 'sinop.tif')], { cwd: PACKAGE_ROOT, encoding: 'utf8' });
  const wall = performance.now() - s;
  const m = /classified in ([\d.]+) s/.exec(r.stdout);
  log(`  granary cropmap sinop: ${m ? `${m[1]} s classification` : 'n/a'}, ${fmt(wall / 1000, 2)} s wall including Node start-up, COG + polygons (254x144 px)`);
  out['cropmap.seconds'] = m ? Number(m[1]) : NaN;
  return out;
}
