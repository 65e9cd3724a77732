/**
 * GET /api/normals against the IBGE PAM table read independently here (fixtures CSV parsed in the
 * test): a municipality's normal is the mean of its known yields and productions of the 10 years
 * before, the state totals are the sums of the year's rows, and bad crops/years are 400 problems.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { slope } from '../../server/analytics/normals.js';
import { createTestApp, FIXTURES, type TestApp } from '../helpers/test-app.js';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => {
  await t?.close();
});

/** crop -> municipality -> year -> {yield, production}, zeros as unknown (the regions config says so) */
function pam(): Map<string, Map<string, Map<number, { y: number | null; p: number | null }>>> {
  const [head, ...lines] = readFileSync(join(FIXTURES, 'socioeconomic/mt_pam_soy_maize_municipal_2000_2024.csv'), 'utf8').trim().split(/\r?\n/);
  const cols = head!.split(',');
  const ix = (c: string) => cols.indexOf(c);
  const out = new Map<string, Map<string, Map<number, { y: number | null; p: number | null }>>>();
  for (const l of lines) {
    const c = l.split(',');
    const num = (k: string, scale = 1) => {
      const v = Number(c[ix(k)]);
      return c[ix(k)] === '' || !Number.isFinite(v) || v === 0 ? null : v * scale;
    };
    const crop = c[ix('crop')]!;
    const id = c[ix('municipio_cod')]!;
    if (!out.has(crop)) out.set(crop, new Map());
    const m = out.get(crop)!;
    if (!m.has(id)) m.set(id, new Map());
    m.get(id)!.set(Number(c[ix('year')]), { y: num('yield_kg_ha'), p: num('production_1000t', 1000) });
  }
  return out;
}

interface Body {
  year: number;
  rows: Array<{ regionId: string; yieldKgHa: number | null; normalYieldKgHa: number | null; yieldDiffPct: number | null; productionT: number | null; normalProductionT: number | null }>;
  state: { series: Array<{ year: number; productionT: number }>; current: { productionT: number } | null; trend: { productionTPerYear: number } | null };
}

describe('GET /api/normals', () => {
  it("compares Sinop's 2021 soy with the mean of 2011-2020, from the PAM table", async () => {
    const res = await t.app.inject({ url: '/api/normals?crop=soy&year=2021' });
    expect(res.statusCode).toBe(200);
    const body = res.json() as Body;
    const sinop = pam().get('soja')!.get('5107909')!;
    const prev = [2011, 2012, 2013, 2014, 2015, 2016, 2017, 2018, 2019, 2020].map((y) => sinop.get(y)?.y).filter((v): v is number => typeof v === 'number');
    const normal = prev.reduce((s, v) => s + v, 0) / prev.length;
    const row = body.rows.find((r) => r.regionId === '5107909')!;
    expect(row.yieldKgHa).toBe(sinop.get(2021)!.y);
    expect(row.normalYieldKgHa).toBeCloseTo(normal, 9);
    expect(row.yieldDiffPct).toBeCloseTo(((sinop.get(2021)!.y! - normal) / normal) * 100, 9);
    expect(body.rows).toHaveLength(141);
  });

  it('state production is the sum of the municipalities, and the trend a least-squares slope', async () => {
    const body = (await t.app.inject({ url: '/api/normals?crop=maize&year=2020' })).json() as Body;
    const table = pam().get('milho')!;
    let sum = 0;
    for (const byYear of table.values()) sum += byYear.get(2020)?.p ?? 0;
    expect(body.state.current!.productionT).toBeCloseTo(sum, 6);
    const last10 = body.state.series.filter((s) => s.year > 2010 && s.year <= 2020);
    expect(body.state.trend!.productionTPerYear).toBeCloseTo(slope(last10.map((s) => s.year), last10.map((s) => s.productionT)), 6);
    expect(slope([1, 2, 3], [2, 4, 6])).toBe(2);
  });

  it('refuses an unknown crop or a year outside the data with a problem', async () => {
    for (const q of ['crop=rice&year=2020', 'crop=soy&year=1990', 'crop=soy&year=abc']) {
      const res = await t.app.inject({ url: `/api/normals?${q}` });
      expect(res.statusCode, q).toBe(400);
      expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    }
  });
});

describe('GET /api/exchange-rates', () => {
  it('serves the FRED annual BRL per USD rates of the fixture table', async () => {
    const res = await t.app.inject({ url: '/api/exchange-rates' });
    expect(res.statusCode).toBe(200);
    const body = res.json() as { rates: Array<{ year: number; brlPerUsd: number }> };
    const csv = readFileSync(join(FIXTURES, 'socioeconomic/fred_brl_per_usd_annual_1995_2025.csv'), 'utf8').trim().split('\n').slice(1);
    expect(body.rates).toHaveLength(csv.length);
    const r2021 = csv.find((l) => l.startsWith('2021,'))!.split(',')[1];
    expect(body.rates.find((r) => r.year === 2021)!.brlPerUsd).toBe(Number(r2021));
  });
});
