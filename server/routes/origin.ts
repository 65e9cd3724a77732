import type { FastifyRequest } from 'fastify';

/** Absolute origin of the request (protocol + host), for links and templates. */
export function originOf(req: FastifyRequest): string {
  const host = req.headers.host ?? `${req.hostname}`;
  return `${req.protocol}://${host}`;
}
