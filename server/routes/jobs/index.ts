/**
 * Jobs (long work: whole-scene crop maps), per API.md "Jobs":
 *
 *   POST /api/jobs/cropmap {"scene","model"?,"season"?}  token; 202 + Location: /api/jobs/{id}
 *   GET  /api/jobs/{id}                                   state, blocksDone/blocksTotal, etaSeconds, result, error
 *   GET  /api/jobs?limit=n                                recent jobs, newest first
 *
 * The scene, model and season are checked before anything is queued (404 / 422 like the crop
 * tiles), so a queued job names a concrete model and season. The request id travels with the job
 * into the logs of whichever process runs it.
 */
import type { FastifyInstance } from 'fastify';
import { Type, type Static } from 'typebox';
import { notFound } from '../../errors.js';
import { requireToken } from '../../plugins/auth.js';
import { problemResponses } from '../schemas.js';
import { planCropMap } from '../../jobs/plan.js';
import { JOB_ID } from '../../jobs/types.js';

const CropMapBody = Type.Object(
  {
    scene: Type.String({ minLength: 1, maxLength: 64, description: 'scene id (GET /api/scenes)' }),
    model: Type.Optional(Type.String({ minLength: 1, maxLength: 64, description: 'model id (default: the default model)' })),
    season: Type.Optional(Type.Integer({ minimum: 1970, maximum: 2100, description: 'year the season starts (default: the latest complete season)' })),
  },
  { additionalProperties: false },
);

const Job = Type.Object({
  id: Type.String(),
  kind: Type.Literal('cropmap'),
  state: Type.Union([Type.Literal('queued'), Type.Literal('running'), Type.Literal('done'), Type.Literal('failed')]),
  params: Type.Object({ scene: Type.String(), model: Type.String(), season: Type.Integer() }),
  blocksDone: Type.Integer(),
  blocksTotal: Type.Integer(),
  etaSeconds: Type.Union([Type.Number(), Type.Null()]),
  createdAt: Type.String(),
  startedAt: Type.Union([Type.String(), Type.Null()]),
  finishedAt: Type.Union([Type.String(), Type.Null()]),
  requestId: Type.Union([Type.String(), Type.Null()]),
  result: Type.Union([
    Type.Object({ cog: Type.String(), polygons: Type.String(), width: Type.Integer(), height: Type.Integer(), mappedPixels: Type.Integer(), polygonCount: Type.Integer(), wallSeconds: Type.Number(), cpuSeconds: Type.Number() }),
    Type.Null(),
  ]),
  error: Type.Union([Type.String(), Type.Null()]),
});

const IdParams = Type.Object({ id: Type.String({ maxLength: 64, description: 'job id' }) });
const ListQuery = Type.Object({ limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200, description: 'default 50' })) });

export default async function jobRoutes(app: FastifyInstance) {
  const tags = ['jobs'];
  app.post<{ Body: Static<typeof CropMapBody> }>(
    '/api/jobs/cropmap',
    {
      preHandler: requireToken(app.config.token),
      schema: { tags, summary: 'Start a whole-scene crop map as a job (needs Authorization: Bearer <token>)', body: CropMapBody, security: [{ bearer: [] }], response: { 202: Job, ...problemResponses } },
    },
    async (req, reply) => {
      const plan = await planCropMap(app, req.body);
      const job = await app.jobs.submit(plan.params, plan.grid.total, req.id);
      req.log.info({ jobId: job.id, ...plan.params, blocks: plan.grid.total }, 'crop-map job submitted');
      return reply.code(202).header('Location', `/api/jobs/${job.id}`).send(job);
    },
  );

  app.get<{ Params: Static<typeof IdParams> }>(
    '/api/jobs/:id',
    { schema: { tags, summary: 'A job: state, blocks done, ETA, result or error', params: IdParams, response: { 200: Job, ...problemResponses } } },
    async (req, reply) => {
      const job = JOB_ID.test(req.params.id) ? await app.jobs.get(req.params.id) : null;
      if (!job) throw notFound(`no job ${req.params.id.slice(0, 64)}`);
      if (job.state === 'queued' || job.state === 'running') reply.header('Cache-Control', 'no-store');
      return job;
    },
  );

  app.get<{ Querystring: Static<typeof ListQuery> }>(
    '/api/jobs',
    { schema: { tags, summary: 'Recent jobs, newest first', querystring: ListQuery, response: { 200: Type.Object({ jobs: Type.Array(Job) }), ...problemResponses } } },
    async (req, reply) => {
      reply.header('Cache-Control', 'no-store');
      return { jobs: await app.jobs.list(req.query.limit ?? 50) };
    },
  );
}
