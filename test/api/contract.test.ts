/**
 * The contract itself: every operation in /openapi.json has a typed 2xx, every route in the route
 * table declares one, and the inject() check (test/helpers/contract.ts) fails on a body that breaks
 * its schema or a media type the route does not declare.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, SINOP, type TestApp } from '../helpers/test-app.js';
import { responseSchema } from '../helpers/contract.js';
import * as alertsContract from '../../server/contract/alerts.js';
import * as weatherContract from '../../server/contract/weather.js';
import * as phenologyContract from '../../server/contract/phenology.js';
import * as suitabilityContract from '../../server/contract/suitability.js';
import * as outlookContract from '../../server/contract/outlook.js';
import * as policyContract from '../../server/contract/policy-impact.js';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp({ scenes: [SINOP] });
});
afterAll(async () => t?.close());

interface Operation {
  responses?: Record<string, { content?: Record<string, { schema?: Record<string, unknown> }> }>;
}

describe('contract', () => {
  it('every operation in /openapi.json has a 2xx response with a schema per media type', async () => {
    const res = await t.app.inject({ url: '/openapi.json' });
    expect(res.statusCode).toBe(200);
    const doc = res.json() as { paths: Record<string, Record<string, Operation>> };
    const missing: string[] = [];
    let operations = 0;
    for (const [path, ops] of Object.entries(doc.paths)) {
      for (const [method, op] of Object.entries(ops)) {
        operations++;
        const ok = Object.entries(op.responses ?? {}).filter(([code]) => /^2\d\d$/.test(code));
        const typed = ok.filter(([code, r]) => {
          if (code === '204') return true; // No Content: there is no body to type
          const content = Object.values(r.content ?? {});
          return content.length > 0 && content.every((c) => c.schema && Object.keys(c.schema).length > 0);
        });
        if (typed.length === 0) missing.push(`${method.toUpperCase()} ${path}`);
      }
    }
    expect(operations).toBeGreaterThan(35);
    expect(missing).toEqual([]);
  });

  it('every route in the route table declares a 2xx schema (hidden routes aside)', () => {
    const missing = t.app.routeTable
      .filter((r) => r.method !== 'HEAD' && !(r.schema as { hide?: boolean } | undefined)?.hide)
      .filter((r) => !Object.keys((r.schema?.response ?? {}) as object).some((code) => /^2(\d\d|xx)$/.test(code)))
      .map((r) => `${String(r.method)} ${r.url}`);
    expect(missing).toEqual([]);
  });

  it('the answers\' routes (alerts, weather, phenology, suitability, outlook, policy impact) declare the contract\'s schemas for every 2xx', async () => {
    const json = 'application/json';
    const cases: Array<[string, string, number, string, unknown]> = [
      ['GET', '/api/alerts', 200, json, alertsContract.AlertsResponse],
      ['POST', '/api/alerts/subscriptions', 201, json, alertsContract.SubscribeResponse],
      ['POST', '/api/alerts/dispatch', 200, json, alertsContract.DispatchResponse],
      ['GET', '/api/weather/stations', 200, json, weatherContract.StationList],
      ['GET', '/api/weather/stations/:stationId/daily', 200, json, weatherContract.DailyResponse],
      ['GET', '/api/weather/point', 200, json, weatherContract.SeasonResponse],
      ['GET', '/api/weather/regions/:regionId', 200, json, weatherContract.SeasonResponse],
      ['GET', '/api/phenology', 200, json, phenologyContract.ProductList],
      ['GET', '/api/phenology/point', 200, json, phenologyContract.PointResponse],
      ['POST', '/api/phenology/field', 200, json, phenologyContract.FieldResponse],
      ['GET', '/api/phenology/regions/:regionId', 200, json, phenologyContract.RegionResponse],
      ['GET', '/api/suitability', 200, json, suitabilityContract.SuitabilityList],
      ['GET', '/api/suitability/:regionId', 200, json, suitabilityContract.SuitabilityRegion],
      ['GET', '/api/outlook', 200, json, outlookContract.OutlookList],
      ['GET', '/api/outlook/:regionId', 200, json, outlookContract.OutlookResult],
      ['GET', '/api/policy-impact', 200, json, policyContract.PolicyImpactResponse],
    ];
    for (const [method, url, status, type, schema] of cases) {
      const route = t.app.routeTable.find((r) => r.url === url && r.method === method);
      expect(route, `${method} ${url}`).toBeDefined();
      expect(responseSchema(route!, status, type), `${method} ${url}`).toBe(schema);
    }
    // and answers are checked against them on inject (a municipality without imagery: every answer still typed)
    for (const url of ['/api/suitability/5107909', '/api/outlook/5107909', '/api/weather/stations', '/api/phenology', '/api/alerts?lang=pt', '/api/policy-impact?regions=5107909&start=2015']) {
      expect((await t.app.inject({ url })).statusCode, url).toBe(200);
    }
  });

  it('the inject check refuses a body that breaks the schema, and an undeclared media type', async () => {
    const route = t.app.routeTable.find((r) => r.url === '/api/scenes' && r.method === 'GET')!;
    const schema = responseSchema(route, 200, 'application/json');
    expect(typeof schema).toBe('object');
    const { Compile } = await import('typebox/compile');
    const v = Compile(schema as Exclude<typeof schema, string>);
    const good = (await t.app.inject({ url: '/api/scenes' })).json();
    expect(v.Check(good)).toBe(true);
    const renamed = { scenes: good.scenes.map(({ bbox, ...rest }: { bbox: unknown }) => ({ ...rest, bounds: bbox })) };
    expect(v.Check(renamed)).toBe(false);
    expect(responseSchema(route, 200, 'text/csv')).toMatch(/answered text\/csv but declares one JSON schema/);
    const tiles = t.app.routeTable.find((r) => r.url === '/tiles/:sceneId/:z/:x/:y' && r.method === 'GET')!;
    expect(responseSchema(tiles, 200, 'image/gif')).toMatch(/media type image\/gif is not declared/);
    expect(responseSchema(tiles, 201, 'image/png')).toMatch(/declares no schema for status 201/);
  });
});
