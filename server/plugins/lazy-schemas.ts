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
import { schemaKey, type RouteSchema, type SchemaCode, type SchemaCodeKind, type SchemaCodeWriter } from './schema-code.js';

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

/**
 * For one compiler context (the shared schemas and options Fastify gives), a route's function made
 * on its first use: the build's stored module when it has one, else compiled by `make`'s compiler
 * (created once, on the first compile). The context is serialised for the keys only when first needed.
 */
function onFirstUse(kind: SchemaCodeKind, make: (ctx: string) => CompilerFactory, read: SchemaCode | null | undefined, external: unknown, options: unknown) {
  let ctx: string | null = null;
  const context = () => (ctx ??= JSON.stringify([external ?? null, options ?? null]));
  let compiler: Compiler | null = null;
  return (route: RouteSchema) => {
    let fn: Fn | null = null;
    // a standalone compiler sets its own options on the object it is given: it gets a copy
    return () => (fn ??= read?.restore<Fn>(schemaKey(kind, route, context())) ?? (compiler ??= make(context())(external, { ...(options as object) }))(route));
  };
}

export function lazySchemaCompilers(onCreated: (what: string, compile: () => void) => void, code: SchemaCodeOptions = {}): Required<CompilersFactory> {
  const { read, write } = code;
  const store = (kind: SchemaCodeKind, ctx: string) => (route: RouteSchema, source: string) => write!.add(schemaKey(kind, route, ctx), source);
  const validatorFactory = (ctx: string): CompilerFactory => (write ? StandaloneValidator({ readMode: false, storeFunction: store('validate', ctx) as never }) : AjvCompiler()) as unknown as CompilerFactory;
  const serializerFactory = (ctx: string): CompilerFactory => (write ? StandaloneSerializer({ readMode: false, storeFunction: store('serialize', ctx) as never }) : SerializerSelector()) as unknown as CompilerFactory;
  return {
    buildValidator: ((external: unknown, options: unknown) => {
      const compileFor = onFirstUse('validate', validatorFactory, read, external, options);
      return (route: RouteSchema) => {
        const compile = compileFor(route);
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
      const compileFor = onFirstUse('serialize', serializerFactory, read, external, options);
      return (route: RouteSchema) => {
        const compile = compileFor(route);
        if (write) compile();
        else onCreated(`serialize ${route.method} ${route.url} ${route.httpStatus}`, compile);
        return (data: unknown) => compile()(data);
      };
    }) as unknown as CompilersFactory['buildSerializer'],
  } as Required<CompilersFactory>;
}
