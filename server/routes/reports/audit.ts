/**
 * The label audit's outputs for review in the dashboard (written by `granary labels audit`, see
 * docs/data-centric.md), read from the first `labels/audit/` directory found in the data directory,
 * the read-only directories, then the bundled fixtures:
 *
 *   GET /api/labels/audit                     audit-report.json (per class: n, flagged, threshold, likely labels)
 *   GET /api/labels/audit/suspects.geojson    the suspect samples with their evidence curves
 *   GET /api/labels/audit/decisions.csv       the reviewed decisions (label-decisions.reviewed.csv, else the template)
 */
import { existsSync } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { Static } from 'typebox';
import { notFound } from '../../errors.js';
import { problemResponses } from '../../contract/common.js';
import { AuditReport, DecisionsCsv, SuspectsGeojson } from '../../contract/reports.js';

/** The label audit under the configured directories (the data directory, then the read-only ones); never elsewhere. */
function auditDir(app: FastifyInstance): string | null {
  for (const d of [app.config.dataDir, ...app.config.readOnlyDirs]) {
    const p = join(d, 'labels', 'audit');
    if (existsSync(join(p, 'audit-report.json'))) return p;
  }
  return null;
}

export default (async function auditRoutes(app) {
  const tags = ['field-reports'];
  const file = async (names: string[]) => {
    const dir = auditDir(app);
    if (!dir) throw notFound('no label audit has been run: granary labels audit (docs/data-centric.md)');
    for (const n of names) {
      const p = join(dir, n);
      if (existsSync(p)) return { path: p, body: await readFile(p), mtime: (await stat(p)).mtime };
    }
    throw notFound(`the label audit in ${dir} has no ${names.join(' or ')}`);
  };
  app.get('/api/labels/audit', { schema: { tags, summary: 'Label audit report: per class n, flagged, confident-learning threshold, most common likely labels', response: { 200: AuditReport, ...problemResponses } } }, async (_req, reply) => {
    const f = await file(['audit-report.json']);
    let report: Static<typeof AuditReport>;
    try {
      report = JSON.parse(f.body.toString('utf8')) as Static<typeof AuditReport>;
    } catch (e) {
      throw new Error(`the label audit report ${f.path} is not valid JSON (${(e as Error).message}): run granary labels audit again`);
    }
    return reply.header('Last-Modified', f.mtime.toUTCString()).send(report);
  });
  app.get('/api/labels/audit/suspects.geojson', { schema: { tags, summary: 'Suspect training samples (given vs likely label, probabilities, evidence curves) as GeoJSON points', response: { 200: SuspectsGeojson, ...problemResponses } } }, async (_req, reply) => {
    const f = await file(['suspect-samples.geojson']);
    return reply.type('application/geo+json').header('Last-Modified', f.mtime.toUTCString()).send(f.body);
  });
  app.get('/api/labels/audit/decisions.csv', { schema: { tags, summary: 'The review decisions per suspect sample (keep, drop, relabel) with reviewer and note', response: { 200: DecisionsCsv, ...problemResponses } } }, async (_req, reply) => {
    const f = await file(['label-decisions.reviewed.csv', 'label-decisions.csv']);
    return reply.type('text/csv; charset=utf-8').header('Last-Modified', f.mtime.toUTCString()).send(f.body);
  });
}) satisfies FastifyPluginAsyncTypebox;
