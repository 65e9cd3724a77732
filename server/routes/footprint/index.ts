/**
 * GET /api/footprint: the service's own energy use and emissions since start, how they are
 * estimated, and the model trade-off (energy per km2 of the shipped MLP vs the random-forest
 * baseline, from a measured per-pixel inference cost).
 * GET /api/footprint/maps/:sceneId/:modelId: the footprint a crop-map job wrote into its sidecar,
 * with the dashboard's note ("this map: X Wh, Y g CO2e").
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { CODECARBON, cpuWattsPerCoreFromTdp, joulesPerCpuSecond } from '../../footprint/energy-model.js';
import { INTENSITY_TABLE, WORLD_FALLBACK } from '../../footprint/carbon-intensity.js';
import { loadOrMeasureModelCost, tradeOffRow, type ModelCostOutcome } from '../../footprint/model-cost.js';
import { dashboardNote, METHOD_NOTE, type FootprintMetadata } from '../../footprint/metadata.js';
import { notFound } from '../../errors.js';
import { problemResponses } from '../../contract/common.js';
import { MapFootprint, MapFootprintParams, MapFootprints, ServiceFootprint } from '../../contract/service.js';
import type { Scene } from '../../catalog/scene.js';

/** MODIS 250 m product grid cell (231.656 m), used when no projected scene is registered. */
const MODIS_PIXEL_KM2 = (231.656 * 231.656) / 1e6;

const UNCERTAINTY = [
  'Absolute figures are estimates good to about a factor of 2; comparisons on the same machine (kinds of work, models, cache on/off) are more reliable than the absolute values.',
  'CPU power without RAPL: 50 % of TDP per busy core is CodeCarbon\'s assumption; a fully busy core may draw from ~30 % to over 100 % of TDP/cores (turbo, frequency, SMT). Unknown TDP uses CodeCarbon\'s 4 W per core.',
  'With RAPL: package energy is shared by CPU capacity (CodeCarbon process mode), so idle package power is spread over all CPUs; charging it all to the CPU time that ran would give higher figures.',
  'CPU time: worker tasks report process.cpuUsage() deltas, which on Node 20 include every thread of the process running at the same time (measured: about x2 with two busy workers) unless the worker reports per-thread CPU (footprint/thread-cpu.ts threadCpuClock); main-thread CPU is shared equally among the requests open at the same time.',
  'Memory: 3 W per 8 GB of resident memory (CodeCarbon v2 heuristic), within roughly +-50 %; DRAM power depends on modules, not only on size.',
  'Not counted: idle power while no work runs, network, storage, the client, and embodied (manufacturing) emissions.',
  'Carbon intensity: an annual, generation-based average (lifecycle factors) of one year; hourly and marginal intensities differ, Brazil\'s 2021 value reflects a drought year.',
];

function pixelAreaKm2(scenes: Scene[]): { km2: number; basis: string } {
  const projected = scenes.filter((s) => !s.crs.geographic);
  const pick = projected.find((s) => s.id === 'sinop') ?? projected[0];
  if (pick) {
    const g = pick.grid.geotransform;
    const m2 = Math.abs(g[1] * g[5] - g[2] * g[4]);
    if (m2 > 0) return { km2: m2 / 1e6, basis: `pixel of scene "${pick.id}" (${Math.sqrt(m2).toFixed(3)} m${/\+proj=sinu/.test(pick.crs.proj4) ? ', sinusoidal equal-area grid' : ''})` };
  }
  return { km2: MODIS_PIXEL_KM2, basis: 'MODIS 250 m grid cell (231.656 m), no projected scene registered' };
}

export default (async function footprintRoutes(app) {
  let costMemo: { at: number; p: Promise<ModelCostOutcome> } | null = null;
  const modelCost = (): Promise<ModelCostOutcome> => {
    const now = Date.now();
    if (!costMemo || now - costMemo.at > 30_000) {
      const p = loadOrMeasureModelCost(app.config.modelsDir, app.config.dataDir).catch((e: Error): ModelCostOutcome => ({ available: false, reason: `measuring the models failed: ${e.message}` }));
      costMemo = { at: now, p };
    }
    return costMemo.p;
  };

  app.get('/api/footprint', {
    schema: {
      tags: ['service'],
      summary: "The service's own footprint: energy (Wh) and emissions (g CO2e) since start by kind of work, per 1,000 tiles, per km2 mapped, per crop-map job; the method, its assumptions and sources; the shipped model vs the random-forest baseline per km2",
      response: { 200: ServiceFootprint, ...problemResponses },
    },
  }, async () => {
    const fp = app.footprint;
    const model = fp.model();
    const s = fp.settings;
    const figures = fp.figures();
    const unattributed = fp.unattributed();
    const tdpW = s.cpuTdpW ?? CODECARBON.defaultTdpPerCoreW * fp.tdpCores;
    const jPerCpuS = joulesPerCpuSecond(model);

    const cost = await modelCost();
    let tradeOff: Record<string, unknown>;
    if (!cost.available) {
      tradeOff = { available: false, reason: cost.reason };
    } else {
      const area = pixelAreaKm2(await app.catalog.list().catch(() => []));
      const shipped = tradeOffRow(cost.cost.shipped, area.km2, jPerCpuS, fp.intensity.gPerKWh);
      const baseline = tradeOffRow(cost.cost.baseline, area.km2, jPerCpuS, fp.intensity.gPerKWh);
      tradeOff = {
        available: true,
        what: 'inference only (onnxruntime session.run) per km2 classified; reading imagery and assembling features cost the same for both models and are not included',
        pixelAreaKm2: area.km2,
        pixelAreaBasis: area.basis,
        joulesPerCpuSecond: jPerCpuS,
        models: [shipped, baseline],
        shippedOverBaseline: baseline.whPerKm2 > 0 ? shipped.whPerKm2 / baseline.whPerKm2 : null,
        measurement: { measuredAt: cost.cost.measuredAt, cached: cost.cached, onnxruntime: cost.cost.onnxruntime, cpuModel: cost.cost.cpuModel, method: cost.cost.method, runs: [cost.cost.shipped, cost.cost.baseline].map((c) => ({ id: c.id, batch: c.batch, runs: c.runs, pixels: c.pixels, cpuMs: c.cpuMs, wallMs: c.wallMs })) },
        note: 'accuracy on held-out data is in each model card (GET /api/models): weigh the energy against it',
      };
    }

    return {
      since: fp.startedAt.toISOString(),
      uptimeS: process.uptime(),
      method: {
        summary: METHOD_NOTE,
        energy: model.cpuSource === 'rapl'
          ? 'CPU: RAPL package energy (intel-rapl:<n>/energy_uj, wrap-around handled) shared by CPU capacity, i.e. the machine\'s average package W per CPU charged per CPU-second of the service'
          : `CPU: TDP x ${CODECARBON.tdpFraction * 100} % / ${fp.tdpCores} logical CPUs per busy CPU-second (no readable RAPL counter: ${fp.rapl.reason ?? 'no window yet'})`,
        cpuTime: `worker threads: CPU ms reported by each pool task; main thread: per-thread CPU (${fp.clock.source}) split equally among the requests open at the same time`,
        formula: 'energy [J] = CPU s x (W per busy CPU + memory W / CPUs) x PUE; CO2e [g] = energy [kWh] x intensity [g/kWh]',
      },
      assumptions: {
        cpu: {
          source: model.cpuSource,
          wattsPerBusyCpu: model.cpuWattsPerCore,
          tdpW,
          tdpConfigured: s.cpuTdpW !== null,
          tdpCores: fp.tdpCores,
          tdpFraction: CODECARBON.tdpFraction,
          tdpEstimateWattsPerCpu: cpuWattsPerCoreFromTdp({ tdpW: s.cpuTdpW, tdpCores: fp.tdpCores }),
          sources: [CODECARBON.tdpFractionSource, ...(s.cpuTdpW === null ? [CODECARBON.defaultTdpSource] : ['GRANARY_CPU_TDP_W (operator supplied)'])],
          rapl: { available: fp.rapl.available, dir: s.raplDir, packages: fp.rapl.packages.map((p) => p.name), reason: fp.rapl.reason, measuredJoules: fp.rapl.totalJoules, measuredSeconds: fp.rapl.totalSeconds },
        },
        memory: { watts: model.memoryWatts, wattsPerGb: CODECARBON.memoryWattsPerGb, basis: 'resident set size of the service process', source: CODECARBON.memorySource },
        cpus: model.cores,
        pue: { value: s.pue, source: s.pue === CODECARBON.pue ? CODECARBON.pueSource : `GRANARY_PUE (operator supplied); ${CODECARBON.pueSource}` },
        carbonIntensity: { ...fp.intensity, table: INTENSITY_TABLE, worldFallback: WORLD_FALLBACK },
        joulesPerCpuSecond: jPerCpuS,
      },
      uncertainty: UNCERTAINTY,
      totals: {
        attributed: figures.total,
        byKind: figures.byKind,
        unattributed,
        service: {
          cpuMs: figures.total.cpuMs + unattributed.cpuMs,
          joules: figures.total.joules + unattributed.joules,
          wh: figures.total.wh + unattributed.wh,
          gCo2e: figures.total.gCo2e + unattributed.gCo2e,
        },
        reconciliation: (() => {
          const processCpuMs = fp.processCpuMs();
          const process = fp.estimate(processCpuMs);
          return {
            processCpuMs,
            processWh: process.wh,
            processGCo2e: process.gCo2e,
            mainThreadCpuMs: fp.ledger.totalMs,
            workerCpuReportedMs: fp.workerCpuReportedMs,
            workerCpuOvercounted: fp.workerCpuReportedMs > processCpuMs - fp.ledger.totalMs,
            note: 'processCpuMs: every thread of the process since the recorder started (process.cpuUsage), including libuv, image-codec and GC threads and worker start-up that no request owns. Worker CPU reported above (processCpuMs - mainThreadCpuMs) means the tasks counted other threads\' CPU (see uncertainty)',
          };
        })(),
      },
      perThousandTiles: figures.perThousandTiles,
      perThousandRenderedTiles: figures.perThousandRenderedTiles,
      perKm2Mapped: figures.perKm2Mapped,
      perCropMapJob: figures.perCropMapJob,
      tradeOff,
      configure: 'GRANARY_PUE, GRANARY_CARBON_INTENSITY (g CO2e/kWh) or GRANARY_GRID_COUNTRY (ISO alpha-3), GRANARY_CPU_TDP_W and GRANARY_CPU_TDP_CORES, GRANARY_RAPL_DIR; see docs/footprint.md',
    };
  });

  app.get('/api/footprint/maps', {
    schema: { tags: ['service'], summary: 'The footprint recorded by every crop-map job (from the sidecars), with the dashboard notes', response: { 200: MapFootprints } },
  }, async () => {
    const dir = join(app.config.dataDir, 'cropmaps');
    const files = (await readdir(dir).catch(() => [] as string[])).filter((f) => /^[A-Za-z0-9][A-Za-z0-9_-]*__[A-Za-z0-9][A-Za-z0-9_.-]*\.json$/.test(f));
    const maps = [];
    for (const f of files.sort()) {
      try {
        const sidecar = JSON.parse(await readFile(join(dir, f), 'utf8')) as { footprint?: FootprintMetadata; sceneId?: string; modelId?: string };
        const fp = sidecar.footprint;
        if (!fp || typeof fp.energyWh !== 'number' || typeof fp.co2eGrams !== 'number') continue;
        const [sceneId, modelId] = f.replace(/\.json$/, '').split('__') as [string, string];
        maps.push({ sceneId, modelId, footprint: fp, note: dashboardNote(fp) });
      } catch {
        /* not a crop-map sidecar */
      }
    }
    return { maps };
  });

  app.get('/api/footprint/maps/:sceneId/:modelId', {
    schema: {
      tags: ['service'],
      summary: 'The footprint recorded by the crop-map job for one map (from its sidecar), with the dashboard note',
      params: MapFootprintParams,
      response: { 200: MapFootprint, ...problemResponses },
    },
  }, async (req) => {
    const { sceneId, modelId } = req.params;
    const file = join(app.config.dataDir, 'cropmaps', `${sceneId}__${modelId}.json`);
    let sidecar: { footprint?: FootprintMetadata };
    try {
      sidecar = JSON.parse(await readFile(file, 'utf8')) as { footprint?: FootprintMetadata };
    } catch {
      throw notFound(`no crop map ${sceneId}__${modelId}`);
    }
    const f = sidecar.footprint;
    if (!f || typeof f.energyWh !== 'number' || typeof f.co2eGrams !== 'number') throw notFound(`the crop map ${sceneId}__${modelId} has no recorded footprint (maps made before footprint accounting)`);
    return { sceneId, modelId, footprint: f, note: dashboardNote(f) };
  });
}) satisfies FastifyPluginAsyncTypebox;
