/**
 * The footprint of a product in its own metadata (pure): STAC Item properties (prefix
 * `granary:footprint:`) for the crop map's JSON sidecar, and the dashboard's one-line note
 * ("this map: X Wh, Y g CO2e"). Not in the COG: its bytes follow from the inputs alone.
 *
 * The crop-map job (granary cropmap) records itself with `recorder.track('crop-map', ...)` and
 * writes `footprintStacProperties(...)` into the STAC Item / sidecar; the dashboard reads `footprint` from the sidecar via GET /api/footprint/maps/...
 */
import type { ResolvedIntensity } from './carbon-intensity.js';
import { sig } from './server-timing.js';

interface ProductFootprint {
  cpuMs: number;
  joules: number;
  gCo2e: number;
  km2?: number;
  energySource: 'rapl' | 'tdp-estimate';
  joulesPerCpuSecond: number;
}

interface FootprintContext {
  intensity: ResolvedIntensity;
  settings: { pue: number };
}

/** The sidecar / API shape of a product's footprint. */
export interface FootprintMetadata {
  cpuSeconds: number;
  energyWh: number;
  co2eGrams: number;
  km2: number | null;
  whPerKm2: number | null;
  gCo2ePerKm2: number | null;
  energySource: 'rapl' | 'tdp-estimate';
  joulesPerCpuSecond: number;
  pue: number;
  carbonIntensityGPerKWh: number;
  carbonIntensitySource: string;
  method: string;
}

export const METHOD_NOTE = 'CPU time (worker + main thread) x W per busy core (RAPL package energy when readable, else 50 % of TDP per core) + memory 3 W/8 GB of resident set, x PUE; CO2e = energy x grid intensity. See docs/footprint.md';

export function footprintMetadata(f: ProductFootprint, ctx: FootprintContext): FootprintMetadata {
  const wh = f.joules / 3600;
  const km2 = f.km2 !== undefined && f.km2 > 0 ? f.km2 : null;
  return {
    cpuSeconds: f.cpuMs / 1000,
    energyWh: wh,
    co2eGrams: f.gCo2e,
    km2,
    whPerKm2: km2 ? wh / km2 : null,
    gCo2ePerKm2: km2 ? f.gCo2e / km2 : null,
    energySource: f.energySource,
    joulesPerCpuSecond: f.joulesPerCpuSecond,
    pue: ctx.settings.pue,
    carbonIntensityGPerKWh: ctx.intensity.gPerKWh,
    carbonIntensitySource: `${ctx.intensity.source}${ctx.intensity.year ? ` (${ctx.intensity.year})` : ''}`,
    method: METHOD_NOTE,
  };
}

/** STAC Item properties (flat, prefixed). */
export function footprintStacProperties(f: ProductFootprint, ctx: FootprintContext): Record<string, string | number | null> {
  const m = footprintMetadata(f, ctx);
  return {
    'granary:footprint:cpu_s': m.cpuSeconds,
    'granary:footprint:energy_wh': m.energyWh,
    'granary:footprint:co2e_g': m.co2eGrams,
    'granary:footprint:area_km2': m.km2,
    'granary:footprint:energy_wh_per_km2': m.whPerKm2,
    'granary:footprint:co2e_g_per_km2': m.gCo2ePerKm2,
    'granary:footprint:energy_source': m.energySource,
    'granary:footprint:pue': m.pue,
    'granary:footprint:carbon_intensity_g_per_kwh': m.carbonIntensityGPerKWh,
    'granary:footprint:carbon_intensity_source': m.carbonIntensitySource,
    'granary:footprint:method': m.method,
  };
}

/** Formats energy for people: Wh with sensible precision (mWh below 0.1 Wh). */
function formatEnergy(wh: number): string {
  if (wh < 0.1) return `${sig(wh * 1000, 2)} mWh`;
  return `${sig(wh, 2)} Wh`;
}

function formatGrams(g: number): string {
  if (g < 0.1) return `${sig(g * 1000, 2)} mg CO2e`;
  return `${sig(g, 2)} g CO2e`;
}

/** The dashboard's note: "this map: 1.2 Wh, 0.19 g CO2e". */
export function dashboardNote(m: { energyWh: number; co2eGrams: number }): string {
  return `this map: ${formatEnergy(m.energyWh)}, ${formatGrams(m.co2eGrams)}`;
}
