/**
 * `GRANARY_CONNECTION_TIMEOUT_MS` closes idle sockets. Node's own handling of that timeout (Fastify's
 * `connectionTimeout` is `server.setTimeout`) destroys a socket that has been silent for that long
 * even while its request is still being computed: registering a large scene without overviews or a
 * whole-scene job submission on a loaded machine outlasted 120 s, and the client saw "other side
 * closed" with no answer at all (the 4096 scale-scene bench, 2026-12-04). With a listener on the
 * server's 'timeout' event Node leaves the decision to us: a socket with a request in flight gets
 * another period, an idle one is closed. Receiving a request is still bounded by
 * GRANARY_REQUEST_TIMEOUT_MS (Node's requestTimeout, checked separately).
 */
import type { Socket } from 'node:net';
import type { FastifyInstance } from 'fastify';

export function closeOnlyIdleSockets(app: FastifyInstance, timeoutMs: number): void {
  if (timeoutMs <= 0) return;
  const busy = new WeakMap<Socket, number>();
  app.addHook('onRequest', (req, reply, done) => {
    const s = req.raw.socket;
    busy.set(s, (busy.get(s) ?? 0) + 1);
    reply.raw.once('close', () => busy.set(s, Math.max(0, (busy.get(s) ?? 1) - 1)));
    done();
  });
  app.server.on('timeout', (socket: Socket) => {
    if ((busy.get(socket) ?? 0) > 0) socket.setTimeout(timeoutMs);
    else socket.destroy();
  });
}
