/**
 * Route schemas compiled when first used instead of when the server starts. Fastify compiles every
 * route's validators (Ajv) and response serializers (fast-json-stringify) before it listens: ~1 s of
 * CPU for this service's ~150 routes on this machine, the largest single cost of start-up. These are
 * Fastify's own compilers (the defaults, same options), wrapped so that each route's function is
 * built on its first call; `onCreated` receives each pending compilation so the server can run it
 * in the background after it listens (plugins/warmup.ts) and a request rarely pays for it.
 *
 * With a build's stored code (`code.read`, plugins/schema-code.ts) a route's first use loads the
 * module made for its schema instead of compiling; a schema without one is compiled as before. With
 * `code.write` (the build) every function is compiled at once by the compilers' standalone mode and
 * its code stored.
 *
 * Tests build the app eagerly (the default of buildApp), so a schema that does not compile still
 * fails the test run at start-up rather than a request in production.
 */
import { AjvCompiler, StandaloneValidator } from '@fastify/ajv-compiler';
import { SerializerSelector, StandaloneSerializer } from '@fastify/fast-json-stringify-compiler';
import type { FastifyServerOptions } from 'fastify';
import { schemaKey, type RouteSchema, type SchemaCode, type SchemaCodeWriter } from './schema-code.js';

type CompilersFactory = NonNullable<NonNullable<FastifyServerOptions['schemaController']>['compilersFactory']>;
type Fn = ((...args: unknown[]) => unknown) & { errors?: unknown; schemaEnv?: unknown };
type Compiler = (route: RouteSchema) => Fn;
type CompilerFactory = (external: unknown, options: unknown) => Compiler;

export interface SchemaCodeOptions {
  /** a build's stored code, read on each route's first use */
  read?: SchemaCode | null;
  /** the build: compile everything now and store its code here */
  write?: SchemaCodeWriter;
}

export function lazySchemaCompilers(onCreated: (what: string, compile: () => void) => void, code: SchemaCodeOptions = {}): Required<CompilersFactory> {
  const { read, write } = code;
  // the context hashed into each key is taken before a standalone compiler adds its own options
  // (it sets them on the object it is given: each compiler gets a copy)
  const context = (external: unknown, options: unknown) => JSON.stringify([external ?? null, options ?? null]);
  const store = (kind: 'validate' | 'serialize', ctx: string) => (route: RouteSchema, source: string) => write!.add(schemaKey(kind, route, ctx), source);
  const validatorFactory = (ctx: string): CompilerFactory => (write ? StandaloneValidator({ readMode: false, storeFunction: store('validate', ctx) as never }) : AjvCompiler()) as unknown as CompilerFactory;
  const serializerFactory = (ctx: string): CompilerFactory => (write ? StandaloneSerializer({ readMode: false, storeFunction: store('serialize', ctx) as never }) : SerializerSelector()) as unknown as CompilerFactory;
  return {
    buildValidator: ((external: unknown, options: unknown) => {
      const ctx = context(external, options);
      let compiler: Compiler | null = null;
      return (route: RouteSchema) => {
        let fn: Fn | null = null;
        const compile = () => (fn ??= read?.restore<Fn>(schemaKey('validate', route, ctx)) ?? (compiler ??= validatorFactory(ctx)(external, { ...(options as object) }))(route));
        const validate: Fn = function (data: unknown, parent?: unknown) {
          const f = compile();
          const ok = f.schemaEnv ? f(data, parent) : f(data);
          validate.errors = f.errors;
          return ok;
        };
        // Fastify hands Ajv functions (those with schemaEnv) the request as parent so that coercion
        // can replace a root value; the wrapped function forwards it when the real one is Ajv's.
        validate.schemaEnv = true;
        if (write) compile();
        else onCreated(`validate ${route.method} ${route.url} ${route.httpPart}`, compile);
        return validate;
      };
    }) as unknown as CompilersFactory['buildValidator'],
    buildSerializer: ((external: unknown, options: unknown) => {
      const ctx = context(external, options);
      let compiler: Compiler | null = null;
      return (route: RouteSchema) => {
        let fn: Fn | null = null;
        const compile = () => (fn ??= read?.restore<Fn>(schemaKey('serialize', route, ctx)) ?? (compiler ??= serializerFactory(ctx)(external, { ...(options as object) }))(route));
        if (write) compile();
        else onCreated(`serialize ${route.method} ${route.url} ${route.httpStatus}`, compile);
        return (data: unknown) => compile()(data);
      };
    }) as unknown as CompilersFactory['buildSerializer'],
  } as Required<CompilersFactory>;
}
