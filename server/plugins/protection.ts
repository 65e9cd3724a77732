/**
 * Protection at the door, registered first (server/app.ts) so that every route gets it:
 *
 * - under-pressure: when the event loop lags more than GRANARY_MAX_EVENT_LOOP_DELAY_MS, new requests
 *   get `503` problem+json with `Retry-After` at once instead of piling up (the CPU work itself is
 *   bounded by the worker pool's queue, server/workers/pool.ts, which also answers 503).
 * - rate-limit: GRANARY_RATE_LIMIT requests per minute per client IP, then `429` problem+json with
 *   `Retry-After`; GRANARY_RATE_LIMIT_ALLOWLIST exempts IPs (e.g. a tile cache in front).
 * - helmet: security headers; a Content-Security-Policy that lets the dashboard run (scripts and
 *   styles from the service itself, MapLibre's worker from 'self' or blob:, data:/blob: images).
 * - CORS from GRANARY_CORS_ORIGIN (unset: no CORS headers, same-origin only).
 *
 * /healthz and /metrics are exempt from the rate limit and the pressure gate, so that an operator
 * (and a load balancer) can always see what the service is doing.
 */
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import helmet from '@fastify/helmet';
import rateLimit from '@fastify/rate-limit';
import underPressure from '@fastify/under-pressure';
import cors from '@fastify/cors';
import type { Config } from '../config.js';
import { PROBLEM_TYPE } from './problem.js';

/** Routes never refused by the rate limit or the pressure gate. */
const OPERATIONS = new Set(['/healthz', '/metrics']);
const isOperations = (req: FastifyRequest) => OPERATIONS.has(req.url.split('?')[0] ?? '');

/** The dashboard's Content-Security-Policy (also fine for the API docs at /docs). */
const CSP_DIRECTIVES = {
  defaultSrc: ["'self'"],
  baseUri: ["'self'"],
  scriptSrc: ["'self'"],
  // MapLibre and the docs UI set inline style attributes
  styleSrc: ["'self'", "'unsafe-inline'"],
  imgSrc: ["'self'", 'data:', 'blob:'],
  fontSrc: ["'self'", 'data:'],
  connectSrc: ["'self'", 'data:', 'blob:'],
  workerSrc: ["'self'", 'blob:'],
  childSrc: ["'self'", 'blob:'],
  objectSrc: ["'none'"],
  frameAncestors: ["'self'"],
  formAction: ["'self'"],
  // The service is often reached over plain http on a LAN address: never rewrite to https.
  upgradeInsecureRequests: null,
};

/**
 * Errors the router answers before any route or hook runs (a path that is not valid
 * percent-encoding, a path parameter longer than maxParamLength): problem+json like the rest.
 * Passed as the `frameworkErrors` option of Fastify (server/app.ts).
 */
export function frameworkErrors(error: FastifyError, _req: FastifyRequest, reply: FastifyReply): void {
  const status = typeof error.statusCode === 'number' && error.statusCode >= 400 && error.statusCode < 500 ? error.statusCode : 400;
  void reply
    .code(status)
    .type(PROBLEM_TYPE)
    .send({ type: `https://granary.dev/problems/http-${status}`, title: status === 414 ? 'URI too long' : 'Bad request', status, detail: `${error.code ?? 'bad request'}: ${error.message.slice(0, 200)}` });
}

class TooManyRequests extends Error {
  readonly statusCode = 429;
  constructor(message: string) {
    super(message);
    this.name = 'Too many requests';
  }
}

async function protection(app: FastifyInstance, opts: { config: Config }) {
  const { config } = opts;

  if (config.maxEventLoopDelayMs > 0) {
    // Start-up (loading regions, models, the catalog) blocks the loop for a while: that reading is
    // stale once the service is ready, so the gate ignores it for the first samples after ready.
    const sampleInterval = 250;
    let graceUntil = Infinity;
    app.addHook('onReady', async () => {
      graceUntil = Date.now() + 4 * sampleInterval;
    });
    // Only sustained lag closes the gate: one long pause (a big synchronous job) gives a single high
    // sample; readings must stay above the limit for two sample intervals in a row.
    let highSince: number | null = null;
    const watch = setInterval(() => {
      const high = app.memoryUsage().eventLoopDelay > config.maxEventLoopDelayMs;
      highSince = high ? (highSince ?? Date.now()) : null;
    }, sampleInterval);
    watch.unref();
    app.addHook('onClose', async () => clearInterval(watch));
    const sustained = () => highSince !== null && Date.now() - highSince >= 2 * sampleInterval;
    await app.register(underPressure, {
      maxEventLoopDelay: config.maxEventLoopDelayMs,
      sampleInterval,
      retryAfter: 2,
      exposeStatusRoute: false,
      // Returning a value makes under-pressure send it (its typings only admit void); undefined lets it through.
      pressureHandler: ((req: FastifyRequest, reply: FastifyReply, type: string, value: number | undefined) => {
        if (isOperations(req) || Date.now() < graceUntil || !sustained()) return undefined; // let it through
        req.log.warn({ type, value }, 'under pressure: refusing a request');
        reply.code(503).header('Retry-After', '2').type(PROBLEM_TYPE);
        return {
          type: 'https://granary.dev/problems/overloaded',
          title: 'Service overloaded',
          status: 503,
          detail: `the service is under pressure (${type}${value !== undefined ? ` ${Math.round(value)}` : ''}); retry shortly`,
        };
      }) as unknown as (req: FastifyRequest, reply: FastifyReply, type: string, value: number | undefined) => void,
    });
  }

  if (config.rateLimit > 0) {
    await app.register(rateLimit, {
      global: true,
      max: config.rateLimit,
      timeWindow: 60_000,
      allowList: (req: FastifyRequest, key: string) => isOperations(req) || config.rateLimitAllowlist.includes(key),
      // bounded memory: the store keeps at most this many clients (least recently seen dropped)
      cache: 10_000,
      errorResponseBuilder: (_req, ctx) => new TooManyRequests(`more than ${ctx.max} requests per minute from this client; retry in ${ctx.after}`),
    });
  }

  await app.register(helmet, {
    global: true,
    contentSecurityPolicy: { useDefaults: false, directives: CSP_DIRECTIVES },
    // tiles and GeoJSON are public data: other sites' maps may load them (CORS still applies to fetch)
    crossOriginResourcePolicy: { policy: 'cross-origin' },
    crossOriginEmbedderPolicy: false,
  });

  if (config.corsOrigin !== null) {
    const origins = config.corsOrigin.split(',').map((s) => s.trim()).filter((s) => s.length > 0);
    await app.register(cors, {
      origin: origins.includes('*') ? '*' : origins,
      methods: ['GET', 'HEAD', 'POST', 'OPTIONS'],
      allowedHeaders: ['Authorization', 'Content-Type', 'If-None-Match', 'X-Request-Id'],
      exposedHeaders: ['ETag', 'Retry-After', 'Location', 'Content-Disposition', 'Content-Crs', 'X-Request-Id', 'X-Granary-Season', 'X-Granary-Empty', 'Granary-Limit-Clamped', 'RateLimit-Limit', 'RateLimit-Remaining', 'x-ratelimit-limit', 'x-ratelimit-remaining', 'x-ratelimit-reset'],
      maxAge: 600,
    });
  }

  // Every answer carries the request id that the logs carry.
  app.addHook('onSend', async (req, reply) => {
    reply.header('X-Request-Id', req.id);
  });
}

export default fp(protection, { name: 'granary-protection', fastify: '5.x' });
