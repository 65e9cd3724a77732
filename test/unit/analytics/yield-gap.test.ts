import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { percentileLinear } from '../../../server/analytics/percentile.js';
import { rankInterventionPriority } from '../../../server/analytics/priority.js';
import { computeYieldGap, UnknownCropError, YearOutOfRangeError, yieldGapDomain } from '../../../server/analytics/yield-gap.js';
import { loadRegions } from '../../../server/regions/load.js';

const root = resolve(import.meta.dirname, '../../..');
const loaded = loadRegions(resolve(root, 'fixtures/regions.config.json'));
const regionRefs = loaded.regions.map((r) => r.properties);

/** Naive independent reading of the fixture CSVs (they contain no quoted fields). */
function readPlain(file: string): Array<Record<string, string>> {
  const [head, ...lines] = readFileSync(resolve(root, 'fixtures/socioeconomic', file), 'utf8').trim().split('\n');
  const cols = head!.split(',');
  return lines.map((l) => Object.fromEntries(l.split(',').map((v, i) => [cols[i]!, v])));
}
const pam = readPlain('mt_pam_soy_maize_municipal_2000_2024.csv');
const pop = readPlain('mt_population_estimates_2012_2021.csv');
const prices = readPlain('worldbank_pinksheet_monthly_2000_2025.csv');

/** Expected indicators recomputed here from the raw rows (10-year window, P95, type-7 percentile). */
function expectedFor(code: string, crop: 'soja' | 'milho', series: 'SOYBEANS' | 'MAIZE', year: number) {
  const from = year - 9;
  const means = new Map<string, number>();
  const codes = new Set(pam.map((r) => r['municipio_cod']!));
  for (const c of codes) {
    const ys = pam.filter((r) => r['municipio_cod'] === c && r['crop'] === crop && +r['year']! >= from && +r['year']! <= year && +r['yield_kg_ha']! > 0).map((r) => +r['yield_kg_ha']!);
    if (ys.length > 0) means.set(c, ys.reduce((a, b) => a + b, 0) / ys.length);
  }
  const sorted = [...means.values()].sort((a, b) => a - b);
  const h = (sorted.length - 1) * 0.95;
  const att = sorted[Math.floor(h)]! + (h - Math.floor(h)) * (sorted[Math.floor(h) + 1]! - sorted[Math.floor(h)]!);
  const ya = means.get(code)!;
  const row = pam.find((r) => r['municipio_cod'] === code && r['crop'] === crop && +r['year']! === year)!;
  const areaHa = +row['area_planted_1000ha']! * 1000;
  const prodT = +row['production_1000t']! * 1000;
  const monthly = prices.filter((r) => r['month']!.startsWith(`${year}-`)).map((r) => +r[series]!);
  const price = monthly.reduce((a, b) => a + b, 0) / monthly.length;
  const popYear = Math.min(2021, Math.max(2012, year));
  const people = +pop.find((r) => r['city_ibge_code'] === code && +r['year']! === popYear)!['estimated_population']!;
  const gap = Math.max(0, att - ya);
  return { ya, att, gap, areaHa, prodT, price, people, n: means.size, months: monthly.length };
}

describe('percentileLinear', () => {
  it('interpolates linearly between order statistics (type 7)', () => {
    expect(percentileLinear([1, 2, 3, 4], 50)).toBe(2.5);
    expect(percentileLinear([10, 20, 30, 40, 50], 95)).toBeCloseTo(48, 12); // h = 3.8
    expect(percentileLinear([7], 95)).toBe(7);
  });
});

describe('regions loader', () => {
  it('joins 141 municipalities with every table and reports what it did', () => {
    const rep = loaded.joinReport;
    expect(loaded.regions).toHaveLength(141);
    for (const t of rep.tables) {
      expect(t.unmatchedTableKeys).toEqual([]);
      expect(t.regionsWithoutRows).toEqual([]);
    }
    // README 4b: 28 MT municipalities have soy area 0 in 2014
    expect(rep.zerosAsUnknown['soja']!['2014']).toBe(28);
    expect(rep.invalidGeometries).toEqual([expect.objectContaining({ id: '5101704', name: 'Barra do Bugres', problem: 'hole-outside-shell', action: 'promoted-to-polygon' })]);
    expect(loaded.byId.get('5101704')!.geometry.type).toBe('MultiPolygon');
    // UTF-8 names survive
    expect(loaded.byId.get('5103056')!.properties.name).toBe('Cláudia');
    expect(loaded.byId.get('5100201')!.properties.name).toBe('Água Boa');
    // spelling differences between sources are reported, not fatal
    const pamReport = rep.tables.find((t) => t.kind === 'crop-statistics')!;
    expect(pamReport.nameMismatches.map((m) => m.id)).toContain('5107008');
  });

  it('describes the valid domain', () => {
    expect(yieldGapDomain(loaded.tables, loaded.yieldGap)).toEqual([
      { crop: 'soy', years: [2000, 2024] },
      { crop: 'maize', years: [2000, 2024] },
    ]);
  });
});

describe('yield gap', () => {
  it('Sorriso soy 2014 matches a recomputation from the CSVs', () => {
    const rows = computeYieldGap(loaded.tables, regionRefs, loaded.yieldGap, { crop: 'soy', year: 2014 });
    expect(rows).toHaveLength(141);
    const r = rows.find((x) => x.regionId === '5107925')!;
    const e = expectedFor('5107925', 'soja', 'SOYBEANS', 2014);
    expect(Object.keys(r)).toEqual([
      'regionId', 'name', 'crop', 'year', 'actualYieldKgHa', 'attainableYieldKgHa', 'yieldGapKgHa', 'yieldGapPct', 'plantedAreaHa', 'productionT',
      'productionGapT', 'population', 'productionPerCapitaKg', 'priceUsdPerT', 'productionGapValueUsd', 'inputs', 'flags', 'flagCodes', 'method', 'methodCode',
    ]);
    expect(r.name).toBe('Sorriso');
    expect(r.actualYieldKgHa).toBeCloseTo(e.ya, 9);
    expect(r.attainableYieldKgHa).toBeCloseTo(e.att, 9);
    expect(r.yieldGapKgHa).toBeCloseTo(e.gap, 9);
    expect(r.yieldGapPct).toBeCloseTo((100 * e.gap) / e.att, 9);
    expect(r.plantedAreaHa).toBeCloseTo(e.areaHa, 6);
    expect(r.productionT).toBeCloseTo(e.prodT, 6);
    expect(r.productionGapT).toBeCloseTo((e.gap * e.areaHa) / 1000, 6);
    expect(r.priceUsdPerT).toBeCloseTo(e.price, 9);
    expect(r.productionGapValueUsd).toBeCloseTo(((e.gap * e.areaHa) / 1000) * e.price, 3);
    expect(r.population).toBe(e.people);
    expect(r.productionPerCapitaKg).toBeCloseTo((e.prodT * 1000) / e.people, 6);
    expect(r.inputs.attainableYield.nMunicipalities).toBe(e.n);
    expect(r.inputs.actualYield.yearsUsed).toEqual([2005, 2006, 2007, 2008, 2009, 2010, 2011, 2012, 2013, 2014]);
    expect(e.months).toBe(12);
    expect(r.flags).toEqual([]);
    expect(r.method).toMatch(/P95/);
    expect(r.method).toMatch(/harvest year = the year itself/);
    // README 4b sanity figures
    expect(r.plantedAreaHa).toBeCloseTo(635_000, 3);
    expect(r.productionT).toBeCloseTo(1_981_800, 3);
  });

  it('flags population outside 2012-2021, zeros read as unknown, and missing data', () => {
    const rows = computeYieldGap(loaded.tables, regionRefs, loaded.yieldGap, { crop: 'maize', year: 2024 });
    const sinop = rows.find((x) => x.regionId === '5107909')!;
    const e = expectedFor('5107909', 'milho', 'MAIZE', 2024);
    expect(sinop.population).toBe(e.people);
    expect(sinop.inputs.population).toEqual({ yearUsed: 2021, value: e.people });
    expect(sinop.flags).toContain('population from 2021 (table covers 2012-2021)');

    const soy = computeYieldGap(loaded.tables, regionRefs, loaded.yieldGap, { crop: 'soy', year: 2014 });
    const zeroRow = soy.find((x) => x.plantedAreaHa === null)!;
    expect(zeroRow.flags.some((f) => f.startsWith('zero yield treated as unknown'))).toBe(true);
    expect(zeroRow.flags).toContain('planted area / production 2014 unknown');
    expect(zeroRow.productionGapT).toBeNull();
    expect(zeroRow.productionGapValueUsd).toBeNull();
    const none = soy.find((x) => x.actualYieldKgHa === null)!;
    expect(none.flags).toContain('no yield data 2005-2014: actual yield unknown');
    expect(none.yieldGapKgHa).toBeNull();
  });

  it('truncates the window at the start of the data and says so', () => {
    const [r] = computeYieldGap(loaded.tables, regionRefs, loaded.yieldGap, { crop: 'soy', year: 2003, regionIds: ['5107925'] });
    expect(r!.inputs.window).toEqual([2000, 2003]);
    expect(r!.flags).toContain('window truncated at the start of the data: 4 of 10 years');
    expect(r!.flags).toContain('population from 2012 (table covers 2012-2021)');
  });

  it('throws typed errors naming the valid crops and years', () => {
    expect(() => computeYieldGap(loaded.tables, regionRefs, loaded.yieldGap, { crop: 'rice', year: 2014 })).toThrowError(UnknownCropError);
    expect(() => computeYieldGap(loaded.tables, regionRefs, loaded.yieldGap, { crop: 'rice', year: 2014 })).toThrowError('unknown crop "rice"; valid crops: soy, maize');
    expect(() => computeYieldGap(loaded.tables, regionRefs, loaded.yieldGap, { crop: 'soy', year: 1999 })).toThrowError(YearOutOfRangeError);
    expect(() => computeYieldGap(loaded.tables, regionRefs, loaded.yieldGap, { crop: 'soy', year: 2025 })).toThrowError('year 2025 is outside the soy data: valid years are 2000-2024');
  });
});

describe('intervention priority', () => {
  it('ranks by production gap value per inhabitant and lists exclusions', () => {
    const rows = computeYieldGap(loaded.tables, regionRefs, loaded.yieldGap, { crop: 'soy', year: 2014 });
    const p = rankInterventionPriority(rows);
    expect(p.ranking.length + p.excluded.length).toBe(rows.length);
    for (let i = 1; i < p.ranking.length; i++) expect(p.ranking[i - 1]!.scoreUsdPerCapita).toBeGreaterThanOrEqual(p.ranking[i]!.scoreUsdPerCapita);
    const top = p.ranking[0]!;
    const row = rows.find((r) => r.regionId === top.regionId)!;
    expect(top.scoreUsdPerCapita).toBeCloseTo(row.productionGapValueUsd! / row.population!, 9);
    expect(p.method).toMatch(/per inhabitant/);
  });
});
