/**
 * Regions and yield-gap routes through app.inject(), on the bundled fixtures. Indicator values are
 * recomputed here from the CSVs with a naive reader (the fixture CSVs have no quoted fields).
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { bboxPolygon, booleanIntersects } from '@turf/turf';
import type { FeatureCollection, Polygon } from 'geojson';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../server/app.js';
import { loadConfig } from '../../server/config.js';
import { parseCsvRecords } from '../../server/regions/csv-parse.js';
import { checkContract } from '../helpers/contract.js';

const root = resolve(import.meta.dirname, '../..');
const socio = (f: string) => resolve(root, 'fixtures/socioeconomic', f);

function readPlain(path: string): Array<Record<string, string>> {
  const [head, ...lines] = readFileSync(path, 'utf8').trim().split('\n');
  const cols = head!.split(',');
  return lines.map((l) => Object.fromEntries(l.split(',').map((v, i) => [cols[i]!, v])));
}
const pam = readPlain(socio('mt_pam_soy_maize_municipal_2000_2024.csv'));
const pop = readPlain(socio('mt_population_estimates_2012_2021.csv'));
const prices = readPlain(socio('worldbank_pinksheet_monthly_2000_2025.csv'));
const municipalities = JSON.parse(readFileSync(resolve(root, 'fixtures/boundaries/mt_municipalities.geojson'), 'utf8')) as FeatureCollection<Polygon, { id: string; name: string }>;

const CODES = { soy: 'soja', maize: 'milho' } as const;
const SERIES = { soy: 'SOYBEANS', maize: 'MAIZE' } as const;

/** Independent recomputation of one region's indicators (10-year window, P95 type 7). */
function expected(code: string, crop: 'soy' | 'maize', year: number) {
  const from = Math.max(2000, year - 9);
  const means = new Map<string, number>();
  for (const c of new Set(pam.map((r) => r['municipio_cod']!))) {
    const ys = pam.filter((r) => r['municipio_cod'] === c && r['crop'] === CODES[crop] && +r['year']! >= from && +r['year']! <= year && +r['yield_kg_ha']! > 0).map((r) => +r['yield_kg_ha']!);
    if (ys.length > 0) means.set(c, ys.reduce((a, b) => a + b, 0) / ys.length);
  }
  const s = [...means.values()].sort((a, b) => a - b);
  const h = (s.length - 1) * 0.95;
  const att = s[Math.floor(h)]! + (h - Math.floor(h)) * (s[Math.floor(h) + 1]! - s[Math.floor(h)]!);
  const ya = means.get(code) ?? null;
  const row = pam.find((r) => r['municipio_cod'] === code && r['crop'] === CODES[crop] && +r['year']! === year)!;
  const areaHa = +row['area_planted_1000ha']! > 0 ? +row['area_planted_1000ha']! * 1000 : null;
  const prodT = +row['production_1000t']! > 0 ? +row['production_1000t']! * 1000 : null;
  const monthly = prices.filter((r) => r['month']!.startsWith(`${year}-`) && r[SERIES[crop]] !== '').map((r) => +r[SERIES[crop]]!);
  const price = monthly.reduce((a, b) => a + b, 0) / monthly.length;
  const popYear = Math.min(2021, Math.max(2012, year));
  const people = +pop.find((r) => r['city_ibge_code'] === code && +r['year']! === popYear)!['estimated_population']!;
  const gap = ya === null ? null : Math.max(0, att - ya);
  const prodGap = gap !== null && areaHa !== null ? (gap * areaHa) / 1000 : null;
  return { ya, att, gap, areaHa, prodT, price, people, prodGap, value: prodGap === null ? null : prodGap * price, reported: +row['yield_kg_ha']! || null };
}

let app: FastifyInstance;

beforeAll(async () => {
  app = checkContract(await buildApp(loadConfig({ GRANARY_WORKERS: '1' })));
  await app.ready();
});
afterAll(async () => {
  await app?.close();
});

const get = (url: string) => app.inject({ method: 'GET', url });

describe('GET /api/regions', () => {
  it('lists every region with its indicators for the latest year with complete data', async () => {
    // independent: the last year of the population table that also has 12 monthly prices of both crops and PAM rows
    const popYears = [...new Set(pop.map((r) => +r['year']!))];
    const complete = popYears.filter((y) => ['SOYBEANS', 'MAIZE'].every((s) => prices.filter((r) => r['month']!.startsWith(`${y}-`) && r[s] !== '').length === 12) && pam.some((r) => +r['year']! === y));
    const defaultYear = Math.max(...complete);
    expect(defaultYear).toBe(2021);

    const res = await get('/api/regions');
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body.year).toBe(defaultYear);
    expect(body.defaultYear).toBe(defaultYear);
    expect(body.crop).toBe('soy');
    expect(body.count).toBe(141);
    expect(body.regions).toHaveLength(municipalities.features.length);
    const sorriso = body.regions.find((r: { regionId: string }) => r.regionId === '5107925');
    const e = expected('5107925', 'soy', 2021);
    expect(sorriso.name).toBe('Sorriso');
    expect(sorriso.indicators.actualYieldKgHa).toBeCloseTo(e.ya!, 9);
    expect(sorriso.indicators.attainableYieldKgHa).toBeCloseTo(e.att, 9);
    expect(sorriso.indicators.yieldGapKgHa).toBeCloseTo(e.gap!, 9);
    expect(sorriso.indicators.plantedAreaHa).toBeCloseTo(e.areaHa!, 6);
    expect(sorriso.indicators.productionT).toBeCloseTo(e.prodT!, 6);
    expect(sorriso.indicators.population).toBe(e.people);
    expect(sorriso.indicators.reportedYieldKgHa).toBe(e.reported);
    expect(sorriso.indicators.productionPerCapitaKg).toBeCloseTo((e.prodT! * 1000) / e.people, 6);
    expect(sorriso.indicators.priceUsdPerT).toBeCloseTo(e.price, 9);
    expect(sorriso.indicators.productionGapValueUsd).toBeCloseTo(e.value!, 3);
    expect(body.sources.map((s: { licence: string }) => s.licence).join(' ')).toMatch(/CC BY-SA 4.0/);
  });

  it('takes year and crop', async () => {
    const body = (await get('/api/regions?year=2014&crop=maize')).json();
    expect([body.year, body.crop]).toEqual([2014, 'maize']);
    const sinop = body.regions.find((r: { regionId: string }) => r.regionId === '5107909');
    const e = expected('5107909', 'maize', 2014);
    expect(sinop.indicators.actualYieldKgHa).toBeCloseTo(e.ya!, 9);
    expect(sinop.indicators.yieldGapKgHa).toBeCloseTo(e.gap!, 9);
  });

  it('flattens to an RFC 4180 UTF-8 CSV download with "Cláudia" intact', async () => {
    const res = await get('/api/regions?format=csv');
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(res.headers['content-disposition']).toMatch(/^attachment; filename="regions_soy_2021\.csv"$/);
    const text = res.rawPayload.toString('utf8');
    expect(text).toContain('Cláudia');
    expect(res.rawPayload.includes(Buffer.from('Cláudia', 'utf8'))).toBe(true);
    expect(text.endsWith('\r\n')).toBe(true);
    const records = parseCsvRecords(text.slice(0, -2));
    const header = records[0]!;
    expect(header.slice(0, 4)).toEqual(['regionId', 'name', 'crop', 'year']);
    expect(records).toHaveLength(142);
    for (const r of records) expect(r).toHaveLength(header.length);
    const claudia = records.find((r) => r[0] === '5103056')!;
    expect(claudia[1]).toBe('Cláudia');
    // a field with a comma or a quote is quoted (flags contain commas, e.g. "zero yield treated as unknown (2000, 2001)")
    const flagged = text.split('\r\n').find((l) => /\(\d{4}, \d{4}/.test(l));
    if (flagged) expect(flagged).toMatch(/"[^"]*\(\d{4}, \d{4}[^"]*"/);
  });

  it('rejects bad input with precise problems', async () => {
    const crop = await get('/api/regions?crop=rice');
    expect(crop.statusCode).toBe(400);
    expect(crop.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(crop.json().detail).toBe('unknown crop "rice"; valid crops: soy, maize');
    const year = await get('/api/regions?year=1999');
    expect(year.statusCode).toBe(400);
    expect(year.json().detail).toMatch(/2000-2024/);
    expect((await get('/api/regions?year=20x1')).statusCode).toBe(400);
    expect((await get('/api/regions?format=xml')).json().detail).toMatch(/valid: json, csv/);
  });
});

describe('GET /api/regions/{regionId}', () => {
  it('gives both crops with inputs, sources with licences and the history', async () => {
    const res = await get('/api/regions/5107909');
    expect(res.statusCode).toBe(200);
    const b = res.json();
    expect(b.name).toBe('Sinop');
    expect(b.year).toBe(2021);
    expect(Object.keys(b.crops).sort()).toEqual(['maize', 'soy']);
    for (const crop of ['soy', 'maize'] as const) {
      const c = b.crops[crop];
      const e = expected('5107909', crop, 2021);
      expect(c.indicators.actualYieldKgHa).toBeCloseTo(e.ya!, 9);
      expect(c.indicators.yieldGapKgHa).toBeCloseTo(e.gap!, 9);
      expect(c.inputs.window).toEqual([2012, 2021]);
      expect(c.inputs.price.series).toBe(SERIES[crop]);
      // The bundled crop map (fixtures/cropmaps/sinop__granary-mlp-ndvi-evi) covers most of Sinop.
      expect(c.indicators.mappedAreaHa).toBeGreaterThan(0);
      expect(c.flags).not.toContain('no crop map covers the region: mappedAreaHa is null');
      expect(c.history.map((h: { year: number }) => h.year)).toEqual(Array.from({ length: 25 }, (_, i) => 2000 + i));
      const h2014 = c.history.find((h: { year: number }) => h.year === 2014);
      const e14 = expected('5107909', crop, 2014);
      expect(h2014.actualYieldKgHa).toBeCloseTo(e14.ya!, 9);
      expect(h2014.yieldGapKgHa).toBeCloseTo(e14.gap!, 9);
      expect(h2014.productionT).toBeCloseTo(e14.prodT!, 6);
      expect(h2014.reportedYieldKgHa).toBe(e14.reported);
    }
    const licences = Object.fromEntries(b.sources.map((s: { kind: string; licence: string }) => [s.kind, s.licence]));
    expect(licences['boundaries']).toMatch(/CC0/);
    expect(licences['population']).toMatch(/CC BY-SA 4.0/);
    expect(licences['prices']).toMatch(/CC BY 4.0/);
    expect(licences['crop-statistics']).toMatch(/IBGE/);
  });

  it('reports the repair of Barra do Bugres and 404s unknown ids with how to find them', async () => {
    expect((await get('/api/regions/5101704')).json().geometryNotes[0]).toMatch(/separate outer ring/);
    const res = await get('/api/regions/9999999');
    expect(res.statusCode).toBe(404);
    expect(res.json().detail).toMatch(/GET \/api\/regions/);
  });

  it('exposes the join report', async () => {
    const rep = (await get('/api/regions/join-report')).json();
    expect(rep.regions).toBe(141);
    expect(rep.invalidGeometries[0].id).toBe('5101704');
  });
});

describe('GET /api/yield-gap', () => {
  const CONTRACT = [
    'regionId', 'name', 'crop', 'year', 'reportedYieldKgHa', 'actualYieldKgHa', 'attainableYieldKgHa', 'yieldGapKgHa', 'yieldGapPct', 'plantedAreaHa', 'productionT',
    'productionGapT', 'population', 'productionPerCapitaKg', 'priceUsdPerT', 'productionGapValueUsd', 'mappedAreaHa',
  ];

  it('has the contract fields, recomputable values and a consistent priority ranking', async () => {
    const res = await get('/api/yield-gap?crop=soy&year=2014');
    expect(res.statusCode).toBe(200);
    const b = res.json();
    expect(b.count).toBe(141);
    expect(b.validYears).toEqual([2000, 2024]);
    const row = b.rows.find((r: { regionId: string }) => r.regionId === '5107925');
    for (const f of [...CONTRACT, 'mappedAreaCi95Ha', 'priorityRank', 'priorityScore', 'inputs', 'flags', 'method']) expect(row).toHaveProperty(f);
    const e = expected('5107925', 'soy', 2014);
    expect(row.reportedYieldKgHa).toBe(e.reported);
    expect(row.actualYieldKgHa).toBeCloseTo(e.ya!, 9);
    expect(row.attainableYieldKgHa).toBeCloseTo(e.att, 9);
    expect(row.yieldGapPct).toBeCloseTo((100 * e.gap!) / e.att, 9);
    expect(row.productionGapT).toBeCloseTo(e.prodGap!, 6);
    expect(row.productionGapValueUsd).toBeCloseTo(e.value!, 3);
    expect(row.method).toMatch(/P95/);
    // ranking: score = value / population, highest first; unranked rows carry a reason
    const ranked = b.rows.filter((r: { priorityRank: number | null }) => r.priorityRank !== null);
    for (const r of ranked) expect(r.priorityScore).toBeCloseTo(r.productionGapValueUsd / r.population, 9);
    const order = [...ranked].sort((a, c) => c.priorityScore - a.priorityScore || a.regionId.localeCompare(c.regionId));
    expect(order.map((r: { priorityRank: number }) => r.priorityRank)).toEqual(order.map((_: unknown, i: number) => i + 1));
    for (const r of b.rows.filter((x: { priorityRank: number | null }) => x.priorityRank === null)) expect(r.flags.join(' ')).toMatch(/not ranked/);
  });

  it('filters by region and by bbox (exact intersection)', async () => {
    const one = (await get('/api/yield-gap?crop=maize&year=2014&region=5103056')).json();
    expect(one.rows.map((r: { name: string }) => r.name)).toEqual(['Cláudia']);
    const box: [number, number, number, number] = [-55.8, -11.8, -55.2, -11.5];
    const b = (await get(`/api/yield-gap?crop=soy&year=2014&bbox=${box.join(',')}`)).json();
    const want = municipalities.features.filter((f) => booleanIntersects(bboxPolygon(box), f)).map((f) => f.properties.id).sort();
    expect(b.rows.map((r: { regionId: string }) => r.regionId).sort()).toEqual(want);
    expect(want).toEqual(['5103056', '5104526', '5107909', '5107925']);
  });

  it('gives CSV with a header and the same rows', async () => {
    const res = await get('/api/yield-gap?crop=soy&year=2014&format=csv');
    expect(res.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(res.headers['content-disposition']).toBe('attachment; filename="yield-gap_soy_2014.csv"');
    const recs = parseCsvRecords(res.body.replace(/\r\n$/, ''));
    expect(recs[0]!.slice(0, 16)).toEqual(CONTRACT.slice(0, 16));
    expect(recs[0]).toContain('mappedAreaCi95LowHa');
    expect(recs[0]).toContain('priorityRank');
    expect(recs).toHaveLength(142);
    const i = recs[0]!.indexOf('actualYieldKgHa');
    const sorriso = recs.find((r) => r[0] === '5107925')!;
    expect(Number(sorriso[i])).toBeCloseTo(expected('5107925', 'soy', 2014).ya!, 9);
    expect(Number(sorriso[recs[0]!.indexOf('reportedYieldKgHa')])).toBe(expected('5107925', 'soy', 2014).reported);
    expect(res.body).toContain('Cláudia');
  });

  it('rejects bad input precisely', async () => {
    const cases: Array<[string, number, RegExp]> = [
      ['/api/yield-gap?crop=rice&year=2014', 400, /valid crops: soy, maize/],
      ['/api/yield-gap?year=2014', 400, /crop is required; valid crops: soy, maize/],
      ['/api/yield-gap?crop=soy&year=1990', 400, /valid years are 2000-2024/],
      ['/api/yield-gap?crop=soy&year=2025', 400, /2000-2024/],
      ['/api/yield-gap?crop=soy&region=42', 404, /IBGE 7-digit/],
      ['/api/yield-gap?crop=soy&bbox=1,2,3', 400, /bbox "1,2,3" is malformed/],
      ['/api/yield-gap?crop=soy&bbox=a,b,c,d', 400, /malformed/],
      ['/api/yield-gap?crop=soy&bbox=-55,-11,-56,-12', 400, /south is greater than north/],
      ['/api/yield-gap?crop=soy&bbox=-200,-11,-56,-10', 400, /longitudes/],
    ];
    for (const [url, status, detail] of cases) {
      const res = await get(url);
      expect(res.statusCode, url).toBe(status);
      expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(res.json().detail, url).toMatch(detail);
    }
  });

  it('documents every indicator and unit in the OpenAPI response schema', async () => {
    const doc = (await get('/openapi.json')).json();
    const schema = doc.paths['/api/yield-gap'].get.responses['200'].content['application/json'].schema;
    const row = schema.properties.rows.items.properties;
    for (const f of [...CONTRACT, 'mappedAreaCi95Ha', 'priorityRank', 'priorityScore']) expect(row[f].description, f).toBeTruthy();
    expect(row.actualYieldKgHa.description).toMatch(/^kg\/ha/);
    expect(row.productionGapValueUsd.description).toMatch(/^USD/);
    expect(doc.paths['/api/yield-gap'].get.description).toMatch(/IBGE PAM/);
    expect(doc.paths['/api/regions/{regionId}']).toBeDefined();
    expect(doc.paths['/api/zonal-stats'].post).toBeDefined();
  });
});
