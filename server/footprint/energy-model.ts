/**
 * The energy model (pure): CPU time -> joules -> Wh -> g CO2e, CodeCarbon's method transposed to
 * CPU-time accounting.
 *
 *   energy [J] = CPU seconds x (W per busy core + memory W per core) x PUE
 *   CO2e [g]   = energy [kWh] x grid carbon intensity [g CO2e / kWh]
 *
 * W per busy core, without a power counter: the CPU's TDP x 50 % / the logical CPUs the TDP covers
 * (CodeCarbon's constant-mode assumption: "50 % of the TDP will be the average power consumption",
 * docs/explanation/methodology.md, "CPU metrics priority"). TDP unknown: CodeCarbon's default of
 * 4 W per core (`DEFAULT_POWER_PER_CORE`, codecarbon/core/cpu.py).
 * With RAPL, the W per busy core is measured instead (see rapl.ts) and the 50 % rule is not used.
 *
 * Memory: CodeCarbon v2's 3 W per 8 GB (0.375 W/GB; source it cites: Crucial, "How much power does
 * memory use?"), applied to the service's resident set as CodeCarbon's process mode does, and
 * charged per CPU-second as 1/cores of it: when every core is busy, one wall second is `cores`
 * CPU-seconds and the service's memory power is charged once. (CodeCarbon v3 switched to 5 W per
 * DIMM for the whole machine; that needs the DIMM count, which a service cannot read without root,
 * and it describes the machine rather than this process.)
 *
 * PUE multiplies everything (CodeCarbon's default 1.0; Carbontracker's 1.58).
 */

/** Constants and the sources they come from (reported by GET /api/footprint). */
export const CODECARBON = {
  /** share of TDP assumed as the average power of a busy CPU */
  tdpFraction: 0.5,
  tdpFractionSource: 'CodeCarbon methodology ("CPU metrics priority"): without RAPL/EMI/powermetrics, 50 % of the CPU TDP is assumed as its average power',
  /** W of TDP per core when the processor's TDP is unknown */
  defaultTdpPerCoreW: 4,
  defaultTdpSource: 'CodeCarbon codecarbon/core/cpu.py DEFAULT_POWER_PER_CORE = 4 W per core when the CPU model is not in its TDP table',
  /** memory W per GB of resident memory (3 W per 8 GB) */
  memoryWattsPerGb: 3 / 8,
  memorySource: 'CodeCarbon v2 RAM model, 3 W per 8 GB (CodeCarbon methodology, "RAM"; its source: Crucial, "How much power does memory use?"), applied to the service resident set size',
  pue: 1.0,
  pueSource: 'CodeCarbon default PUE 1.0 (on-premise / unknown); Carbontracker uses 1.58 (Uptime Institute 2020 survey average)',
} as const;

const JOULES_PER_WH = 3600;
const JOULES_PER_KWH = 3_600_000;

interface CpuPowerInput {
  /** whole-package TDP in W (null = unknown: CodeCarbon's 4 W per core) */
  tdpW: number | null;
  /** logical CPUs the TDP is shared by (default: the CPUs this process sees) */
  tdpCores: number;
}

export interface EnergyModel {
  /** W drawn by one busy logical CPU */
  cpuWattsPerCore: number;
  /** how cpuWattsPerCore was obtained */
  cpuSource: 'tdp-estimate' | 'rapl';
  /** memory W of the service (resident set x W/GB) */
  memoryWatts: number;
  /** logical CPUs the memory power is spread over per CPU-second */
  cores: number;
  pue: number;
}

/** W per busy logical CPU from the TDP: TDP x 50 % / cores (CodeCarbon's constant-mode assumption). */
export function cpuWattsPerCoreFromTdp(p: CpuPowerInput): number {
  if (!(p.tdpCores >= 1)) throw new RangeError(`tdpCores must be >= 1, got ${p.tdpCores}`);
  const tdp = p.tdpW ?? CODECARBON.defaultTdpPerCoreW * p.tdpCores;
  if (!(tdp > 0)) throw new RangeError(`TDP must be > 0 W, got ${tdp}`);
  return (tdp * CODECARBON.tdpFraction) / p.tdpCores;
}

/** Memory power of `bytes` of resident memory (W), CodeCarbon v2's 3 W per 8 GB. */
export function memoryWatts(bytes: number): number {
  return (Math.max(0, bytes) / 1024 ** 3) * CODECARBON.memoryWattsPerGb;
}

/** Joules per CPU-second, PUE included. */
export function joulesPerCpuSecond(m: EnergyModel): number {
  return (m.cpuWattsPerCore + m.memoryWatts / Math.max(1, m.cores)) * m.pue;
}

/** Energy of `cpuMs` milliseconds of CPU time under the model (J). */
export function joulesForCpuMs(cpuMs: number, m: EnergyModel): number {
  return (Math.max(0, cpuMs) / 1000) * joulesPerCpuSecond(m);
}

export const joulesToWh = (j: number) => j / JOULES_PER_WH;
export const joulesToMWh = (j: number) => (j / JOULES_PER_WH) * 1000;
const joulesToKWh = (j: number) => j / JOULES_PER_KWH;

/** g CO2e of `joules` at `gPerKWh`. */
export function gramsCo2e(joules: number, gPerKWh: number): number {
  return joulesToKWh(joules) * gPerKWh;
}
