/**
 * `GET /api/boundaries/regions.topojson?detail=low|full`: the municipal boundaries as TopoJSON for
 * the dashboard's map (ids and names only; the indicators come from /api/yield-gap). Built once per
 * detail level and kept; ETag + long-lived caching, compressed by the compression plugin.
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { createHash } from 'node:crypto';
import { boundaryTopology, type BoundaryDetail } from '../../analytics/boundary-topology.js';
import { media, problemResponses } from '../../contract/common.js';
import { BoundariesQuery, Topology } from '../../contract/regions.js';

export default (async function boundaryRoutes(app) {
  const built = new Map<BoundaryDetail, { body: string; etag: string }>();
  const get = (detail: BoundaryDetail) => {
    let b = built.get(detail);
    if (!b) {
      const body = JSON.stringify(boundaryTopology(app.regions.regions, detail));
      b = { body, etag: `"${createHash('sha256').update(body).digest('hex').slice(0, 20)}"` };
      built.set(detail, b);
    }
    return b;
  };

  app.get('/api/boundaries/regions.topojson', {
    schema: {
      tags: ['regions'],
      summary: 'Municipal boundaries as TopoJSON for web maps: detail=low (simplified, for state and regional views) or full (quantised to about 1 m)',
      querystring: BoundariesQuery,
      response: { 200: media('the boundaries as TopoJSON (application/json); 304 when If-None-Match matches the ETag', { 'application/json': Topology }), ...problemResponses },
    },
  }, async (req, reply) => {
    const b = get(req.query.detail ?? 'low');
    reply.header('ETag', b.etag).header('Cache-Control', 'public, max-age=3600');
    if (req.headers['if-none-match'] === b.etag) return reply.code(304).send();
    return reply.type('application/json; charset=utf-8').send(b.body);
  });
}) satisfies FastifyPluginAsyncTypebox;
