/**
 * Schemas shared by several operations, and the helpers that declare non-JSON 2xx bodies.
 *
 * The contract (server/contract/*.ts) is the single source of truth of the HTTP API: routes declare
 * these schemas (validation, handler types through @fastify/type-provider-typebox, OpenAPI), and the
 * dashboard imports the `Static` types (client/src/types.ts). Nothing here does I/O; the only
 * import is TypeBox, so the client's build can read these files.
 */
import { Type, type Static, type TSchema } from 'typebox';

export const Problem = Type.Object(
  {
    type: Type.String({ description: 'URI naming the problem kind' }),
    title: Type.String(),
    status: Type.Integer(),
    detail: Type.String({ description: 'what exactly was wrong, and how to fix it' }),
  },
  { $id: 'Problem', additionalProperties: true, description: 'RFC 9457 problem details (application/problem+json)' },
);
export type Problem = Static<typeof Problem>;

export const problemResponses = {
  400: Problem,
  404: Problem,
  503: Problem,
};

export const SceneIdParam = Type.String({ pattern: '^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$', description: 'scene id' });

export const Bbox = Type.Tuple([Type.Number(), Type.Number(), Type.Number(), Type.Number()], { description: 'WGS84 [west, south, east, north]' });
export type Bbox = Static<typeof Bbox>;

export const Link = Type.Object(
  { rel: Type.String(), href: Type.String(), type: Type.Optional(Type.String()), title: Type.Optional(Type.String()) },
  { additionalProperties: true },
);

export const nullable = <T extends TSchema>(t: T, description?: string) => Type.Union([t, Type.Null()], description === undefined ? {} : { description });

/** Any JSON object: for documents whose members are described elsewhere (stored files, GeoJSON properties). */
export const OpenObject = (description: string) => Type.Record(Type.String(), Type.Unknown(), { description });

/**
 * A 2xx whose body is not JSON (tiles, CSV) or is JSON under another media type: one schema per
 * media type, as OpenAPI and Fastify's per-content-type serialisers read it. Binary bodies are
 * `string, format binary`; the handler sends a Buffer, a string or a stream (never re-serialised).
 */
export function media(description: string, types: Record<string, TSchema>) {
  return { description, content: Object.fromEntries(Object.entries(types).map(([t, schema]) => [t, { schema }])) };
}

export const Binary = (description: string) => Type.String({ format: 'binary', description });
export const CsvText = Type.String({ description: 'RFC 4180 CSV, UTF-8, header row first; cells starting with = + - @ tab or CR are prefixed with \' (OWASP CSV injection rule)' });
export const CSV_MEDIA = 'text/csv';
