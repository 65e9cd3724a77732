/** Sends a rendered tile through the in-memory tile cache, answering 304 when the client has it. */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { TileCache } from '../plugins/tile-cache.js';
import type { TileResult } from '../pipeline/tile.js';

export async function sendCachedTile(
  app: FastifyInstance,
  req: FastifyRequest,
  reply: FastifyReply,
  key: string,
  contentType: string,
  render: () => Promise<TileResult>,
): Promise<FastifyReply> {
  const etag = TileCache.etagFor(key);
  reply.header('ETag', etag).header('Cache-Control', 'public, max-age=3600').header('Vary', 'Accept-Encoding');
  if (req.headers['if-none-match'] === etag) return reply.code(304).send();
  let hit = app.tileCache.get(key);
  app.metrics.tileCache.inc({ result: hit ? 'hit' : 'miss' });
  if (!hit) {
    const r = await render();
    hit = { body: Buffer.from(r.body.buffer, r.body.byteOffset, r.body.byteLength), contentType, etag, empty: r.empty };
    app.tileCache.set(key, hit);
  }
  if (hit.empty) reply.header('X-Granary-Empty', 'true');
  return reply.type(hit.contentType).send(hit.body);
}
