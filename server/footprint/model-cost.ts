/**
 * Measured inference cost per pixel of the shipped crop model and of the random-forest baseline,
 * and the trade-off figure built from it: energy and CO2e per km2 classified.
 *
 *   node --import tsx server/footprint/model-cost.ts [--force]     # measure, cache, print JSON
 *
 * Method: each ONNX model runs in onnxruntime-node (cpu execution provider, 1 intra-op thread,
 * graph optimisation 'all', as the tile workers run it) on a fixed batch of synthetic rows of the
 * card's width (standard-normal values, which is what a standardised input looks like; uniform
 * 0..1 for models without normalisation), after two warm-up runs, repeated until at least
 * `minCpuMs` of process CPU is spent. Cost per pixel = process CPU (user + system, all threads:
 * onnxruntime may use helper threads) / pixels. Only `session.run` is timed: reading the rasters
 * and assembling features costs the same for both models and is left out, so the ratio is the
 * inference trade-off, not the whole crop map's.
 *
 * The result is cached in `<dataDir>/cache/model-cost.json` (written to a temporary file, then
 * renamed) and keyed by both models' sha256, the onnxruntime version and the CPU model, so a
 * retrained model or another machine is measured again.
 */
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile, readdir } from 'node:fs/promises';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { mulberry32 } from '../../models/contract/prng.js';
import { writeFileAtomic } from '../util/atomic-write.js';
import { importModule } from '../util/import-module.js';

const SHIPPED_MODEL_ID = 'granary-mlp-ndvi-evi';

interface ModelFile {
  id: string;
  role: 'shipped' | 'baseline';
  title: string | null;
  cardPath: string;
  onnxPath: string;
  sha256: string;
  /** input width (variables x steps) */
  features: number;
  standardised: boolean;
}

interface ModelDiscovery {
  shipped: ModelFile | null;
  baseline: ModelFile | null;
  /** why the comparison cannot be made (null when both were found) */
  reason: string | null;
}

async function modelFile(dir: string, card: string, role: ModelFile['role']): Promise<ModelFile | null> {
  const onnxPath = join(dir, card.replace(/\.json$/, '.onnx'));
  if (!existsSync(onnxPath)) return null;
  const c = JSON.parse(await readFile(join(dir, card), 'utf8')) as Record<string, unknown>;
  const inputs = (c.inputs ?? {}) as { variables?: unknown; steps?: unknown; normalisation?: { type?: string }; normalization?: { type?: string } };
  const variables = Array.isArray(inputs.variables) ? inputs.variables.length : 0;
  const steps = typeof inputs.steps === 'number' ? inputs.steps : 0;
  if (!(variables > 0 && steps > 0)) throw new Error(`${join(dir, card)}: card.inputs.variables and card.inputs.steps are needed to know the input width`);
  const sha256 = createHash('sha256').update(await readFile(onnxPath)).digest('hex');
  const norm = inputs.normalisation ?? inputs.normalization;
  return {
    id: typeof c.id === 'string' ? c.id : card.replace(/\.json$/, ''),
    role,
    title: typeof c.title === 'string' ? c.title : null,
    cardPath: join(dir, card),
    onnxPath,
    sha256,
    features: variables * steps,
    standardised: norm?.type === 'standardize',
  };
}

async function cards(dir: string): Promise<string[]> {
  try {
    return (await readdir(dir)).filter((f) => f.endsWith('.json')).sort();
  } catch {
    return [];
  }
}

/** The shipped model (`granary-mlp-ndvi-evi`, else the first card with an .onnx) and the RF baseline under `baselines/`. */
export async function discoverModels(modelsDir: string): Promise<ModelDiscovery> {
  let shipped: ModelFile | null = null;
  const top = await cards(modelsDir);
  const ordered = [...top.filter((f) => f === `${SHIPPED_MODEL_ID}.json`), ...top.filter((f) => f !== `${SHIPPED_MODEL_ID}.json`)];
  for (const f of ordered) if (!shipped) shipped = await modelFile(modelsDir, f, 'shipped').catch(() => null);
  let baseline: ModelFile | null = null;
  const bdir = join(modelsDir, 'baselines');
  const base = await cards(bdir);
  // The baseline trained on the same inputs as the shipped model: granary-mlp-<vars> <-> granary-rf-<vars>.
  const twin = shipped ? `${shipped.id.replace(/mlp/, 'rf')}.json` : null;
  const preferred = [...base.filter((f) => f === twin), ...base.filter((f) => f !== twin && /rf|forest/i.test(f)), ...base.filter((f) => !/rf|forest/i.test(f))];
  for (const f of preferred) if (!baseline) baseline = await modelFile(bdir, f, 'baseline').catch(() => null);
  const missing = [!shipped && `no shipped model (<id>.json + <id>.onnx) in ${modelsDir}`, !baseline && `no random-forest baseline (<id>.json + <id>.onnx) in ${bdir}`].filter(Boolean);
  return { shipped, baseline, reason: missing.length ? `${missing.join('; ')}: the models are being trained; the comparison appears once both files exist` : null };
}

interface InferenceCost {
  id: string;
  role: ModelFile['role'];
  title: string | null;
  sha256: string;
  features: number;
  batch: number;
  runs: number;
  pixels: number;
  cpuMs: number;
  wallMs: number;
  /** process CPU microseconds per pixel classified */
  cpuUsPerPixel: number;
  wallUsPerPixel: number;
}


export function syntheticRows(n: number, features: number, standardised: boolean, seed = 42): Float32Array {
  const r = mulberry32(seed); // deterministic inputs, so both models see the same rows
  const x = new Float32Array(n * features);
  for (let i = 0; i < x.length; i++) {
    if (standardised) {
      const u = Math.max(r(), 1e-12);
      x[i] = Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * r());
    } else x[i] = r();
  }
  return x;
}

interface MeasureOptions {
  batch?: number;
  minCpuMs?: number;
  maxRuns?: number;
}

async function measureInferenceCost(m: ModelFile, opts: MeasureOptions = {}): Promise<InferenceCost> {
  const ort = await importModule<typeof import('onnxruntime-node')>('onnxruntime-node');
  const batch = opts.batch ?? 2048;
  const minCpuMs = opts.minCpuMs ?? 300;
  const maxRuns = opts.maxRuns ?? 200;
  const session = await ort.InferenceSession.create(m.onnxPath, { executionProviders: ['cpu'], intraOpNumThreads: 1, interOpNumThreads: 1, graphOptimizationLevel: 'all' });
  try {
    const name = session.inputNames[0]!;
    const x = syntheticRows(batch, m.features, m.standardised);
    const feed = () => ({ [name]: new ort.Tensor('float32', x, [batch, m.features]) });
    for (let i = 0; i < 2; i++) await session.run(feed());
    const c0 = process.cpuUsage();
    const w0 = performance.now();
    let runs = 0;
    let cpuMs = 0;
    while (runs < maxRuns) {
      await session.run(feed());
      runs++;
      const c = process.cpuUsage(c0);
      cpuMs = (c.user + c.system) / 1000;
      if (cpuMs >= minCpuMs) break;
    }
    const wallMs = performance.now() - w0;
    const pixels = runs * batch;
    return { id: m.id, role: m.role, title: m.title, sha256: m.sha256, features: m.features, batch, runs, pixels, cpuMs, wallMs, cpuUsPerPixel: (cpuMs * 1000) / pixels, wallUsPerPixel: (wallMs * 1000) / pixels };
  } finally {
    await session.release?.();
  }
}

export interface ModelCostCache {
  key: string;
  measuredAt: string;
  onnxruntime: string;
  cpuModel: string;
  method: string;
  shipped: InferenceCost;
  baseline: InferenceCost;
}

const MODEL_COST_METHOD = 'onnxruntime-node, cpu EP, 1 intra-op thread, graph optimisation all; synthetic rows of the card width; process CPU (user+system) per pixel over >= 300 ms after 2 warm-up runs; session.run only (feature reading excluded)';

async function ortVersion(): Promise<string> {
  try {
    const ort = await importModule<typeof import('onnxruntime-node')>('onnxruntime-node');
    return (ort.env as { versions?: { node?: string } }).versions?.node ?? 'unknown';
  } catch {
    return 'unavailable';
  }
}

const cacheKey = (shipped: ModelFile, baseline: ModelFile, ort: string, cpuModel: string) => `${shipped.sha256}|${baseline.sha256}|${ort}|${cpuModel}`;

export const modelCostPath = (dataDir: string) => join(dataDir, 'cache', 'model-cost.json');

async function writeAtomic(path: string, text: string): Promise<void> {
  await mkdir(join(path, '..'), { recursive: true });
  await writeFileAtomic(path, text);
}

export type ModelCostOutcome = { available: true; cost: ModelCostCache; cached: boolean } | { available: false; reason: string };

/** The cached measurement when it matches the current models; else measures (unless `measure` is false) and caches. */
export async function loadOrMeasureModelCost(modelsDir: string, dataDir: string, opts: { force?: boolean; measure?: boolean } & MeasureOptions = {}): Promise<ModelCostOutcome> {
  const found = await discoverModels(modelsDir);
  if (!found.shipped || !found.baseline) return { available: false, reason: found.reason ?? 'models not found' };
  const ort = await ortVersion();
  const cpuModel = cpus()[0]?.model ?? 'unknown';
  const key = cacheKey(found.shipped, found.baseline, ort, cpuModel);
  const path = modelCostPath(dataDir);
  if (!opts.force) {
    try {
      const cached = JSON.parse(await readFile(path, 'utf8')) as ModelCostCache;
      if (cached.key === key) return { available: true, cost: cached, cached: true };
    } catch {
      /* no cache or unreadable: measure */
    }
  }
  if (opts.measure === false) return { available: false, reason: `not measured yet for the current models: run node --import tsx server/footprint/model-cost.ts` };
  const shipped = await measureInferenceCost(found.shipped, opts);
  const baseline = await measureInferenceCost(found.baseline, opts);
  const cost: ModelCostCache = { key, measuredAt: new Date().toISOString(), onnxruntime: ort, cpuModel, method: MODEL_COST_METHOD, shipped, baseline };
  try {
    await writeAtomic(path, JSON.stringify(cost, null, 2) + '\n');
  } catch {
    /* read-only data directory: still answer, measure again next time */
  }
  return { available: true, cost, cached: false };
}

interface TradeOffRow {
  id: string;
  role: ModelFile['role'];
  title: string | null;
  cpuUsPerPixel: number;
  cpuSecondsPerKm2: number;
  whPerKm2: number;
  gCo2ePerKm2: number;
}

/** Energy and CO2e per km2 classified from a per-pixel cost (pure). */
export function tradeOffRow(c: Pick<InferenceCost, 'id' | 'role' | 'title' | 'cpuUsPerPixel'>, pixelAreaKm2: number, joulesPerCpuSecond: number, gPerKWh: number): TradeOffRow {
  const cpuSecondsPerKm2 = (c.cpuUsPerPixel / 1e6) * (1 / pixelAreaKm2);
  const joules = cpuSecondsPerKm2 * joulesPerCpuSecond;
  return { id: c.id, role: c.role, title: c.title, cpuUsPerPixel: c.cpuUsPerPixel, cpuSecondsPerKm2, whPerKm2: joules / 3600, gCo2ePerKm2: (joules / 3.6e6) * gPerKWh };
}

// Script entry: measure (or reuse the cache) for the configured models and data directory.
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  void (async () => {
    const { loadConfig } = await import('../config.js');
    const config = loadConfig();
    const out = await loadOrMeasureModelCost(config.modelsDir, config.dataDir, { force: process.argv.includes('--force') });
    process.stdout.write(JSON.stringify(out, null, 2) + '\n');
  })();
}
