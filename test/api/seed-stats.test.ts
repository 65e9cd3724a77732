import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cp } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createTestApp, FIXTURES, type TestApp } from '../helpers/test-app.js';

let t: TestApp;
beforeAll(async () => {
  // the bundled start-of-season products (municipal NDVI per season) feed the outlook
  t = await createTestApp({ setup: async ({ dataDir }) => cp(join(FIXTURES, 'phenology'), join(dataDir, 'phenology'), { recursive: true }) });
}, 60_000);
afterAll(async () => t?.close());

describe('suitability, outlook and policy-impact API', () => {
  it('gives a statistical suitability per crop with the comparison, labelled as statistical', async () => {
    const r = await t.app.inject({ url: '/api/suitability/5107925' });
    expect(r.statusCode).toBe(200);
    const b = r.json();
    expect(b.label).toMatch(/statistical, not agronomic/);
    expect(b.crops.map((c: { crop: string }) => c.crop)).toEqual(['soy', 'maize']);
    expect(b.crops[0].available).toBe(true);
    expect(b.comparison.note).toMatch(/not agronomic/);
    const csv = await t.app.inject({ url: '/api/suitability?crop=maize&format=csv' });
    expect(csv.body.split(/\r?\n/).filter(Boolean)).toHaveLength(142);
  });

  it('gives Ipiranga do Norte a validated outlook with its error, and says Sinop has too few seasons', async () => {
    const ip = (await t.app.inject({ url: '/api/outlook/5104526' })).json();
    expect(ip.available).toBe(true);
    expect(ip.validation).toMatchObject({ method: 'leave-one-season-out', n: 6 });
    expect(ip.outlook.plusMinusKgHa).toBe(ip.validation.rmseKgHa);
    // PAM soy yield of Ipiranga do Norte, harvest 2011 (season 2010-11)
    expect(ip.seasons.find((s: { season: number }) => s.season === 2010).observedYieldKgHa).toBe(3420);
    const si = (await t.app.inject({ url: '/api/outlook/5107909' })).json();
    expect(si.available).toBe(false);
    expect(si.reason).toMatch(/at least 5/);
    const none = (await t.app.inject({ url: '/api/outlook/5100250' })).json();
    expect(none.reason).toMatch(/no imagery season/);
    const all = (await t.app.inject({ url: '/api/outlook' })).json();
    expect(all.results.map((x: { regionId: string }) => x.regionId)).toContain('5104526');
  });

  it('estimates a policy impact with interval and placebo, as JSON and CSV', async () => {
    const q = 'regions=5107909,5107925&start=2015&indicator=yield&crop=soy';
    const b = (await t.app.inject({ url: `/api/policy-impact?${q}` })).json();
    expect(b.estimate.ci95[0]).toBeLessThanOrEqual(b.estimate.effect);
    expect(b.estimate.ci95[1]).toBeGreaterThanOrEqual(b.estimate.effect);
    expect(b.estimate.pre).toEqual([2010, 2014]);
    expect(typeof b.placebo.passed).toBe('boolean');
    expect(b.matches[0].controls).toHaveLength(5);
    const csv = await t.app.inject({ url: `/api/policy-impact?${q}&format=csv` });
    expect(csv.body.split(/\r?\n/)[0]).toBe('year,period,treatedMean,comparisonMean,effect,ci95Low,ci95High');
  });

  it('gives the yearly series the chart draws: treated and matched-comparison means, checked against the PAM table', async () => {
    const b = (await t.app.inject({ url: '/api/policy-impact?regions=5107909,5107925&start=2015&indicator=yield&crop=soy' })).json();
    // the PAM table read here, independently of the service (soy yield in kg/ha by municipality and year)
    const [head, ...lines] = readFileSync(join(FIXTURES, 'socioeconomic/mt_pam_soy_maize_municipal_2000_2024.csv'), 'utf8').trim().split(/\r?\n/);
    const cols = head!.split(',');
    const yieldOf = new Map<string, number>();
    for (const l of lines) {
      const c = l.split(',');
      if (c[cols.indexOf('crop')] === 'soja') yieldOf.set(`${c[cols.indexOf('municipio_cod')]}:${c[cols.indexOf('year')]}`, Number(c[cols.indexOf('yield_kg_ha')]));
    }
    const avg = (ids: string[], y: number) => ids.reduce((a, id) => a + yieldOf.get(`${id}:${y}`)!, 0) / ids.length;
    expect(b.series.map((r: { year: number }) => r.year)).toEqual([2010, 2011, 2012, 2013, 2014, 2015, 2016, 2017, 2018, 2019]);
    const controls = (b.matches as Array<{ controls: string[] }>).flatMap((m) => m.controls);
    for (const r of b.series as Array<{ year: number; treatedMean: number; comparisonMean: number }>) {
      expect(r.treatedMean, String(r.year)).toBeCloseTo(avg(b.treatedUsed, r.year), 6);
      expect(r.comparisonMean, String(r.year)).toBeCloseTo(avg(controls, r.year), 6);
    }
  });

  it('rejects bad input with problem+json', async () => {
    for (const [url, status] of [
      ['/api/suitability?crop=rice', 400],
      ['/api/suitability/5107925?from=2001&to=2002', 400],
      ['/api/suitability/9999999', 404],
      ['/api/outlook/5104526?crop=rice', 400],
      ['/api/policy-impact?regions=5107909&start=2003', 400],
      ['/api/policy-impact?regions=abc&start=2015', 400],
      ['/api/policy-impact?regions=5104526&start=2006&preYears=3', 422],
      ['/api/policy-impact?start=2015', 400],
    ] as const) {
      const r = await t.app.inject({ url });
      expect(r.statusCode, url).toBe(status);
      expect(r.headers['content-type']).toMatch(/problem\+json/);
    }
  });
});
