/**
 * Route schemas compiled when first used instead of when the server starts. Fastify compiles every
 * route's validators (Ajv) and response serializers (fast-json-stringify) before it listens: ~1 s of
 * CPU for this service's ~150 routes on this machine, the largest single cost of start-up. These are
 * Fastify's own compilers (the defaults, same options), wrapped so that each route's function is
 * built on its first call; `onCreated` receives each pending compilation so the server can run it
 * in the background after it listens (plugins/warmup.ts) and a request rarely pays for it.
 *
 * Tests build the app eagerly (the default of buildApp), so a schema that does not compile still
 * fails the test run at start-up rather than a request in production.
 */
import { AjvCompiler } from '@fastify/ajv-compiler';
import { SerializerSelector } from '@fastify/fast-json-stringify-compiler';
import type { FastifyServerOptions } from 'fastify';

type CompilersFactory = NonNullable<NonNullable<FastifyServerOptions['schemaController']>['compilersFactory']>;
type Fn = ((...args: unknown[]) => unknown) & { errors?: unknown; schemaEnv?: unknown };

export function lazySchemaCompilers(onCreated: (what: string, compile: () => void) => void): Required<CompilersFactory> {
  const defaultValidator = AjvCompiler() as unknown as (external: unknown, options: unknown) => (route: { url?: string; method?: string; httpPart?: string }) => Fn;
  const defaultSerializer = SerializerSelector() as unknown as (external: unknown, options: unknown) => (route: { url?: string; method?: string; httpStatus?: string }) => Fn;
  return {
    buildValidator: ((external: unknown, options: unknown) => {
      let compiler: ReturnType<typeof defaultValidator> | null = null;
      return (route: { url?: string; method?: string; httpPart?: string }) => {
        let fn: Fn | null = null;
        const compile = () => (fn ??= (compiler ??= defaultValidator(external, options))(route));
        const validate: Fn = function (data: unknown, parent?: unknown) {
          const f = compile();
          const ok = f.schemaEnv ? f(data, parent) : f(data);
          validate.errors = f.errors;
          return ok;
        };
        // Fastify hands Ajv functions (those with schemaEnv) the request as parent so that coercion
        // can replace a root value; the wrapped function forwards it when the real one is Ajv's.
        validate.schemaEnv = true;
        onCreated(`validate ${route.method} ${route.url} ${route.httpPart}`, compile);
        return validate;
      };
    }) as unknown as CompilersFactory['buildValidator'],
    buildSerializer: ((external: unknown, options: unknown) => {
      let compiler: ReturnType<typeof defaultSerializer> | null = null;
      return (route: { url?: string; method?: string; httpStatus?: string }) => {
        let fn: Fn | null = null;
        const compile = () => (fn ??= (compiler ??= defaultSerializer(external, options))(route));
        onCreated(`serialize ${route.method} ${route.url} ${route.httpStatus}`, compile);
        return (data: unknown) => compile()(data);
      };
    }) as unknown as CompilersFactory['buildSerializer'],
  } as Required<CompilersFactory>;
}
