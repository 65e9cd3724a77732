/**
 * Grid carbon intensity (g CO2e per kWh of electricity), a small per-country table.
 *
 * Values: CodeCarbon's country table `codecarbon/data/private_infra/global_energy_mix.json`
 * (field `carbon_intensity`, year 2021), which CodeCarbon takes from Our World in Data's
 * "Carbon intensity of electricity generation" (Ember and Energy Institute data; lifecycle
 * emission factors, generation-based, no imports). The world fallback is CodeCarbon's 475 g/kWh
 * (IEA, Global Energy & CO2 Status Report 2019).
 *
 * Brazil's 2021 figure (159 g/kWh) is a drought year with heavy thermal dispatch; in wetter years
 * the Brazilian grid is markedly cleaner, so for the bundled Mato Grosso data this default is on
 * the high side. Override with GRANARY_CARBON_INTENSITY for a specific year, grid or contract.
 */

interface IntensityEntry {
  iso3: string;
  name: string;
  gPerKWh: number;
  year: number;
  source: string;
}

const OWID_VIA_CODECARBON = 'Our World in Data, carbon intensity of electricity generation (Ember, Energy Institute), as bundled by CodeCarbon in codecarbon/data/private_infra/global_energy_mix.json';

export const WORLD_FALLBACK: IntensityEntry = {
  iso3: 'WORLD',
  name: 'World average (fallback)',
  gPerKWh: 475,
  year: 2019,
  source: "CodeCarbon's world fallback, IEA Global Energy & CO2 Status Report 2019",
};

export const INTENSITY_TABLE: readonly IntensityEntry[] = [
  { iso3: 'BRA', name: 'Brazil', gPerKWh: 158.592, year: 2021, source: OWID_VIA_CODECARBON },
  { iso3: 'ARG', name: 'Argentina', gPerKWh: 357.786, year: 2021, source: OWID_VIA_CODECARBON },
  { iso3: 'BHS', name: 'Bahamas', gPerKWh: 698.113, year: 2021, source: OWID_VIA_CODECARBON },
  { iso3: 'USA', name: 'United States', gPerKWh: 379.26, year: 2021, source: OWID_VIA_CODECARBON },
  { iso3: 'FRA', name: 'France', gPerKWh: 67.39, year: 2021, source: OWID_VIA_CODECARBON },
  { iso3: 'GBR', name: 'United Kingdom', gPerKWh: 268.329, year: 2021, source: OWID_VIA_CODECARBON },
];

export interface ResolvedIntensity {
  gPerKWh: number;
  /** ISO 3166-1 alpha-3 code, 'WORLD' for the fallback, null when configured as a number */
  country: string | null;
  year: number | null;
  source: string;
  /** how it was chosen */
  basis: 'configured' | 'country-table' | 'world-fallback';
  note?: string;
}

/** The intensity to use: an explicit value wins; else the country's table entry; else 475 g/kWh. */
export function resolveIntensity(configured: number | null | undefined, country: string | null | undefined): ResolvedIntensity {
  if (configured !== null && configured !== undefined) {
    if (!(configured >= 0) || !Number.isFinite(configured)) throw new RangeError(`carbon intensity must be a finite number >= 0 g/kWh, got ${configured}`);
    return { gPerKWh: configured, country: null, year: null, source: 'GRANARY_CARBON_INTENSITY (operator supplied)', basis: 'configured' };
  }
  const code = (country ?? '').trim().toUpperCase();
  const hit = INTENSITY_TABLE.find((e) => e.iso3 === code);
  if (hit) return { gPerKWh: hit.gPerKWh, country: hit.iso3, year: hit.year, source: hit.source, basis: 'country-table' };
  return {
    gPerKWh: WORLD_FALLBACK.gPerKWh,
    country: 'WORLD',
    year: WORLD_FALLBACK.year,
    source: WORLD_FALLBACK.source,
    basis: 'world-fallback',
    ...(code ? { note: `no table entry for "${code}" (known: ${INTENSITY_TABLE.map((e) => e.iso3).join(', ')}); using the world fallback` } : {}),
  };
}
