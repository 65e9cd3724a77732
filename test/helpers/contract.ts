/**
 * The HTTP contract, checked on every inject(): a 2xx answer must match the response schema its
 * route declares (server/contract/*.ts) for that status and media type. Routes are looked up with
 * find-my-way, the router Fastify itself uses, over `app.routeTable`, so `/tiles/:sceneId/crops/...`
 * and `/tiles/:sceneId/:z/:x/:y` resolve exactly as the server resolves them.
 *
 *   const app = checkContract(await buildApp(config));   // createTestApp() does this already
 *   await app.inject({ url: '/api/regions' });          // throws when the body breaks the schema
 */
import FindMyWay, { type HTTPMethod } from 'find-my-way';
import type { FastifyInstance, InjectOptions, LightMyRequestResponse } from 'fastify';
import type { TSchema } from 'typebox';
import { Compile } from 'typebox/compile';
import { brotliDecompressSync, gunzipSync, inflateSync } from 'node:zlib';
import type { RouteEntry } from '../../server/app.js';

type ResponseSchemas = Record<string, TSchema | { content?: Record<string, { schema: TSchema }> }>;

const compiled = new WeakMap<object, ReturnType<typeof Compile>>();
function validator(schema: TSchema) {
  let v = compiled.get(schema);
  if (!v) compiled.set(schema, (v = Compile(schema)));
  return v;
}

function routerOf(table: ReadonlyArray<RouteEntry>) {
  const router = FindMyWay<FindMyWay.HTTPVersion.V1>();
  for (const r of table) {
    for (const m of Array.isArray(r.method) ? r.method : [r.method]) {
      if (m === 'HEAD' && table.some((o) => o.url === r.url && o.method !== 'HEAD')) continue;
      try {
        router.on(m as HTTPMethod, r.url, () => undefined, r);
      } catch {
        /* the same route registered twice (e.g. /ogc and /ogc/): the first wins, as in Fastify */
      }
    }
  }
  return router;
}

const isJson = (mediaType: string) => mediaType === 'application/json' || mediaType.endsWith('+json');

/** The declared schema of one response, or a message saying what is missing. */
export function responseSchema(route: RouteEntry, status: number, contentType: string): TSchema | string {
  const responses = (route.schema?.response ?? {}) as ResponseSchemas;
  const declared = responses[String(status)] ?? responses[`${String(status)[0]}xx`];
  if (!declared) return `${route.url} declares no schema for status ${status}`;
  const mediaType = contentType.split(';')[0]!.trim().toLowerCase();
  const content = (declared as { content?: Record<string, { schema: TSchema }> }).content;
  if (content && typeof content === 'object' && !('type' in declared)) {
    const entry = content[mediaType];
    if (!entry) return `${route.url} ${status}: media type ${mediaType} is not declared (declared: ${Object.keys(content).join(', ')})`;
    return entry.schema;
  }
  if (!isJson(mediaType)) return `${route.url} ${status}: answered ${mediaType} but declares one JSON schema`;
  return declared as TSchema;
}

/** Throws when a 2xx answer does not match its route's declared schema. */
function checkResponse(router: ReturnType<typeof routerOf>, method: string, url: string, res: LightMyRequestResponse): void {
  if (res.statusCode < 200 || res.statusCode > 299 || res.statusCode === 204) return;
  const path = url.split('?')[0]!;
  const found = router.find(method as HTTPMethod, path);
  if (!found) return; // 2xx from a route outside the table (static dashboard files)
  const route = found.store as RouteEntry;
  if ((route.schema as { hide?: boolean } | undefined)?.hide) return;
  const schema = responseSchema(route, res.statusCode, String(res.headers['content-type'] ?? ''));
  if (typeof schema === 'string') throw new Error(`contract: ${method} ${path}: ${schema}`);
  const mediaType = String(res.headers['content-type'] ?? '').split(';')[0]!.trim();
  if (!isJson(mediaType)) {
    if ((schema as { format?: string }).format === 'binary' && res.rawPayload.length === 0) throw new Error(`contract: ${method} ${path}: empty ${mediaType} body`);
    return;
  }
  const encoding = String(res.headers['content-encoding'] ?? 'identity');
  const raw = encoding === 'br' ? brotliDecompressSync(res.rawPayload) : encoding === 'gzip' ? gunzipSync(res.rawPayload) : encoding === 'deflate' ? inflateSync(res.rawPayload) : res.rawPayload;
  const body: unknown = JSON.parse(raw.toString('utf8'));
  const v = validator(schema);
  if (!v.Check(body)) {
    const errors = v.Errors(body).slice(0, 5).map((e) => `${e.instancePath || '/'} ${e.message}`);
    throw new Error(`contract: ${method} ${path} ${res.statusCode} does not match its schema: ${errors.join('; ')}`);
  }
}

/** Makes `app.inject(options)` check every 2xx answer against the contract. Returns the app. */
export function checkContract<T extends FastifyInstance>(app: T): T {
  const original = app.inject.bind(app) as (opts?: InjectOptions | string) => Promise<LightMyRequestResponse>;
  let router: ReturnType<typeof routerOf> | null = null;
  const checked = async (opts: InjectOptions | string): Promise<LightMyRequestResponse> => {
    const res = await original(opts);
    router ??= routerOf(app.routeTable);
    const o = typeof opts === 'string' ? { url: opts } : opts;
    const url = typeof o.url === 'string' ? o.url : typeof o.path === 'string' ? o.path : '/';
    checkResponse(router, (o.method ?? 'GET').toUpperCase(), url, res);
    return res;
  };
  Object.defineProperty(app, 'inject', {
    configurable: true,
    writable: true,
    value: (opts?: InjectOptions | string, cb?: unknown) => (opts === undefined || cb !== undefined ? (original as (...a: unknown[]) => unknown)(opts, cb) : checked(opts)),
  });
  return app;
}
