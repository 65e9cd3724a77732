/**
 * Every served probability is the calibrated one (issue #16): /api/point (whose `confidence` is the
 * farmer's "the model is N % sure" sentence, client/src/api.ts -> views/farmer.ts), the confidence
 * tiles and the uncertain places. The reference is computed here without the service's code: the
 * ONNX file run directly with onnxruntime-node on the pixel's inputs (taken from /api/point's raw
 * series at the season's dates), standardised with the card's mean/std, and tempered by hand,
 * p_c^(1/T) / sum_k p_k^(1/T). Each check also asserts that the raw softmax would have failed it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import * as ort from 'onnxruntime-node';
import sharp from 'sharp';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../server/app.js';
import { loadConfig } from '../../server/config.js';
import { modelTask } from '../../server/services/model-task.js';
import { transformer } from '../../server/geo/crs.js';
import { tileBounds3857 } from '../../server/geo/tile-grid.js';
import { ColormapRegistry } from '../../server/render/colormaps.js';
import { colorizeSingle } from '../../server/render/colorize.js';
import type { Scene } from '../../server/catalog/scene.js';

interface Card {
  classes: Array<{ name: string }>;
  inputs: { inputName: string; outputName: string; normalisation: { type: string; mean?: number[]; std?: number[] } };
  calibration?: { temperature: number };
}
interface Point {
  pixel: { col: number; row: number } | null;
  series: Record<string, Array<{ date: string | null; value: number | null }>>;
  crop: { modelId: string; confidence: number | null; probabilities: Array<{ name: string; probability: number }> } | null;
}

// The shipped NDVI+EVI MLP has T = 1.58, so raw and calibrated differ visibly; the TempCNN's T (0.985)
// is too close to 1 for tiles to tell them apart.
const MODELS = ['granary-mlp-ndvi-evi'];
let app: FastifyInstance;
let scene: Scene;
let toWgs: ReturnType<typeof transformer>;

beforeAll(async () => {
  app = await buildApp(loadConfig({ GRANARY_WORKERS: '1', GRANARY_MAX_EVENT_LOOP_DELAY_MS: '0', GRANARY_RATE_LIMIT: '0' }));
  await app.ready();
  scene = await app.catalog.get('sinop');
  toWgs = transformer(scene.crs.proj4, 'EPSG:4326');
});
afterAll(async () => app.close());

const E = 20037508.342789244;
/** Spherical Web Mercator (EPSG:3857) by its formula. */
const lonLatToMercator = (lon: number, lat: number): [number, number] => [
  (lon * E) / 180,
  (Math.log(Math.tan(Math.PI / 4 + (lat * Math.PI) / 360)) * E) / Math.PI,
];

const pixelLonLat = (col: number, row: number): [number, number] => {
  const [ox, pw, , oy, , ph] = scene.grid.geotransform;
  return toWgs.forward([ox + (col + 0.5) * pw, oy + (row + 0.5) * ph]) as [number, number];
};

describe.each(MODELS)('served probabilities of %s are calibrated', (id) => {
  let card: Card;
  let session: ort.InferenceSession;
  let T: number;
  let dates: string[];
  let variables: string[];

  beforeAll(async () => {
    const entry = await app.models.get(id);
    card = JSON.parse(readFileSync(entry.onnxPath.replace(/\.onnx$/, '.json'), 'utf8')) as Card;
    T = card.calibration?.temperature ?? 1;
    session = await ort.InferenceSession.create(entry.onnxPath);
    const task = modelTask(entry, scene);
    dates = task.inputs.dates;
    variables = task.inputs.variables;
  });

  /** Raw softmax of the ONNX file and its tempered version, for the pixel's raw inputs. */
  async function reference(p: Point): Promise<{ raw: number[]; cal: number[] } | null> {
    const x: number[] = [];
    for (const v of variables) {
      const byDate = new Map((p.series[v] ?? []).map((s) => [s.date, s.value]));
      for (const d of dates) {
        const value = byDate.get(d);
        if (value === null || value === undefined) return null;
        x.push(value);
      }
    }
    const norm = card.inputs.normalisation;
    const z = x.map((v, f) => (norm.type === 'none' ? v : (v - norm.mean![f]!) / norm.std![f]!));
    const out = await session.run({ [card.inputs.inputName]: new ort.Tensor('float32', Float32Array.from(z), [1, z.length]) });
    const raw = Array.from(out[card.inputs.outputName]!.data as Float32Array);
    const w = raw.map((q) => Math.exp(Math.log(Math.max(q, 1e-30)) / T));
    const s = w.reduce((a, b) => a + b, 0);
    return { raw, cal: w.map((q) => q / s) };
  }

  async function pointAt(lon: number, lat: number): Promise<Point> {
    const res = await app.inject({ url: `/api/point?lon=${lon}&lat=${lat}&scene=sinop&model=${id}` });
    expect(res.statusCode).toBe(200);
    return res.json() as Point;
  }

  it('has a temperature far enough from 1 for this test to tell calibrated from raw', () => {
    expect(Math.abs(T - 1)).toBeGreaterThan(0.01);
  });

  it('/api/point: every class probability and the confidence (the farmer\'s "sure") are the tempered ONNX softmax', async () => {
    let checked = 0;
    let rawWouldFail = 0;
    for (let k = 0; k < 30; k++) {
      const col = (k * 37 + 11) % scene.grid.width;
      const row = (k * 53 + 7) % scene.grid.height;
      const p = await pointAt(...pixelLonLat(col, row));
      const ref = await reference(p);
      if (!ref || !p.crop || p.crop.confidence === null) continue;
      const served = card.classes.map((c) => p.crop!.probabilities.find((q) => q.name === c.name)!.probability);
      served.forEach((q, c) => expect(q).toBeCloseTo(ref.cal[c]!, 4));
      expect(p.crop.confidence).toBeCloseTo(Math.max(...ref.cal), 4);
      if (Math.abs(Math.max(...ref.raw) - Math.max(...ref.cal)) > 1e-3) rawWouldFail++;
      checked++;
    }
    expect(checked).toBeGreaterThanOrEqual(20);
    expect(rawWouldFail).toBeGreaterThanOrEqual(10);
  });

  it('confidence tiles paint the calibrated top-class probability', async () => {
    const lut = new ColormapRegistry().lut('confidence')!;
    const colour = (v: number) => Array.from(colorizeSingle(Float32Array.of(v), [0, 1], lut).subarray(0, 3));
    const dist = (a: number[], b: number[]) => Math.hypot(a[0]! - b[0]!, a[1]! - b[1]!, a[2]! - b[2]!);
    const z = 13; // finer than the 250 m data: nearest native pixel
    const tiles = new Map<string, { data: Buffer; channels: number }>();
    let checked = 0;
    let closerToCalibrated = 0;
    for (let k = 0; k < 40 && checked < 15; k++) {
      const col = (k * 41 + 5) % scene.grid.width;
      const row = (k * 29 + 13) % scene.grid.height;
      const [lon, lat] = pixelLonLat(col, row);
      const ref = await reference(await pointAt(lon, lat));
      if (!ref) continue;
      const rawTop = Math.max(...ref.raw);
      const calTop = Math.max(...ref.cal);
      if (dist(colour(rawTop), colour(calTop)) < 12) continue; // same colour either way: tells nothing
      const [mx, my] = lonLatToMercator(lon, lat);
      const n = 2 ** z;
      const x = Math.floor(((mx + E) / (2 * E)) * n);
      const y = Math.floor(((E - my) / (2 * E)) * n);
      const key = `${x}/${y}`;
      if (!tiles.has(key)) {
        const res = await app.inject({ url: `/tiles/sinop/crops/confidence/${z}/${x}/${y}.png?model=${id}` });
        expect(res.statusCode).toBe(200);
        const { data, info } = await sharp(res.rawPayload).raw().toBuffer({ resolveWithObject: true });
        tiles.set(key, { data, channels: info.channels });
      }
      const tile = tiles.get(key)!;
      const [minX, , maxX, maxY] = tileBounds3857(z, x, y);
      const i = Math.floor((mx - minX) / ((maxX - minX) / 256));
      const j = Math.floor((maxY - my) / ((maxX - minX) / 256));
      const o = (j * 256 + i) * tile.channels;
      if (tile.data[o + 3] === 0) continue;
      const got = [tile.data[o]!, tile.data[o + 1]!, tile.data[o + 2]!];
      checked++;
      if (dist(got, colour(calTop)) <= 3 && dist(got, colour(calTop)) < dist(got, colour(rawTop))) closerToCalibrated++;
    }
    expect(checked).toBeGreaterThanOrEqual(8);
    expect(closerToCalibrated).toBe(checked);
  });

  it('uncertain places carry the calibrated top-2 probabilities', async () => {
    const res = await app.inject({ url: `/api/uncertain-places/sinop.geojson?n=8&spacing=10&measure=confidence&model=${id}` });
    expect(res.statusCode).toBe(200);
    const fc = res.json() as { features: Array<{ properties: { col: number; row: number; p1: number; p2: number; top1: string; top2: string } }> };
    expect(fc.features.length).toBeGreaterThanOrEqual(5);
    let rawWouldFail = 0;
    for (const f of fc.features) {
      const { col, row, p1, p2, top1, top2 } = f.properties;
      const p = await pointAt(...pixelLonLat(col, row));
      expect(p.pixel).toMatchObject({ col, row });
      const ref = (await reference(p))!;
      const i1 = card.classes.findIndex((c) => c.name === top1);
      const i2 = card.classes.findIndex((c) => c.name === top2);
      expect(p1).toBeCloseTo(ref.cal[i1]!, 3);
      expect(p2).toBeCloseTo(ref.cal[i2]!, 3);
      if (Math.abs(ref.raw[i1]! - ref.cal[i1]!) > 2e-3) rawWouldFail++;
    }
    expect(rawWouldFail).toBeGreaterThanOrEqual(3);
  });
});
