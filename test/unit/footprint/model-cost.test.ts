/**
 * Measured inference cost per pixel (onnxruntime-node) on tiny MLP and random-forest ONNX models,
 * the cache (atomic write, keyed by the models' sha256) and discovery when models are missing.
 * Asserts structure and bookkeeping only, never durations.
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { discoverModels, loadOrMeasureModelCost, modelCostPath, syntheticRows } from '../../../server/footprint/model-cost.js';
import { F, mlpOnnx, CLASSES, writeTinyModels } from './onnx-fixture.js';

const root = mkdtempSync(join(tmpdir(), 'granary-modelcost-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
const quick = { batch: 256, minCpuMs: 20, maxRuns: 50 };

describe('model discovery', () => {
  it('says what is missing', async () => {
    const empty = join(root, 'none');
    const d = await discoverModels(empty);
    expect(d.shipped).toBeNull();
    expect(d.baseline).toBeNull();
    expect(d.reason).toMatch(/no shipped model/);
    expect(d.reason).toMatch(/random-forest baseline/);
    const out = await loadOrMeasureModelCost(empty, join(root, 'data-none'));
    expect(out.available).toBe(false);
  });

  it('finds the shipped model and the baseline with their input width', async () => {
    const dir = join(root, 'models');
    writeTinyModels(dir);
    const d = await discoverModels(dir);
    expect(d.reason).toBeNull();
    expect(d.shipped).toMatchObject({ id: 'granary-mlp-ndvi-evi', role: 'shipped', features: F, standardised: true });
    expect(d.baseline).toMatchObject({ id: 'rf-baseline', role: 'baseline', features: F });
    expect(d.shipped!.sha256).toMatch(/^[0-9a-f]{64}$/);
  });
});

describe('measurement and cache', () => {
  const dir = join(root, 'models2');
  const data = join(root, 'data');
  writeTinyModels(dir);

  it('measures both models, writes the cache atomically, then reuses it', async () => {
    const first = await loadOrMeasureModelCost(dir, data, quick);
    expect(first.available).toBe(true);
    if (!first.available) return;
    expect(first.cached).toBe(false);
    for (const c of [first.cost.shipped, first.cost.baseline]) {
      expect(c.pixels).toBe(c.runs * 256);
      expect(c.cpuUsPerPixel).toBeCloseTo((c.cpuMs * 1000) / c.pixels, 9);
      expect(c.cpuUsPerPixel).toBeGreaterThan(0);
    }
    expect(first.cost.shipped.id).toBe('granary-mlp-ndvi-evi');
    expect(first.cost.baseline.id).toBe('rf-baseline');
    expect(existsSync(modelCostPath(data))).toBe(true);
    expect(readdirSync(join(data, 'cache')).filter((f) => f.endsWith('.tmp'))).toEqual([]);

    const second = await loadOrMeasureModelCost(dir, data, quick);
    expect(second.available && second.cached).toBe(true);
    if (second.available) expect(second.cost.measuredAt).toBe(first.cost.measuredAt);

    // a retrained model (different bytes) invalidates the cache
    writeFileSync(join(dir, 'granary-mlp-ndvi-evi.onnx'), mlpOnnx(F, 48, CLASSES.length));
    const third = await loadOrMeasureModelCost(dir, data, { ...quick, measure: false });
    expect(third.available).toBe(false);
    const fourth = await loadOrMeasureModelCost(dir, data, quick);
    expect(fourth.available && !fourth.cached).toBe(true);
    const cached = JSON.parse(readFileSync(modelCostPath(data), 'utf8')) as { key: string };
    if (fourth.available) expect(cached.key).toBe(fourth.cost.key);
  });

  it('synthetic rows are deterministic', () => {
    expect(syntheticRows(3, 4, true)).toEqual(syntheticRows(3, 4, true));
    expect(syntheticRows(2, 2, false).every((v) => v >= 0 && v < 1)).toBe(true);
  });
});
