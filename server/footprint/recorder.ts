/**
 * The footprint recorder: one per process (the server decorates `app.footprint` with it; the CLI
 * can make its own). It turns CPU time into energy and CO2e with the current model, keeps the
 * totals by kind, and attributes main-thread CPU through the ledger.
 *
 *   const fp = createFootprintRecorder(config);
 *   const { result, footprint } = await fp.track('crop-map', async (job) => { ...; job.km2 = 123.4; return map; });
 *   footprintStacProperties(footprint, fp)   // -> STAC Item properties / COG metadata (metadata.ts)
 */
import { availableParallelism, cpus } from 'node:os';
import { cpuAccounting, type CpuAccount } from '../workers/pool.js';
import { CODECARBON, cpuWattsPerCoreFromTdp, gramsCo2e, joulesForCpuMs, joulesPerCpuSecond, joulesToMWh, joulesToWh, memoryWatts, type EnergyModel } from './energy-model.js';
import { resolveIntensity, type ResolvedIntensity } from './carbon-intensity.js';
import { RaplMeter } from './rapl.js';
import { MainThreadLedger, type LedgerEntry } from './ledger.js';
import { threadCpuClock, type ThreadCpuClock } from './thread-cpu.js';
import { FootprintTotals, type FootprintEntry, type FootprintFigures } from './summary.js';

export interface FootprintSettings {
  pue: number;
  /** g CO2e/kWh; null = from gridCountry */
  carbonIntensity: number | null;
  gridCountry: string;
  /** package TDP in W; null = CodeCarbon's 4 W per core */
  cpuTdpW: number | null;
  /** logical CPUs the TDP covers; null = the CPUs this process sees */
  cpuTdpCores: number | null;
  /** powercap directory holding intel-rapl:<n> */
  raplDir: string;
}

const DEFAULT_FOOTPRINT_SETTINGS: FootprintSettings = { pue: CODECARBON.pue, carbonIntensity: null, gridCountry: 'BRA', cpuTdpW: null, cpuTdpCores: null, raplDir: '/sys/class/powercap' };

interface RecorderOptions {
  /** main-thread CPU clock (default: this thread's schedstat) */
  clock?: ThreadCpuClock;
  /** resident memory in bytes (default: process.memoryUsage.rss, sampled at most every 5 s) */
  rssBytes?: () => number;
  /** CPUs visible to the service (default: availableParallelism) */
  cores?: number;
  /** CPUs the RAPL packages cover (default: os.cpus().length) */
  machineCpus?: number;
  /** injected RAPL meter (tests) */
  rapl?: RaplMeter;
}

interface RecordInput {
  kind: string;
  workerCpuMs?: number;
  mainCpuMs?: number;
  tiles?: number;
  renderedTiles?: number;
  km2?: number;
  job?: boolean;
}

export interface RecordedFootprint extends FootprintEntry {
  cpuMs: number;
  wh: number;
  mWh: number;
  mgCo2e: number;
  /** the J per CPU-second used */
  joulesPerCpuSecond: number;
  energySource: EnergyModel['cpuSource'];
}

interface JobHandle {
  /** set by the job: km2 it mapped */
  km2?: number;
  /** set by the job: tiles it produced, if any */
  tiles?: number;
}

export class FootprintRecorder {
  readonly settings: FootprintSettings;
  readonly intensity: ResolvedIntensity;
  readonly rapl: RaplMeter;
  readonly ledger: MainThreadLedger;
  readonly clock: ThreadCpuClock;
  readonly cores: number;
  readonly tdpCores: number;
  readonly startedAt = new Date();
  private readonly totals = new FootprintTotals();
  private readonly listeners: Array<(r: RecordedFootprint) => void> = [];
  private readonly rssBytes: () => number;
  private readonly processCpu0 = process.cpuUsage();
  /** worker CPU reported by the pool for every task (attributed or not) */
  workerCpuReportedMs = 0;

  constructor(settings: Partial<FootprintSettings> = {}, opts: RecorderOptions = {}) {
    this.settings = { ...DEFAULT_FOOTPRINT_SETTINGS, ...settings };
    if (!(this.settings.pue >= 1)) throw new RangeError(`PUE must be >= 1, got ${this.settings.pue}`);
    this.intensity = resolveIntensity(this.settings.carbonIntensity, this.settings.gridCountry);
    this.cores = opts.cores ?? availableParallelism();
    this.tdpCores = this.settings.cpuTdpCores ?? this.cores;
    cpuWattsPerCoreFromTdp({ tdpW: this.settings.cpuTdpW, tdpCores: this.tdpCores }); // validates
    this.rapl = opts.rapl ?? new RaplMeter(this.settings.raplDir, { machineCpus: opts.machineCpus ?? Math.max(1, cpus().length) });
    this.clock = opts.clock ?? threadCpuClock();
    this.ledger = new MainThreadLedger(() => this.clock.ms());
    if (opts.rssBytes) this.rssBytes = opts.rssBytes;
    else {
      let at = -Infinity;
      let rss = 0;
      this.rssBytes = () => {
        const now = performance.now();
        if (now - at > 5000) {
          rss = process.memoryUsage.rss();
          at = now;
        }
        return rss;
      };
    }
  }

  /** The energy model now: RAPL-measured W per CPU when a window exists, else the TDP estimate. */
  model(): EnergyModel {
    const measured = this.rapl.available ? this.rapl.wattsPerCpu() : null;
    return {
      cpuWattsPerCore: measured ?? cpuWattsPerCoreFromTdp({ tdpW: this.settings.cpuTdpW, tdpCores: this.tdpCores }),
      cpuSource: measured !== null ? 'rapl' : 'tdp-estimate',
      memoryWatts: memoryWatts(this.rssBytes()),
      cores: this.cores,
      pue: this.settings.pue,
    };
  }

  /** Energy and CO2e of `cpuMs` under the current model, not recorded. */
  estimate(cpuMs: number): { joules: number; wh: number; mWh: number; gCo2e: number } {
    const joules = joulesForCpuMs(cpuMs, this.model());
    return { joules, wh: joulesToWh(joules), mWh: joulesToMWh(joules), gCo2e: gramsCo2e(joules, this.intensity.gPerKWh) };
  }

  record(input: RecordInput): RecordedFootprint {
    const workerCpuMs = Math.max(0, input.workerCpuMs ?? 0);
    const mainCpuMs = Math.max(0, input.mainCpuMs ?? 0);
    const model = this.model();
    const cpuMs = workerCpuMs + mainCpuMs;
    const joules = joulesForCpuMs(cpuMs, model);
    const g = gramsCo2e(joules, this.intensity.gPerKWh);
    const entry: RecordedFootprint = {
      kind: input.kind,
      workerCpuMs,
      mainCpuMs,
      cpuMs,
      joules,
      gCo2e: g,
      wh: joulesToWh(joules),
      mWh: joulesToMWh(joules),
      mgCo2e: g * 1000,
      joulesPerCpuSecond: joulesPerCpuSecond(model),
      energySource: model.cpuSource,
      ...(input.tiles !== undefined ? { tiles: input.tiles } : {}),
      ...(input.renderedTiles !== undefined ? { renderedTiles: input.renderedTiles } : {}),
      ...(input.km2 !== undefined ? { km2: input.km2 } : {}),
      ...(input.job ? { job: true } : {}),
    };
    this.totals.add(entry);
    for (const l of this.listeners) l(entry);
    return entry;
  }

  onRecord(listener: (r: RecordedFootprint) => void): void {
    this.listeners.push(listener);
  }

  /** Opens a main-thread ledger entry (the plugin does this per request). */
  open(): LedgerEntry {
    return this.ledger.open();
  }

  /**
   * Runs a job inside its own CPU account and ledger entry and records it: worker CPU of the pool
   * tasks it starts, plus its share of main-thread CPU. The job sets `km2` (and `tiles`) on the handle.
   */
  async track<T>(kind: string, fn: (job: JobHandle) => Promise<T>): Promise<{ result: T; footprint: RecordedFootprint }> {
    const account: CpuAccount = { cpuMs: 0, byKind: {} };
    const entry = this.ledger.open();
    const job: JobHandle = {};
    try {
      const result = await cpuAccounting.run(account, () => fn(job));
      const footprint = this.record({ kind, workerCpuMs: account.cpuMs, mainCpuMs: this.ledger.close(entry), km2: job.km2, tiles: job.tiles, job: true });
      return { result, footprint };
    } catch (e) {
      this.record({ kind, workerCpuMs: account.cpuMs, mainCpuMs: this.ledger.close(entry), job: false });
      throw e;
    }
  }

  figures(): FootprintFigures {
    return this.totals.figures();
  }

  /** CPU not attributed to any request or job (main-thread gaps; pool tasks outside any account). */
  unattributed(): { mainCpuMs: number; workerCpuMs: number; cpuMs: number; joules: number; wh: number; gCo2e: number } {
    this.ledger.checkpoint();
    const f = this.totals.figures();
    const mainCpuMs = this.ledger.unattributedMs;
    const workerCpuMs = Math.max(0, this.workerCpuReportedMs - f.total.workerCpuMs);
    const e = this.estimate(mainCpuMs + workerCpuMs);
    return { mainCpuMs, workerCpuMs, cpuMs: mainCpuMs + workerCpuMs, joules: e.joules, wh: e.wh, gCo2e: e.gCo2e };
  }

  /** Process CPU since the recorder started (all threads, from process.cpuUsage). */
  processCpuMs(): number {
    const c = process.cpuUsage(this.processCpu0);
    return (c.user + c.system) / 1000;
  }

  close(): void {
    this.clock.close();
  }
}

/** Settings from the service configuration (fields added to Config by the footprint issue). */
export function footprintSettingsFrom(config: Partial<FootprintSettings>): FootprintSettings {
  const s = { ...DEFAULT_FOOTPRINT_SETTINGS };
  for (const k of Object.keys(DEFAULT_FOOTPRINT_SETTINGS) as Array<keyof FootprintSettings>) {
    if (config[k] !== undefined) (s as Record<string, unknown>)[k] = config[k];
  }
  return s;
}

export function createFootprintRecorder(config: Partial<FootprintSettings>, opts: RecorderOptions = {}): FootprintRecorder {
  return new FootprintRecorder(footprintSettingsFrom(config), opts);
}
