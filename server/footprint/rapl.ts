/**
 * RAPL (Running Average Power Limit) package energy counters, read from the Linux powercap tree:
 * `<dir>/intel-rapl:<n>/energy_uj` (AMD processors use the same `intel-rapl` names since Linux 5.8).
 *
 * - Only package domains are read (`intel-rapl:<n>`, name `package-<n>`): the sub-domains
 *   (`intel-rapl:<n>:<m>`: core, uncore, dram) are parts of the package or DRAM, and `psys` covers
 *   the platform; summing them would count energy twice. DRAM is left to the memory heuristic, as
 *   CodeCarbon does by default.
 * - `energy_uj` is a monotonic counter of micro-joules that wraps to 0 after `max_energy_range_uj`;
 *   a reading lower than the previous one is a wrap: delta = (max - previous) + current.
 * - Apportioning (CodeCarbon's "process" tracking mode): the machine's package energy over a
 *   window is shared by CPU capacity, so one CPU-second of this service is charged
 *   package energy / (machine CPUs x window seconds), i.e. the machine's average package power per
 *   CPU. Idle power is thereby spread over all CPUs, busy or not (the alternative, charging all
 *   package energy to the CPU time that ran, is an upper bound and is not used).
 * - Since Linux 5.10 energy_uj is readable by root only (CVE-2020-8694); when it cannot be read
 *   the service falls back to the TDP estimate and says why.
 */
import { existsSync, readdirSync, readFileSync, realpathSync } from 'node:fs';
import { join } from 'node:path';

interface RaplPackage {
  /** directory name, e.g. intel-rapl:0 */
  id: string;
  /** the domain name file's content, e.g. package-0 */
  name: string;
  energyPath: string;
  maxRangeUj: number;
}

interface RaplDiscovery {
  packages: RaplPackage[];
  /** why RAPL is not usable (null when it is) */
  reason: string | null;
}

const PACKAGE_DIR = /^intel-rapl:\d+$/;

/** Micro-joules consumed between two readings of a counter that wraps after maxRangeUj. */
export function counterDeltaUj(previous: number, current: number, maxRangeUj: number): number {
  if (current >= previous) return current - previous;
  return maxRangeUj - previous + current;
}

function readNumber(path: string): number {
  const n = Number(readFileSync(path, 'latin1').trim());
  if (!Number.isFinite(n)) throw new Error(`${path} does not hold a number`);
  return n;
}

/** Finds the package domains under a powercap directory (default /sys/class/powercap). */
export function discoverRapl(dir: string): RaplDiscovery {
  if (!existsSync(dir)) return { packages: [], reason: `${dir} does not exist (no powercap support exposed to this machine or container)` };
  const candidates: string[] = [];
  const scan = (d: string) => {
    try {
      for (const e of readdirSync(d)) if (PACKAGE_DIR.test(e)) candidates.push(join(d, e));
    } catch {
      /* unreadable directory: no candidates from it */
    }
  };
  scan(dir);
  if (candidates.length === 0) scan(join(dir, 'intel-rapl'));
  if (candidates.length === 0) return { packages: [], reason: `no intel-rapl:<n> package domain under ${dir}` };
  const seen = new Set<string>();
  const packages: RaplPackage[] = [];
  let firstError: string | null = null;
  for (const c of candidates.sort()) {
    let real = c;
    try {
      real = realpathSync(c);
    } catch {
      /* keep the path as listed */
    }
    if (seen.has(real)) continue;
    seen.add(real);
    let name = '';
    try {
      name = readFileSync(join(c, 'name'), 'latin1').trim();
    } catch {
      name = '';
    }
    if (name && !name.startsWith('package')) continue; // psys, dram: not a package domain
    const energyPath = join(c, 'energy_uj');
    try {
      readNumber(energyPath);
      const maxRangeUj = readNumber(join(c, 'max_energy_range_uj'));
      packages.push({ id: c.split('/').pop()!, name: name || 'package', energyPath, maxRangeUj });
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      firstError ??= code === 'EACCES' || code === 'EPERM'
        ? `${energyPath} is not readable by this user (root only since Linux 5.10; grant read access, e.g. chmod a+r, to measure)`
        : `${energyPath}: ${(e as Error).message}`;
    }
  }
  if (packages.length === 0) return { packages, reason: firstError ?? `no package domain under ${dir}` };
  return { packages, reason: null };
}

interface RaplWindow {
  /** package energy over the window, J */
  joules: number;
  seconds: number;
  /** average package power over the window, W */
  watts: number;
  /** average package power per machine CPU, W: the charge of one CPU-second */
  wattsPerCpu: number;
}

interface RaplMeterOptions {
  /** CPUs the package counters cover (the machine's, not the container's) */
  machineCpus: number;
  /** a new window is started at most this often (ms) */
  minWindowMs?: number;
  /** monotonic clock in ms (tests inject one) */
  now?: () => number;
}

/**
 * Samples the package counters lazily (at most once per minWindowMs) and keeps the latest complete
 * window's W per CPU, plus the energy counted since start.
 */
export class RaplMeter {
  readonly packages: RaplPackage[];
  readonly reason: string | null;
  private readonly now: () => number;
  private readonly minWindowMs: number;
  private last: { t: number; uj: number[] } | null = null;
  private window: RaplWindow | null = null;
  /** package energy counted since the first sample, J */
  totalJoules = 0;
  totalSeconds = 0;
  failures = 0;

  constructor(dir: string, private readonly opts: RaplMeterOptions) {
    const d = discoverRapl(dir);
    this.packages = d.packages;
    this.reason = d.reason;
    this.now = opts.now ?? (() => performance.now());
    this.minWindowMs = opts.minWindowMs ?? 1000;
    if (this.available) this.sample();
  }

  get available(): boolean {
    return this.packages.length > 0;
  }

  private read(): number[] | null {
    try {
      return this.packages.map((p) => readNumber(p.energyPath));
    } catch {
      this.failures++;
      return null;
    }
  }

  /** Takes a sample if the current window is long enough; returns the latest complete window. */
  sample(): RaplWindow | null {
    if (!this.available) return null;
    const t = this.now();
    if (this.last && t - this.last.t < this.minWindowMs) return this.window;
    const uj = this.read();
    if (!uj) return this.window;
    if (this.last) {
      let total = 0;
      this.packages.forEach((p, i) => (total += counterDeltaUj(this.last!.uj[i]!, uj[i]!, p.maxRangeUj)));
      const seconds = (t - this.last.t) / 1000;
      const joules = total / 1e6;
      this.totalJoules += joules;
      this.totalSeconds += seconds;
      this.window = { joules, seconds, watts: joules / seconds, wattsPerCpu: joules / seconds / Math.max(1, this.opts.machineCpus) };
    }
    this.last = { t, uj };
    return this.window;
  }

  /** W charged per CPU-second from the latest window (null before the first complete window). */
  wattsPerCpu(): number | null {
    return this.sample()?.wattsPerCpu ?? null;
  }
}
