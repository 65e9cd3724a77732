/**
 * Field reports: a person says what actually grows at a point (class, date, optional note, optional
 * category: pest, disease, weather_damage, crop_condition or other; server/contract/reports.ts).
 *
 *   POST /api/field-reports                 anyone; anonymous callers limited to GRANARY_REPORTS_RATE_LIMIT
 *                                           per hour per IP (429 problem+json after); stored as 'pending'
 *   GET  /api/field-reports?status=pending  token only (the review queue)
 *   GET  /api/field-reports/{id}            token only
 *   POST /api/field-reports/{id}/approve    token only; body {note?, category?}: the reviewer may set or
 *                                           correct the category (re-classifying an approved report)
 *   POST /api/field-reports/{id}/reject     token only
 *
 * Only approved reports are ever served as data: the `field-reports` collection
 * (server/services/layers/field-reports.ts) and `granary labels export-reports`. A pending report's
 * content (its note in particular) is visible to token holders only.
 *
 * The class must be one of the installed model's class names (the default model unless `model` is
 * given): a report is a label the model can learn from, so a free crop name would be unusable.
 * Registered with fastify-plugin so that `app.reports` is visible to the collections.
 */
import type { FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import fp from 'fastify-plugin';
import rateLimit from '@fastify/rate-limit';
import type { Static } from 'typebox';
import { createHash, timingSafeEqual } from 'node:crypto';
import { badRequest, GranaryError, notFound } from '../../errors.js';
import { requireToken } from '../../plugins/auth.js';
import { problemResponses } from '../../contract/common.js';
import { FieldReport as FieldReportSchema, ReportBody, ReportCreated, ReportIdParams, ReportList, ReportListQuery, ReviewBody } from '../../contract/reports.js';
import { ReportsDbError, type FieldReport } from '../../reports/db.js';

/** MODIS (the models' sensor) starts in 2000; a report older than that cannot be matched to imagery. */
const EARLIEST_DATE = '2000-01-01';

/** Public form of a report (everything stored; this only reaches token holders or, if approved, the collection). */
function reportJson(r: FieldReport): Static<typeof FieldReportSchema> {
  return { id: r.id, lon: r.lon, lat: r.lat, class: r.class, date: r.observedOn, note: r.note, category: r.category, model: r.modelId, status: r.status, submittedAt: r.submittedAt, submittedBy: r.submittedBy, reviewedAt: r.reviewedAt, reviewNote: r.reviewNote };
}

const digest = (s: string) => createHash('sha256').update(s).digest();

/** True when the request carries the configured bearer token (no error when it does not). */
function hasValidToken(req: FastifyRequest, token: string | null): boolean {
  if (!token) return false;
  const m = /^Bearer\s+(\S+)$/i.exec(req.headers.authorization ?? '');
  return m !== null && timingSafeEqual(digest(m[1]!), digest(token));
}

class TooManyReports extends Error {
  readonly statusCode = 429;
  constructor(message: string) {
    super(message);
    this.name = 'Too many requests';
  }
}

function validDate(s: string): boolean {
  const t = Date.parse(`${s}T00:00:00Z`);
  return Number.isFinite(t) && new Date(t).toISOString().slice(0, 10) === s;
}

const reportsPlugin: FastifyPluginAsyncTypebox = async (app) => {
  const { config } = app;
  // app.reports: the store chosen at start-up (SQLite embedded, PostGIS in cluster mode; server/store/backends.ts)
  const service = app.reports;

  // The global limiter (server/plugins/protection.ts) is off when GRANARY_RATE_LIMIT=0: the
  // anonymous-report limit must hold anyway, so register a route-only instance then.
  if (!app.hasDecorator('rateLimit')) await app.register(rateLimit, { global: false });

  const tags = ['field-reports'];
  const token = config.token;
  const guard = requireToken(token);

  app.post(
    '/api/field-reports',
    {
      config: {
        rateLimit: {
          max: config.reportsRateLimit,
          timeWindow: 3_600_000,
          // token holders (surveyors entering their own field data) are not limited
          allowList: (req: FastifyRequest) => hasValidToken(req, token),
          errorResponseBuilder: (_req: FastifyRequest, ctx: { max: number; after: string }) => new TooManyReports(`more than ${ctx.max} field reports per hour from this client; retry in ${ctx.after}`),
        },
      },
      schema: {
        tags,
        summary: 'Report what grows at a point (anonymous allowed, rate-limited; stored as pending until a token holder approves it)',
        body: ReportBody,
        response: { 201: ReportCreated, ...problemResponses },
      },
    },
    async (req, reply) => {
      const b = req.body;
      if (!validDate(b.date)) throw badRequest(`date "${b.date}" is not a calendar date (yyyy-mm-dd)`);
      const tomorrow = new Date(Date.now() + 86_400_000).toISOString().slice(0, 10);
      if (b.date < EARLIEST_DATE || b.date > tomorrow) throw badRequest(`date ${b.date} must be between ${EARLIEST_DATE} and today`);
      const model = await app.models.get(b.model);
      const names = model.card.classes.map((c) => c.name);
      if (!names.includes(b.class)) throw new GranaryError('bad-request', `class "${b.class.slice(0, 64)}" is not a class of model ${model.id}: use one of ${names.join(', ')}`, { valid: names });
      const note = b.note === undefined || b.note.trim() === '' ? null : b.note.trim();
      const r = await service.insert({ lon: b.lon, lat: b.lat, class: b.class, observedOn: b.date, note, category: b.category ?? null, modelId: model.id, submittedBy: hasValidToken(req, token) ? 'token' : 'anonymous' });
      return reply
        .code(201)
        .header('Location', `/api/field-reports/${r.id}`)
        .send({ id: r.id, status: r.status, submittedAt: r.submittedAt, message: 'thank you: the report waits for review before it is used' });
    },
  );

  app.get(
    '/api/field-reports',
    { preHandler: guard, schema: { tags, summary: 'The review queue and the other reports (needs Authorization: Bearer <token>)', querystring: ReportListQuery, security: [{ bearer: [] }], response: { 200: ReportList, ...problemResponses } } },
    async (req) => {
      const status = req.query.status ?? 'pending';
      const limit = req.query.limit ?? 100;
      const offset = req.query.offset ?? 0;
      const { reports, total } = await service.list(status, limit, offset);
      return { status, total, limit, offset, reports: reports.map(reportJson) };
    },
  );

  app.get(
    '/api/field-reports/:id',
    { preHandler: guard, schema: { tags, summary: 'One report (needs Authorization: Bearer <token>)', params: ReportIdParams, security: [{ bearer: [] }], response: { 200: FieldReportSchema, ...problemResponses } } },
    async (req) => {
      const r = await service.get(Number(req.params.id));
      if (!r) throw notFound(`no field report ${req.params.id}`);
      return reportJson(r);
    },
  );

  const review = async (status: 'approved' | 'rejected', req: { params: Static<typeof ReportIdParams>; body: Static<typeof ReviewBody> }) => {
    const id = Number(req.params.id);
    let r: FieldReport | null = null;
    try {
      r = await service.review(id, status, req.body?.note?.trim() || null, req.body?.category);
    } catch (e) {
      if (e instanceof ReportsDbError) throw new GranaryError('conflict', e.message);
      throw e;
    }
    if (!r) throw notFound(`no field report ${req.params.id}`);
    return reportJson(r);
  };
  for (const [path, status, what] of [
    ['approve', 'approved', 'Approve a report: it joins the field-reports collection and the training export'],
    ['reject', 'rejected', 'Reject a report (it is kept, never served as data)'],
  ] as const) {
    app.post(
      `/api/field-reports/:id/${path}`,
      { preHandler: guard, schema: { tags, summary: `${what} (needs Authorization: Bearer <token>)`, params: ReportIdParams, body: ReviewBody, security: [{ bearer: [] }], response: { 200: FieldReportSchema, ...problemResponses } } },
      async (req) => review(status, req),
    );
  }
};

export default fp(reportsPlugin, { name: 'granary-field-reports', fastify: '5.x' });
