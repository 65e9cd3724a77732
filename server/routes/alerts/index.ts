/**
 * Threats and alerts (server/alerts):
 *   GET    /api/alerts[?kind&region&since&asOf&format=json|atom|csv]   the alerts the rules raise now
 *   GET    /api/alerts/feed.atom                                       the same as an Atom feed
 *   POST   /api/alerts/subscriptions    token   subscribe a webhook (allowlisted host); returns its secret once
 *   GET    /api/alerts/subscriptions    token   subscriptions with delivery counts (no secrets)
 *   DELETE /api/alerts/subscriptions/{id} token
 *   POST   /api/alerts/dispatch         token   evaluate and deliver now (also every GRANARY_ALERTS_DISPATCH_SECONDS)
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { join } from 'node:path';
import type { Static } from 'typebox';
import { CsvText, CSV_MEDIA, media, problemResponses } from '../../contract/common.js';
import { GranaryError } from '../../errors.js';
import { requireToken } from '../../plugins/auth.js';
import { assertAllowedUrl, type SourcePolicy } from '../../raster/source.js';
import { AlertsService } from '../../alerts/service.js';
import { alertsAtom } from '../../alerts/atom.js';
import { WebhookStore } from '../../alerts/webhooks/store.js';
import { Dispatcher } from '../../alerts/webhooks/dispatcher.js';
import { originOf } from '../origin.js';
import { sendCsv } from '../layers/http.js';
import { AlertsQuery, AlertsResponse, DispatchResponse, SubscribeBody, SubscribeResponse, SubscriptionParams, SubscriptionSchema } from '../../contract/alerts.js';
import { alertText, negotiateLang, type MessageLang } from '../../contract/alert-messages.js';
import type { Alert } from '../../alerts/rules.js';
import { Type } from 'typebox';

declare module 'fastify' {
  interface FastifyInstance {
    alerts: AlertsService;
  }
}

const SIGNATURE_DOC = 'X-Granary-Signature-256: sha256=<hex HMAC-SHA256(secret, X-Granary-Timestamp + "." + raw body)>';

/** An alert with its title and detail in a language (the stored alert carries only code + params). */
const rendered = (a: Alert, lang: MessageLang) => ({ ...a, ...alertText(a.code, a.params, lang) });

const alertRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { config } = app;
  // regions read when used (a getter): they may load after the server listens (plugins/regions.ts)
  const service = new AlertsService({ get regions() { return app.regions; }, weather: app.weather, phenology: app.phenology, reports: app.reports, regionAt: (lon, lat) => app.regionAt(lon, lat), runRules: (input) => app.pool.run('alert-rules', input) });
  app.decorate('alerts', service);
  let store: WebhookStore | null = null;
  const webhooks = () => (store ??= new WebhookStore(join(config.dataDir, 'alerts', 'webhooks.sqlite')));
  const policy: SourcePolicy = { readRoots: [], remoteHosts: config.webhookHosts, remoteTimeoutMs: config.webhookTimeoutMs, ...(config.extraCaCerts ? { extraCaFile: config.extraCaCerts } : {}) };
  let dispatcher: Dispatcher | null = null;
  const dispatch = async () => {
    dispatcher ??= new Dispatcher(webhooks(), policy, { attempts: config.webhookAttempts, baseMs: config.webhookBackoffMs, timeoutMs: config.webhookTimeoutMs });
    const { alerts } = await service.evaluate();
    // receivers get the language-neutral code and params, and the words in both languages
    return dispatcher.dispatch(alerts.map((a) => ({ ...rendered(a, 'en'), text: { en: alertText(a.code, a.params, 'en'), pt: alertText(a.code, a.params, 'pt') } })));
  };
  let timer: NodeJS.Timeout | null = null;
  if (config.alertsDispatchSeconds > 0) {
    app.addHook('onReady', async () => {
      timer = setInterval(() => {
        if (webhooks().list().length > 0) dispatch().catch((e: unknown) => app.log.error(e, 'alert dispatch failed'));
      }, config.alertsDispatchSeconds * 1000);
      timer.unref();
    });
  }
  app.addHook('onClose', async () => {
    if (timer) clearInterval(timer);
    store?.close();
  });
  const tags = ['alerts'];
  const guard = requireToken(config.token);

  const list = async (q: Static<typeof AlertsQuery>, req: FastifyRequest, reply: FastifyReply, atom: boolean) => {
    const ev = await service.evaluate(q.asOf ? { asOf: q.asOf } : {});
    const matched = ev.alerts.filter((a) => (!q.kind || a.kind === q.kind) && (!q.region || a.regionId === q.region) && (!q.since || a.updated >= q.since));
    const lang = negotiateLang(q.lang, req.headers['accept-language']);
    const alerts = matched.slice(0, q.limit ?? 500).map((a) => rendered(a, lang));
    reply.header('content-language', lang === 'pt' ? 'pt-BR' : 'en').header('vary', 'Accept-Language');
    if (atom || q.format === 'atom') {
      return reply.type('application/atom+xml; charset=utf-8').send(alertsAtom(alerts, { origin: originOf(req), selfPath: req.url, asOf: ev.asOf, lang }));
    }
    if (q.format === 'csv') return sendCsv(reply, `alerts_${ev.asOf}.csv`, alerts.map((a) => ({ ...a, params: JSON.stringify(a.params), location: a.location ? `${a.location.lon} ${a.location.lat}` : '', evidence: JSON.stringify(a.evidence) })), ['id', 'kind', 'severity', 'regionId', 'regionName', 'start', 'end', 'updated', 'code', 'params', 'title', 'detail', 'location', 'evidence']);
    return { asOf: ev.asOf, lang, numberMatched: matched.length, alerts, rules: ev.rules };
  };

  app.get('/api/alerts', {
    schema: { tags, summary: 'Alerts raised by the rules from the data (dry spells, crop-condition drops, pest/disease report clusters); JSON, Atom (format=atom) or CSV', querystring: AlertsQuery, response: { 200: media('the alerts (application/json), or an Atom feed (format=atom) or CSV (format=csv)', { 'application/json': AlertsResponse, 'application/atom+xml': Type.String({ description: 'Atom 1.0 feed' }), [CSV_MEDIA]: CsvText }), ...problemResponses } },
  }, async (req, reply) => list(req.query, req, reply, false));

  app.get('/api/alerts/feed.atom', {
    schema: { tags, summary: 'The alerts as an Atom 1.0 feed (same query as /api/alerts)', querystring: AlertsQuery, produces: ['application/atom+xml'], response: { 200: media('Atom 1.0 feed of the alerts', { 'application/atom+xml': Type.String({ description: 'Atom 1.0 feed' }) }), ...problemResponses } },
  }, async (req, reply) => list(req.query, req, reply, true));

  app.post('/api/alerts/subscriptions', {
    preHandler: guard,
    schema: { tags, summary: `Subscribe a webhook to alerts (bearer token). Deliveries are POSTs of {"event":"alert","alert":{...}} signed with ${SIGNATURE_DOC}`, security: [{ bearer: [] }], body: SubscribeBody, response: { 201: SubscribeResponse, ...problemResponses } },
  }, async (req, reply) => {
    try {
      assertAllowedUrl(req.body.url, policy);
    } catch (e) {
      if (e instanceof GranaryError && e.kind === 'forbidden') throw new GranaryError('forbidden', `webhook host of ${req.body.url.slice(0, 200)} is not in GRANARY_WEBHOOK_HOSTS (allowed: ${config.webhookHosts.join(', ') || 'none'})`);
      throw e;
    }
    for (const r of req.body.regions ?? []) app.regions.get(r);
    const sub = webhooks().add(req.body.url, [...new Set(req.body.kinds ?? [])], [...new Set(req.body.regions ?? [])]);
    reply.code(201).header('location', `/api/alerts/subscriptions/${sub.id}`);
    return { ...sub, signature: SIGNATURE_DOC };
  });

  app.get('/api/alerts/subscriptions', {
    preHandler: guard,
    schema: { tags, summary: 'Webhook subscriptions and their deliveries (bearer token; secrets are not shown)', security: [{ bearer: [] }], response: { 200: Type.Object({ subscriptions: Type.Array(SubscriptionSchema) }), ...problemResponses } },
  }, async () => ({
    subscriptions: webhooks().list().map(({ secret: _secret, ...s }) => {
      const d = webhooks().deliveries(s.id);
      return { ...s, delivered: d.filter((x) => x.status === 'delivered').length, failed: d.filter((x) => x.status === 'failed').length };
    }),
  }));

  app.delete('/api/alerts/subscriptions/:id', {
    preHandler: guard,
    schema: { tags, summary: 'Unsubscribe a webhook (bearer token)', security: [{ bearer: [] }], params: SubscriptionParams, response: { 204: { description: 'unsubscribed (no body)' }, ...problemResponses } },
  }, async (req, reply) => {
    if (!webhooks().remove(Number(req.params.id))) throw new GranaryError('not-found', `no active subscription ${req.params.id}`);
    return reply.code(204).send();
  });

  app.post('/api/alerts/dispatch', {
    preHandler: guard,
    schema: { tags, summary: 'Evaluate the rules and deliver undelivered alerts to every subscription now (bearer token)', security: [{ bearer: [] }], response: { 200: DispatchResponse, ...problemResponses } },
  }, async () => dispatch());
};

export default fp(alertRoutes, { name: 'granary-alerts', dependencies: ['granary-regions', 'granary-region-lookup', 'granary-weather', 'granary-phenology'] });
