/**
 * Field reports: what a person says actually grows at a point. Stored durably in SQLite through
 * better-sqlite3 (synchronous, one connection per process):
 *
 * - WAL journal and `synchronous=FULL`: a report the API answered 201 for has been fsynced and
 *   survives a crash or a power cut; a transaction killed before COMMIT leaves no trace (SQLite's
 *   atomic commit; test/api/reports.test.ts kills a writer with SIGKILL mid-transaction).
 * - numbered migrations recorded in `schema_migrations` (version, name, applied_at), each applied in
 *   its own transaction; a database from a newer Granary (unknown versions) is refused, not guessed at.
 * - every statement prepared once.
 *
 * Status: pending (anonymous reports wait here) -> approved | rejected by a token holder; only approved
 * reports are ever served as data (the `field-reports` collection, the training export).
 */
import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { reportFromRow, type ReportRow } from './row.js';
import { REPORT_CATEGORIES, type ReportCategory } from '../contract/reports.js';

interface Migration {
  version: number;
  name: string;
  sql: string;
}

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'field_reports',
    sql: `
      CREATE TABLE field_reports (
        id            INTEGER PRIMARY KEY AUTOINCREMENT,
        lon           REAL    NOT NULL CHECK (lon BETWEEN -180 AND 180),
        lat           REAL    NOT NULL CHECK (lat BETWEEN -90 AND 90),
        class         TEXT    NOT NULL CHECK (length(class) BETWEEN 1 AND 64),
        observed_on   TEXT    NOT NULL CHECK (observed_on GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]'),
        note          TEXT    CHECK (note IS NULL OR length(note) <= 500),
        model_id      TEXT    NOT NULL,
        status        TEXT    NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'approved', 'rejected')),
        submitted_at  TEXT    NOT NULL,
        submitted_by  TEXT    NOT NULL CHECK (submitted_by IN ('anonymous', 'token')),
        reviewed_at   TEXT,
        review_note   TEXT    CHECK (review_note IS NULL OR length(review_note) <= 500)
      );
      CREATE INDEX field_reports_status ON field_reports (status, id);
    `,
  },
  {
    version: 2,
    name: 'field_report_events',
    sql: `
      -- the history of every status change, so a decision can be traced (who: anonymous or token; when; note)
      CREATE TABLE field_report_events (
        id         INTEGER PRIMARY KEY AUTOINCREMENT,
        report_id  INTEGER NOT NULL REFERENCES field_reports (id) ON DELETE CASCADE,
        event      TEXT    NOT NULL CHECK (event IN ('submitted', 'approved', 'rejected')),
        at         TEXT    NOT NULL,
        note       TEXT
      );
      CREATE INDEX field_report_events_report ON field_report_events (report_id, id);
      INSERT INTO field_report_events (report_id, event, at) SELECT id, 'submitted', submitted_at FROM field_reports;
    `,
  },
  {
    version: 3,
    name: 'field_report_category',
    sql: `
      -- what the report is about (pest, disease, ...; server/contract/reports.ts); NULL = not stated, as
      -- every report before this version: a category is the reporter's word, not guessed from the note
      ALTER TABLE field_reports ADD COLUMN category TEXT CHECK (category IS NULL OR category IN (${REPORT_CATEGORIES.map((c) => `'${c}'`).join(', ')}));
    `,
  },
  {
    version: 4,
    name: 'jobs',
    sql: `
      -- embedded crop-map jobs (server/jobs/sqlite-jobs.ts): what GET /api/jobs/{id} reports survives a
      -- restart; a job still queued or running when the process stopped is marked failed at the next start
      CREATE TABLE jobs (
        id            TEXT    PRIMARY KEY,
        kind          TEXT    NOT NULL CHECK (kind IN ('cropmap')),
        params        TEXT    NOT NULL,
        state         TEXT    NOT NULL CHECK (state IN ('queued', 'running', 'done', 'failed')),
        blocks_done   INTEGER NOT NULL DEFAULT 0,
        blocks_total  INTEGER NOT NULL,
        created_at    TEXT    NOT NULL,
        started_at    TEXT,
        finished_at   TEXT,
        request_id    TEXT,
        result        TEXT,
        error         TEXT
      );
      CREATE INDEX jobs_created ON jobs (created_at, id);
      CREATE INDEX jobs_open ON jobs (state) WHERE state IN ('queued', 'running');
    `,
  },
];

export type ReportStatus = 'pending' | 'approved' | 'rejected';

export interface FieldReport {
  id: number;
  lon: number;
  lat: number;
  class: string;
  observedOn: string;
  note: string | null;
  category: ReportCategory | null;
  modelId: string;
  status: ReportStatus;
  submittedAt: string;
  submittedBy: 'anonymous' | 'token';
  reviewedAt: string | null;
  reviewNote: string | null;
}

export interface NewReport {
  lon: number;
  lat: number;
  class: string;
  observedOn: string;
  note: string | null;
  category: ReportCategory | null;
  modelId: string;
  submittedBy: 'anonymous' | 'token';
}

const COLUMNS = 'id, lon, lat, class, observed_on, note, category, model_id, status, submitted_at, submitted_by, reviewed_at, review_note';

export class ReportsDbError extends Error {}

/**
 * The review rule both field-report stores apply (SQLite: server/reports/db.ts, PostgreSQL:
 * server/store/pg-reports.ts), so they cannot drift apart:
 *   - a status change (pending|rejected -> approved, pending|approved -> rejected) takes the review's
 *     note (null when none) and its category, or keeps the report's category when the review has none;
 *   - a review to the status the report already has is refused (ReportsDbError, the route's 409)
 *     unless it gives a category different from the report's: then the reviewer re-classifies the
 *     report (e.g. one approved before categories existed); the earlier review note stays unless a new
 *     one is given.
 */
export function reviewChange(
  before: Pick<FieldReport, 'id' | 'status' | 'category' | 'reviewNote'>,
  status: 'approved' | 'rejected',
  note: string | null,
  category: ReportCategory | undefined,
): { reviewNote: string | null; category: ReportCategory | null } {
  if (before.status !== status) return { reviewNote: note, category: category ?? before.category };
  if (category === undefined || category === before.category) throw new ReportsDbError(`report ${before.id} is already ${status}`);
  return { reviewNote: note ?? before.reviewNote, category };
}

/** Opens (creating if needed) and migrates; sets the durability pragmas. */
export function openReportsDb(path: string, opts: { readonly?: boolean } = {}): Database.Database {
  if (path !== ':memory:' && !opts.readonly) mkdirSync(dirname(path), { recursive: true });
  const db = new Database(path, { readonly: opts.readonly ?? false, fileMustExist: opts.readonly ?? false });
  try {
    if (!opts.readonly) {
      db.pragma('journal_mode = WAL');
      db.pragma('synchronous = FULL');
    }
    db.pragma('foreign_keys = ON');
    db.pragma('busy_timeout = 5000');
    if (!opts.readonly) migrate(db);
    else checkVersion(db);
  } catch (e) {
    db.close();
    throw e;
  }
  return db;
}

export function schemaVersion(db: Database.Database): number {
  const has = db.prepare(`SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'`).get();
  if (!has) return 0;
  const r = db.prepare('SELECT MAX(version) AS v FROM schema_migrations').get() as { v: number | null };
  return r.v ?? 0;
}

function checkVersion(db: Database.Database): number {
  const current = schemaVersion(db);
  const latest = MIGRATIONS[MIGRATIONS.length - 1]!.version;
  if (current > latest) throw new ReportsDbError(`field-reports database has schema version ${current}, newer than this Granary knows (${latest}): refusing to use it`);
  return current;
}

/** Applies the pending migrations in order, each in its own transaction. Returns the versions applied. */
function migrate(db: Database.Database, migrations: readonly Migration[] = MIGRATIONS): number[] {
  db.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)`);
  const current = checkVersion(db);
  const record = db.prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)');
  const applied: number[] = [];
  for (const m of migrations) {
    if (m.version <= current) continue;
    db.transaction(() => {
      db.exec(m.sql);
      record.run(m.version, m.name, new Date().toISOString());
    })();
    applied.push(m.version);
  }
  return applied;
}

/** The repository: every query the service makes, prepared once. */
export class ReportStore {
  private readonly stmts;

  constructor(readonly db: Database.Database) {
    this.stmts = {
      insert: db.prepare(
        `INSERT INTO field_reports (lon, lat, class, observed_on, note, category, model_id, status, submitted_at, submitted_by)
         VALUES (@lon, @lat, @class, @observedOn, @note, @category, @modelId, 'pending', @submittedAt, @submittedBy)`,
      ),
      event: db.prepare('INSERT INTO field_report_events (report_id, event, at, note) VALUES (?, ?, ?, ?)'),
      get: db.prepare(`SELECT ${COLUMNS} FROM field_reports WHERE id = ?`),
      list: db.prepare(`SELECT ${COLUMNS} FROM field_reports WHERE status = ? ORDER BY id LIMIT ? OFFSET ?`),
      listAll: db.prepare(`SELECT ${COLUMNS} FROM field_reports ORDER BY id LIMIT ? OFFSET ?`),
      count: db.prepare('SELECT COUNT(*) AS n FROM field_reports WHERE status = ?'),
      countAll: db.prepare('SELECT COUNT(*) AS n FROM field_reports'),
      approved: db.prepare(`SELECT ${COLUMNS} FROM field_reports WHERE status = 'approved' ORDER BY id`),
      review: db.prepare(`UPDATE field_reports SET status = ?, reviewed_at = ?, review_note = ?, category = ? WHERE id = ?`),
      version: db.prepare('SELECT COALESCE(MAX(id), 0) AS v FROM field_report_events'),
    };
  }

  static open(path: string): ReportStore {
    return new ReportStore(openReportsDb(path));
  }

  /** Inserts a pending report (and its 'submitted' event) in one transaction. */
  insert(r: NewReport, now = new Date()): FieldReport {
    const at = now.toISOString();
    const id = this.db.transaction(() => {
      const info = this.stmts.insert.run({ ...r, submittedAt: at });
      const rid = Number(info.lastInsertRowid);
      this.stmts.event.run(rid, 'submitted', at, null);
      return rid;
    })();
    return this.get(id)!;
  }

  get(id: number): FieldReport | null {
    const r = this.stmts.get.get(id) as ReportRow | undefined;
    return r ? reportFromRow(r) : null;
  }

  list(status: ReportStatus | 'all', limit = 100, offset = 0): { reports: FieldReport[]; total: number } {
    const rows = (status === 'all' ? this.stmts.listAll.all(limit, offset) : this.stmts.list.all(status, limit, offset)) as ReportRow[];
    const total = ((status === 'all' ? this.stmts.countAll.get() : this.stmts.count.get(status)) as { n: number }).n;
    return { reports: rows.map(reportFromRow), total };
  }

  /** Only approved reports: the one query behind every place reports are served as data. */
  approved(): FieldReport[] {
    return (this.stmts.approved.all() as ReportRow[]).map(reportFromRow);
  }

  /** Grows with every submission and status change: the served collection's cache key. */
  version(): number {
    return (this.stmts.version.get() as { v: number }).v;
  }

  /**
   * pending|rejected -> approved, pending|approved -> rejected. Returns the updated report, null if
   * there is none with this id; throws ReportsDbError when it already has that status, unless
   * `category` differs from the report's (the reviewer re-classifies it; rules in reviewChange).
   */
  review(id: number, status: 'approved' | 'rejected', note: string | null, category?: ReportCategory, now = new Date()): FieldReport | null {
    const at = now.toISOString();
    return this.db.transaction(() => {
      const before = this.get(id);
      if (!before) return null;
      const change = reviewChange(before, status, note, category);
      this.stmts.review.run(status, at, change.reviewNote, change.category, id);
      this.stmts.event.run(id, status, at, note);
      return this.get(id);
    })();
  }

  close(): void {
    if (this.db.open) this.db.close();
  }
}
