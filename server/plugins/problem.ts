/** The one error handler: GranaryError -> its 4xx/5xx, schema errors -> 400, the rest -> generic 500 (logged). */
import type { FastifyError, FastifyInstance } from 'fastify';
import { GranaryError } from '../errors.js';

export const PROBLEM_TYPE = 'application/problem+json';

export function registerProblemHandlers(app: FastifyInstance): void {
  app.setErrorHandler((err: FastifyError | GranaryError | Error, req, reply) => {
    if (err instanceof GranaryError) {
      for (const [k, v] of Object.entries(err.headers)) reply.header(k, v);
      if (err.status >= 500) req.log.warn({ err: err.message }, 'service problem');
      return reply.code(err.status).type(PROBLEM_TYPE).send(err.toProblem(req.url.split('?')[0]));
    }
    const fe = err as FastifyError;
    if (fe.validation) {
      const detail = `${fe.validationContext ?? 'request'}${fe.validation[0]?.instancePath ?? ''} ${fe.validation[0]?.message ?? 'is invalid'}`.replace(/\s+/g, ' ');
      return reply.code(400).type(PROBLEM_TYPE).send({ type: 'https://granary.dev/problems/bad-request', title: 'Bad request', status: 400, detail });
    }
    if (typeof fe.statusCode === 'number' && fe.statusCode >= 400 && fe.statusCode < 500) {
      // Fastify's own 4xx (body too large, bad JSON, unsupported media type, ...)
      return reply.code(fe.statusCode).type(PROBLEM_TYPE).send({ type: `https://granary.dev/problems/http-${fe.statusCode}`, title: fe.name || 'Bad request', status: fe.statusCode, detail: fe.message });
    }
    if (fe.statusCode === 503) {
      return reply.code(503).header('Retry-After', '1').type(PROBLEM_TYPE).send({ type: 'https://granary.dev/problems/overloaded', title: 'Service overloaded', status: 503, detail: fe.message });
    }
    req.log.error({ err }, 'unhandled error');
    return reply.code(500).type(PROBLEM_TYPE).send({ type: 'https://granary.dev/problems/internal', title: 'Internal error', status: 500, detail: 'an unexpected error occurred; it has been logged' });
  });
  app.setNotFoundHandler((req, reply) => {
    reply.code(404).type(PROBLEM_TYPE).send({ type: 'https://granary.dev/problems/not-found', title: 'Not found', status: 404, detail: `no route ${req.method} ${req.url.split('?')[0]!.slice(0, 200)}` });
  });
}
