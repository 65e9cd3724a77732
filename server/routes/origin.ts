import type { FastifyRequest } from 'fastify';
import { badRequest } from '../errors.js';

/** A Host header value: a DNS name or IPv4 address, or a bracketed IPv6 address, with an optional port. */
const HOST = /^(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,62}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,62}[A-Za-z0-9])?)*|\[[0-9A-Fa-f:.]{2,45}\])(?::\d{1,5})?$/;

/**
 * Absolute origin for links and templates (OGC links, TileJSON URLs): GRANARY_PUBLIC_URL when set
 * (behind a proxy), else the request's Host header once it is a syntactically valid host[:port]
 * (anything else, e.g. a path, quotes or markup smuggled in the header, is a 400).
 */
export function originOf(req: FastifyRequest): string {
  const configured = req.server.config.publicUrl;
  if (configured) return configured;
  const host = req.headers.host ?? '';
  if (!HOST.test(host)) throw badRequest('invalid Host header: links cannot be built from it (send host[:port], or set GRANARY_PUBLIC_URL behind a proxy)');
  return `${req.protocol}://${host}`;
}
