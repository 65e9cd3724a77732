/** Bearer-token guard for routes that change state. With no token configured they are disabled. */
import { timingSafeEqual, createHash } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import { GranaryError } from '../errors.js';

const digest = (s: string) => createHash('sha256').update(s).digest();

export function requireToken(token: string | null) {
  return async (req: FastifyRequest) => {
    if (!token) throw new GranaryError('writing-disabled', 'writing routes are disabled: no GRANARY_TOKEN is configured on this server');
    const h = req.headers.authorization ?? '';
    const m = /^Bearer\s+(\S+)$/i.exec(h);
    if (!m) throw new GranaryError('unauthorized', 'this route needs "Authorization: Bearer <token>"', {}, { 'WWW-Authenticate': 'Bearer' });
    if (!timingSafeEqual(digest(m[1]!), digest(token))) throw new GranaryError('unauthorized', 'the bearer token is not valid', {}, { 'WWW-Authenticate': 'Bearer error="invalid_token"' });
  };
}
