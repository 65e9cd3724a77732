/**
 * The contract itself: every operation in /openapi.json has a typed 2xx, every route in the route
 * table declares one, and the inject() check (test/helpers/contract.ts) fails on a body that breaks
 * its schema or a media type the route does not declare.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, SINOP, type TestApp } from '../helpers/test-app.js';
import { responseSchema } from '../helpers/contract.js';

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
