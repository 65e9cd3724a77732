/**
 * The Server-Timing header (W3C Server Timing) carrying a response's footprint:
 *
 *   Server-Timing: cpu;dur=12.3;desc="worker+main CPU", energy;desc="0.0123 mWh", co2e;desc="0.00195 mg CO2e"
 *
 * `dur` is the CPU time in ms (not wall time); energy and CO2e ride in `desc`, which is the only
 * free-text parameter browsers show.
 */

/** A number with 6 significant digits, as short as possible. */
export const sig = (x: number, digits = 6): string => (x === 0 ? '0' : String(Number(x.toPrecision(digits))));

export function formatServerTiming(f: { cpuMs: number; mWh: number; mgCo2e: number }): string {
  return `cpu;dur=${sig(f.cpuMs)};desc="worker+main CPU", energy;desc="${sig(f.mWh)} mWh", co2e;desc="${sig(f.mgCo2e)} mg CO2e"`;
}

interface ServerTimingMetric {
  name: string;
  dur?: number;
  desc?: string;
}

/** Parses a Server-Timing header value (metrics separated by commas, params by semicolons). */
export function parseServerTiming(header: string): ServerTimingMetric[] {
  const out: ServerTimingMetric[] = [];
  // split on commas outside quotes
  const parts: string[] = [];
  let cur = '';
  let quoted = false;
  for (const ch of header) {
    if (ch === '"') quoted = !quoted;
    if (ch === ',' && !quoted) {
      parts.push(cur);
      cur = '';
    } else cur += ch;
  }
  parts.push(cur);
  for (const part of parts) {
    const [name, ...params] = part.split(/;(?=(?:[^"]*"[^"]*")*[^"]*$)/).map((s) => s.trim());
    if (!name) continue;
    const m: ServerTimingMetric = { name };
    for (const p of params) {
      const eq = p.indexOf('=');
      if (eq < 0) continue;
      const k = p.slice(0, eq).trim().toLowerCase();
      let v = p.slice(eq + 1).trim();
      if (v.startsWith('"') && v.endsWith('"')) v = v.slice(1, -1).replace(/\\(.)/g, '$1');
      if (k === 'dur') m.dur = Number(v);
      else if (k === 'desc') m.desc = v;
    }
    out.push(m);
  }
  return out;
}

/** The footprint figures of a parsed header (NaN where missing). */
export function footprintFromServerTiming(header: string): { cpuMs: number; mWh: number; mgCo2e: number } {
  const ms = parseServerTiming(header);
  const num = (name: string, unit: string) => {
    const d = ms.find((m) => m.name === name)?.desc ?? '';
    return d.endsWith(unit) ? Number(d.slice(0, -unit.length).trim()) : NaN;
  };
  return { cpuMs: ms.find((m) => m.name === 'cpu')?.dur ?? NaN, mWh: num('energy', 'mWh'), mgCo2e: num('co2e', 'mg CO2e') };
}
