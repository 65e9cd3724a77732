/** Download helpers: CSV (RFC 4180, UTF-8) and whole-layer GeoJSON streamed feature by feature. */
import { Readable } from 'node:stream';
import type { FastifyReply } from 'fastify';
import { toCsv } from '../../analytics/csv.js';
import { badRequest } from '../../errors.js';

const CSV_TYPE = 'text/csv; charset=utf-8';
export const GEOJSON_TYPE = 'application/geo+json';

/** `format` query value: json (default) or csv; anything else is a 400. */
export function wantsCsv(format: string | undefined): boolean {
  if (format === undefined || format === '' || format === 'json') return false;
  if (format === 'csv') return true;
  throw badRequest(`format "${String(format).slice(0, 20)}" is not supported; valid: json, csv`);
}

const safeName = (s: string) => s.replace(/[^A-Za-z0-9._-]+/g, '_');

function attachment(filename: string): string {
  return `attachment; filename="${safeName(filename)}"`;
}

export function sendCsv(reply: FastifyReply, filename: string, rows: ReadonlyArray<Readonly<Record<string, unknown>>>, columns: ReadonlyArray<string>): FastifyReply {
  return reply.header('Content-Type', CSV_TYPE).header('Content-Disposition', attachment(filename)).send(toCsv(rows, columns));
}

/**
 * Streams a FeatureCollection: the head, then one serialised feature per read, then the tail, so the
 * whole document is never built as one string.
 */
function featureCollectionStream(features: Iterable<unknown> | AsyncIterable<unknown>, members: Record<string, unknown> = {}): Readable {
  async function* chunks(): AsyncGenerator<string> {
    const head = JSON.stringify({ type: 'FeatureCollection', ...members });
    yield `${head.slice(0, -1)}${head.length > 2 ? ',' : ''}"features":[`;
    let first = true;
    for await (const f of features) {
      yield (first ? '\n' : ',\n') + JSON.stringify(f);
      first = false;
    }
    yield '\n]}\n';
  }
  return Readable.from(chunks(), { objectMode: false });
}

export function sendGeojsonDownload(reply: FastifyReply, filename: string, features: Iterable<unknown> | AsyncIterable<unknown>, members: Record<string, unknown> = {}): FastifyReply {
  return reply.header('Content-Type', GEOJSON_TYPE).header('Content-Disposition', attachment(filename)).send(featureCollectionStream(features, members));
}
