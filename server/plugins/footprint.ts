/**
 * Footprint of every request: runs each request inside its own `cpuAccounting` account (so the
 * worker CPU of its pool tasks is collected) and a main-thread ledger entry (its share of the main
 * thread's CPU, see footprint/ledger.ts), then at onSend turns the CPU into energy and CO2e,
 * records it by kind, and answers with
 *
 *   Server-Timing: cpu;dur=<ms>;desc="worker+main CPU", energy;desc="<mWh> mWh", co2e;desc="<mg> mg CO2e"
 *
 * Feeds `granary_energy_joules_total{kind}`, `granary_co2e_grams_total{kind}` and
 * `granary_footprint_cpu_seconds_total{kind,thread}`, and decorates `app.footprint` (the recorder)
 * so jobs can record too: `app.footprint.track('crop-map', async (job) => { ...; job.km2 = a })`.
 *
 * The request is closed at onSend, so the header and the recorded figures are the same numbers;
 * CPU spent writing the response afterwards falls to the next interval of the ledger.
 */
import fp from 'fastify-plugin';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { Counter } from 'prom-client';
import { cpuAccounting, type CpuAccount } from '../workers/pool.js';
import { createFootprintRecorder, type FootprintRecorder, type RecordedFootprint } from '../footprint/recorder.js';
import type { LedgerEntry } from '../footprint/ledger.js';
import { KINDS } from '../footprint/summary.js';
import { isTileKind, requestKind } from '../footprint/kinds.js';
import { formatServerTiming } from '../footprint/server-timing.js';

declare module 'fastify' {
  interface FastifyInstance {
    footprint: FootprintRecorder;
  }
}

interface RequestFootprint {
  account: CpuAccount;
  entry: LedgerEntry;
  recorded: RecordedFootprint | null;
}

async function footprintPlugin(app: FastifyInstance) {
  const recorder = createFootprintRecorder(app.config);
  app.decorate('footprint', recorder);

  const registers = [app.metrics.registry];
  const joules = new Counter({ name: 'granary_energy_joules_total', help: 'Estimated energy of the service work by kind (J, PUE included; see GET /api/footprint for the method)', labelNames: ['kind'], registers });
  const grams = new Counter({ name: 'granary_co2e_grams_total', help: 'Estimated emissions of the service work by kind (g CO2e, at the configured grid carbon intensity)', labelNames: ['kind'], registers });
  const cpu = new Counter({ name: 'granary_footprint_cpu_seconds_total', help: 'CPU seconds attributed to the service work by kind and thread (worker or main)', labelNames: ['kind', 'thread'], registers });
  for (const kind of KINDS) {
    joules.inc({ kind }, 0);
    grams.inc({ kind }, 0);
  }
  recorder.onRecord((r) => {
    joules.inc({ kind: r.kind }, r.joules);
    grams.inc({ kind: r.kind }, r.gCo2e);
    cpu.inc({ kind: r.kind, thread: 'worker' }, r.workerCpuMs / 1000);
    cpu.inc({ kind: r.kind, thread: 'main' }, r.mainCpuMs / 1000);
  });
  app.pool.onTaskCpu((_kind, ms) => {
    recorder.workerCpuReportedMs += ms;
  });

  const state = new WeakMap<FastifyRequest, RequestFootprint>();

  const finish = (req: FastifyRequest, reply: FastifyReply | null): RecordedFootprint | null => {
    const s = state.get(req);
    if (!s) return null;
    if (s.recorded) return s.recorded;
    const mainCpuMs = recorder.ledger.close(s.entry);
    const kind = requestKind(req.routeOptions?.url, s.account.byKind);
    const status = reply?.statusCode ?? 499;
    const tile = isTileKind(kind) && status < 400;
    s.recorded = recorder.record({
      kind,
      workerCpuMs: s.account.cpuMs,
      mainCpuMs,
      ...(tile ? { tiles: 1, renderedTiles: s.account.cpuMs > 0 ? 1 : 0 } : {}),
    });
    return s.recorded;
  };

  // Callback style: the rest of the request lifecycle runs inside the account's async context.
  app.addHook('onRequest', (req, _reply, done) => {
    const s: RequestFootprint = { account: { cpuMs: 0, byKind: {} }, entry: recorder.open(), recorded: null };
    state.set(req, s);
    cpuAccounting.run(s.account, done);
  });
  // Body parsing continues from socket events outside that context: enter it again before the handler.
  app.addHook('preValidation', (req, _reply, done) => {
    const s = state.get(req);
    if (s) cpuAccounting.run(s.account, done);
    else done();
  });
  app.addHook('onSend', async (req, reply, payload) => {
    const r = finish(req, reply);
    if (r) {
      const value = formatServerTiming({ cpuMs: r.cpuMs, mWh: r.mWh, mgCo2e: r.mgCo2e });
      const prior = reply.getHeader('Server-Timing');
      reply.header('Server-Timing', prior ? `${String(prior)}, ${value}` : value);
    }
    return payload;
  });
  app.addHook('onResponse', async (req, reply) => {
    finish(req, reply);
  });
  app.addHook('onRequestAbort', async (req) => {
    finish(req, null);
  });
  app.addHook('onClose', async () => {
    recorder.close();
  });
}

export default fp(footprintPlugin, { name: 'granary-footprint' });
