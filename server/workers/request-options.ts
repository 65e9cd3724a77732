/**
 * Pool options for the tasks of one HTTP request: the client (for the bulk lane's per-client share)
 * and an AbortSignal that fires when the client goes away before the response is sent, so its
 * queued tasks are dropped and its running task is stopped in its child.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { RunOptions } from './pool.js';

const signals = new WeakMap<FastifyRequest, AbortSignal>();

function requestSignal(req: FastifyRequest, reply: FastifyReply): AbortSignal {
  let signal = signals.get(req);
  if (signal) return signal;
  const ac = new AbortController();
  signal = ac.signal;
  signals.set(req, signal);
  // 'close' on the response: sent (writableFinished) or the connection went away first
  reply.raw.once('close', () => {
    if (!reply.raw.writableFinished) ac.abort();
  });
  return signal;
}

export function taskOptions(req: FastifyRequest, reply: FastifyReply, key?: string): RunOptions {
  return { signal: requestSignal(req, reply), client: req.ip, ...(key !== undefined ? { key } : {}) };
}
