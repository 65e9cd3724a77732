/**
 * Route schemas compiled when the service is built, not when it starts (issue #17). Fastify's own
 * compilers (Ajv for validation, fast-json-stringify for responses) can write the code they generate
 * as CommonJS modules ("standalone" mode of @fastify/ajv-compiler and
 * @fastify/fast-json-stringify-compiler) and take such modules back instead of compiling. The build
 * (scripts/make-schema-code.mjs) builds the app once with the writing compilers and stores every
 * route's code in dist/bundle/schemas/; the server process reads them back on a route's first use
 * (plugins/lazy-schemas.ts), so a start never creates an Ajv instance (~40 ms) nor compiles the
 * schemas of the routes it is first asked for (~50 ms more).
 *
 * A module is used only for the very schema it was made from: its key is the route, the part
 * (querystring, body, a response status) and a hash of the schema, the shared schemas and the
 * compiler options. A schema edited since the build, or a different option, misses and is compiled
 * as before. The index also names the lockfile it was built with (size and modification time, as
 * dist/manifest.json does): after `npm install` of other compiler versions, the whole store is
 * ignored until the next build.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';

export type SchemaCodeKind = 'validate' | 'serialize';

/** What Fastify hands a validator or serializer compiler for one route and part. */
export interface RouteSchema {
  schema?: unknown;
  method?: string;
  url?: string;
  httpPart?: string;
  httpStatus?: string;
}

/**
 * The key of one compiled schema. `context` is what else the generated code depends on (the shared
 * schemas and the compiler options), serialised once per compiler by the caller.
 */
export function schemaKey(kind: SchemaCodeKind, route: RouteSchema, context: string): string {
  const hash = createHash('sha256').update(JSON.stringify(route.schema ?? null)).update('\0').update(context).digest('base64url').slice(0, 22);
  return `${kind} ${route.method ?? ''} ${route.url ?? ''} ${route.httpPart ?? route.httpStatus ?? ''} ${hash}`;
}

interface Index {
  lockfile: string;
  modules: Record<string, string>;
}

const INDEX = 'index.json';

const lockIdentity = (lockfile: string): string => {
  try {
    const s = statSync(lockfile);
    return `${s.size}:${s.mtimeMs}`;
  } catch {
    return 'none';
  }
};

/** The stored modules of a build, read back by key. */
export class SchemaCode {
  private readonly require: NodeJS.Require;

  private constructor(
    private readonly dir: string,
    private readonly modules: Record<string, string>,
  ) {
    this.require = createRequire(join(dir, INDEX));
  }

  /** The store in `dir`, or null when there is none or it was built with another lockfile. */
  static open(dir: string, lockfile: string): SchemaCode | null {
    let index: Index;
    try {
      index = JSON.parse(readFileSync(join(dir, INDEX), 'utf8')) as Index;
    } catch {
      return null;
    }
    if (index.lockfile !== lockIdentity(lockfile) || typeof index.modules !== 'object' || index.modules === null) return null;
    return new SchemaCode(dir, index.modules);
  }

  get size(): number {
    return Object.keys(this.modules).length;
  }

  /** The compiled function stored under `key`, or null (not stored: the caller compiles). */
  restore<F>(key: string): F | null {
    const file = this.modules[key];
    return file ? (this.require(join(this.dir, file)) as F) : null;
  }
}

/** Writes a build's modules (replacing what `dir` held) and, on finish, their index. */
export class SchemaCodeWriter {
  private readonly modules: Record<string, string> = {};

  constructor(
    private readonly dir: string,
    private readonly lockfile: string,
  ) {
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
  }

  add(key: string, code: string): void {
    if (this.modules[key]) return;
    const file = `${Object.keys(this.modules).length}.cjs`;
    writeFileSync(join(this.dir, file), code);
    this.modules[key] = file;
  }

  get size(): number {
    return Object.keys(this.modules).length;
  }

  /** The index last: a build that stops before it leaves a store that is not read. */
  finish(): void {
    const index: Index = { lockfile: lockIdentity(this.lockfile), modules: this.modules };
    writeFileSync(join(this.dir, INDEX), JSON.stringify(index));
  }
}
