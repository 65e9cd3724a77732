/**
 * Embedded job state in SQLite (the field-reports database, migration 4 in server/reports/db.ts), so
 * that GET /api/jobs/{id} answers the same after a restart. The file is opened on the first job (as
 * the reports open on the first report); at start-up, if it exists, jobs left queued or running by a
 * process that stopped are marked failed, with an error that says so (embedded jobs are not resumed:
 * the blocks done were in that process's memory).
 */
import { existsSync } from 'node:fs';
import type Database from 'better-sqlite3';
import { openReportsDb } from '../reports/db.js';
import type { CropMapJobParams, CropMapJobResult, JobState, JobView } from './types.js';

interface Row {
  id: string;
  kind: 'cropmap';
  params: string;
  state: JobState;
  blocks_done: number;
  blocks_total: number;
  created_at: string;
  started_at: string | null;
  finished_at: string | null;
  request_id: string | null;
  result: string | null;
  error: string | null;
}

export const INTERRUPTED = 'interrupted: the service stopped while this job was queued or running (embedded jobs are not resumed); submit it again';

const view = (r: Row): JobView => ({
  id: r.id,
  kind: r.kind,
  state: r.state,
  params: JSON.parse(r.params) as CropMapJobParams,
  blocksDone: r.blocks_done,
  blocksTotal: r.blocks_total,
  etaSeconds: null,
  createdAt: r.created_at,
  startedAt: r.started_at,
  finishedAt: r.finished_at,
  requestId: r.request_id,
  result: r.result === null ? null : (JSON.parse(r.result) as CropMapJobResult),
  error: r.error,
});

export class SqliteJobs {
  private db: Database.Database | null = null;

  constructor(private readonly path: string) {}

  private open(create: boolean): Database.Database | null {
    if (!this.db && (create || existsSync(this.path))) this.db = openReportsDb(this.path);
    return this.db;
  }

  /** Marks jobs a stopped process left queued or running as failed; returns their ids. */
  failInterrupted(now = new Date()): string[] {
    const db = this.open(false);
    if (!db) return [];
    const ids = (db.prepare(`SELECT id FROM jobs WHERE state IN ('queued', 'running') ORDER BY created_at, id`).all() as Array<{ id: string }>).map((r) => r.id);
    db.prepare(`UPDATE jobs SET state = 'failed', error = ?, finished_at = ? WHERE state IN ('queued', 'running')`).run(INTERRUPTED, now.toISOString());
    return ids;
  }

  save(v: JobView): void {
    this.open(true)!
      .prepare(
        `INSERT INTO jobs (id, kind, params, state, blocks_done, blocks_total, created_at, started_at, finished_at, request_id, result, error)
         VALUES (@id, @kind, @params, @state, @blocksDone, @blocksTotal, @createdAt, @startedAt, @finishedAt, @requestId, @result, @error)
         ON CONFLICT (id) DO UPDATE SET state = excluded.state, blocks_done = excluded.blocks_done, started_at = excluded.started_at,
           finished_at = excluded.finished_at, result = excluded.result, error = excluded.error`,
      )
      .run({ ...v, params: JSON.stringify(v.params), result: v.result === null ? null : JSON.stringify(v.result) });
  }

  get(id: string): JobView | null {
    const r = this.open(false)?.prepare('SELECT * FROM jobs WHERE id = ?').get(id) as Row | undefined;
    return r ? view(r) : null;
  }

  /** newest first */
  list(limit: number): JobView[] {
    const db = this.open(false);
    return db ? (db.prepare('SELECT * FROM jobs ORDER BY created_at DESC, id DESC LIMIT ?').all(limit) as Row[]).map(view) : [];
  }

  close(): void {
    this.db?.close();
    this.db = null;
  }
}
