/**
 * Field reports in PostgreSQL/PostGIS (cluster mode): the same table shape, checks, history of events
 * and review rules as the SQLite store (server/reports/db.ts), with the location as a PostGIS point
 * (GiST-indexed). A report answered 201 is committed (synchronous_commit is PostgreSQL's default).
 */
import { reviewChange, type FieldReport, type NewReport, type ReportStatus } from '../reports/db.js';
import type { FieldReportStore } from '../reports/store.js';
import { reportFromRow, type ReportRow } from '../reports/row.js';
import type { PgPool } from './pg.js';
import type { ReportCategory } from '../contract/reports.js';

// timestamps as ISO strings in UTC with milliseconds, as the SQLite store writes them
const iso = (col: string) => `to_char(${col} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;
const COLUMNS = `id, ST_X(geom) AS lon, ST_Y(geom) AS lat, class, to_char(observed_on, 'YYYY-MM-DD') AS observed_on, note, category, model_id, status,
  ${iso('submitted_at')} AS submitted_at, submitted_by, ${iso('reviewed_at')} AS reviewed_at, review_note`;

export class PgReports implements FieldReportStore {
  constructor(private readonly pool: PgPool) {}

  async insert(r: NewReport): Promise<FieldReport> {
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN');
      const { rows } = await client.query<ReportRow>(
        `INSERT INTO field_reports (geom, class, observed_on, note, category, model_id, status, submitted_at, submitted_by)
         VALUES (ST_SetSRID(ST_MakePoint($1, $2), 4326), $3, $4, $5, $6, $7, 'pending', now(), $8) RETURNING ${COLUMNS}`,
        [r.lon, r.lat, r.class, r.observedOn, r.note, r.category, r.modelId, r.submittedBy],
      );
      const row = rows[0]!;
      await client.query(`INSERT INTO field_report_events (report_id, event, at) SELECT id, 'submitted', submitted_at FROM field_reports WHERE id = $1`, [row.id]);
      await client.query('COMMIT');
      return reportFromRow(row);
    } catch (e) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw e;
    } finally {
      client.release();
    }
  }

  async get(id: number): Promise<FieldReport | null> {
    const { rows } = await this.pool.query<ReportRow>(`SELECT ${COLUMNS} FROM field_reports WHERE id = $1`, [id]);
    return rows[0] ? reportFromRow(rows[0]) : null;
  }

  async list(status: ReportStatus | 'all', limit: number, offset: number) {
    const where = status === 'all' ? '' : 'WHERE status = $3';
    const params: unknown[] = status === 'all' ? [limit, offset] : [limit, offset, status];
    const [list, count] = await Promise.all([
      this.pool.query<ReportRow>(`SELECT ${COLUMNS} FROM field_reports ${where} ORDER BY id LIMIT $1 OFFSET $2`, params),
      this.pool.query<{ n: string }>(`SELECT count(*) AS n FROM field_reports ${status === 'all' ? '' : 'WHERE status = $1'}`, status === 'all' ? [] : [status]),
    ]);
    return { reports: list.rows.map(reportFromRow), total: Number(count.rows[0]!.n) };
  }

  async approved(): Promise<FieldReport[]> {
    const { rows } = await this.pool.query<ReportRow>(`SELECT ${COLUMNS} FROM field_reports WHERE status = 'approved' ORDER BY id`);
    return rows.map(reportFromRow);
  }

  async review(id: number, status: 'approved' | 'rejected', note: string | null, category?: ReportCategory): Promise<FieldReport | null> {
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN');
      // the row lock serialises two reviewers of one report on different replicas
      const before = await client.query<{ status: ReportStatus; category: ReportCategory | null; review_note: string | null }>('SELECT status, category, review_note FROM field_reports WHERE id = $1 FOR UPDATE', [id]);
      const cur = before.rows[0];
      if (!cur) {
        await client.query('ROLLBACK');
        return null;
      }
      // throws ReportsDbError (409) for a review to the same status that changes nothing; the catch rolls back
      const change = reviewChange({ id, status: cur.status, category: cur.category, reviewNote: cur.review_note }, status, note, category);
      await client.query('UPDATE field_reports SET status = $1, reviewed_at = now(), review_note = $2, category = $3 WHERE id = $4', [status, change.reviewNote, change.category, id]);
      await client.query(`INSERT INTO field_report_events (report_id, event, at, note) VALUES ($1, $2, now(), $3)`, [id, status, note]);
      const { rows } = await client.query<ReportRow>(`SELECT ${COLUMNS} FROM field_reports WHERE id = $1`, [id]);
      await client.query('COMMIT');
      return reportFromRow(rows[0]!);
    } catch (e) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw e;
    } finally {
      client.release();
    }
  }

  async version(): Promise<number> {
    const { rows } = await this.pool.query<{ v: string }>('SELECT COALESCE(MAX(id), 0) AS v FROM field_report_events');
    return Number(rows[0]!.v);
  }

  async exists(): Promise<boolean> {
    const { rows } = await this.pool.query<{ n: string }>('SELECT count(*) AS n FROM field_report_events');
    return Number(rows[0]!.n) > 0;
  }

  async close(): Promise<void> {
    /* the pool belongs to the backends */
  }
}
