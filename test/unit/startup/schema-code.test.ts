/**
 * Route schemas compiled at build time (plugins/schema-code.ts, plugins/lazy-schemas.ts): an app
 * built with the writing compilers stores one module per schema; an app built with the store reads
 * them back instead of compiling, validates and serialises exactly as Fastify's own compilers do,
 * and compiles what the store does not hold (an edited schema) or when the store was made with
 * another lockfile.
 */
import { afterAll, describe, expect, it } from 'vitest';
import Fastify, { type FastifyInstance } from 'fastify';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { LOCKFILE, PACKAGE_ROOT } from '../../../server/config.js';
import { lazySchemaCompilers } from '../../../server/plugins/lazy-schemas.js';
import { SchemaCode, SchemaCodeWriter } from '../../../server/plugins/schema-code.js';
import { SCHEMA_CODE_DIR } from '../../../server/server.js';

// inside the package, as dist/bundle/schemas is: the stored modules require the compilers' runtime
// (fast-json-stringify, ajv) from the package's node_modules
const artifacts = join(PACKAGE_ROOT, 'test', 'artifacts');
mkdirSync(artifacts, { recursive: true });
const dir = mkdtempSync(join(artifacts, 'schema-code-'));
const store = join(dir, 'schemas');
const lockfile = join(dir, 'package-lock.json');
writeFileSync(lockfile, '{}');
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const QUERY = { type: 'object', properties: { z: { type: 'integer', minimum: 0, maximum: 24 }, bands: { type: 'array', items: { type: 'string' }, maxItems: 3 } }, required: ['z'], additionalProperties: false };
const REPLY = { type: 'object', properties: { z: { type: 'integer' }, bands: { type: 'array', items: { type: 'string' } } } };

type Mode = { write: SchemaCodeWriter } | { read: SchemaCode | null } | null;

/** The same route as the service declares it, under the given compilers (null: Fastify's own). */
async function app(mode: Mode, query: object = QUERY): Promise<FastifyInstance> {
  const pending: Array<() => void> = [];
  const a = Fastify({
    ajv: { customOptions: { coerceTypes: 'array', allErrors: false, removeAdditional: false } },
    ...(mode ? { schemaController: { compilersFactory: lazySchemaCompilers((_what, compile) => void pending.push(compile), mode) } } : {}),
  });
  a.get('/t', { schema: { querystring: query, response: { 200: REPLY } } }, async (req) => req.query);
  await a.ready();
  return a;
}

const ask = async (a: FastifyInstance, url: string) => {
  const r = await a.inject(url);
  return { status: r.statusCode, body: r.json() as unknown };
};

const URLS = ['/t?z=3&bands=red', '/t?z=3&bands=red&bands=nir', '/t?z=99', '/t?z=abc', '/t', '/t?z=1&extra=1', '/t?z=2&bands=a&bands=b&bands=c&bands=d'];

describe('route schemas compiled at build time', () => {
  it('stores a module per schema, then validates and serialises from them as Fastify does', async () => {
    const writer = new SchemaCodeWriter(store, lockfile);
    await (await app({ write: writer })).close();
    writer.finish();
    expect(writer.size).toBe(4); // the querystring validator and the 200 serializer, of GET and of HEAD
    expect(readdirSync(store)).toContain('index.json');

    const code = SchemaCode.open(store, lockfile)!;
    expect(code.size).toBe(writer.size);
    let restored = 0;
    const counting = Object.assign(Object.create(code) as SchemaCode, {
      restore: <F>(key: string): F | null => {
        const f = code.restore<F>(key);
        if (f) restored++;
        return f;
      },
    });
    const [fromStore, reference] = await Promise.all([app({ read: counting }), app(null)]);
    for (const url of URLS) expect(await ask(fromStore, url), url).toEqual(await ask(reference, url));
    expect(restored).toBe(2); // GET's two, each read once (the HEAD route is not asked)
    // coerced as the service's options say: a single value becomes an array, a number a number
    expect((await ask(fromStore, '/t?z=3&bands=red')).body).toEqual({ z: 3, bands: ['red'] });
    await Promise.all([fromStore.close(), reference.close()]);
  });

  it('compiles a schema the store does not hold (edited since the build)', async () => {
    const code = SchemaCode.open(store, lockfile)!;
    const edited = { ...QUERY, properties: { ...QUERY.properties, z: { type: 'integer', minimum: 0, maximum: 5 } } };
    const a = await app({ read: code }, edited);
    expect((await ask(a, '/t?z=3')).status).toBe(200);
    expect((await ask(a, '/t?z=9')).status).toBe(400); // the edited bound, not the stored one (24)
    await a.close();
  });

  it.skipIf(!existsSync(join(SCHEMA_CODE_DIR, 'index.json')))('the build stored the routes a fresh process is asked first, for this lockfile', () => {
    const code = SchemaCode.open(SCHEMA_CODE_DIR, LOCKFILE);
    expect(code).not.toBeNull();
    const keys = Object.keys((JSON.parse(readFileSync(join(SCHEMA_CODE_DIR, 'index.json'), 'utf8')) as { modules: Record<string, string> }).modules);
    for (const route of ['serialize GET /healthz 200', 'validate GET /tiles/:sceneId/:z/:x/:y querystring', 'validate GET /tiles/:sceneId/crops/:z/:x/:y params']) {
      expect(keys.some((k) => k.startsWith(`${route} `)), route).toBe(true);
    }
  });

  it('ignores a store made with another lockfile, or none', () => {
    expect(SchemaCode.open(store, lockfile)).not.toBeNull();
    utimesSync(lockfile, new Date(), new Date(Date.now() + 5000));
    expect(SchemaCode.open(store, lockfile)).toBeNull();
    expect(SchemaCode.open(join(dir, 'nowhere'), lockfile)).toBeNull();
  });
});
