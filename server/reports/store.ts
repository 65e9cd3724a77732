/**
 * What the service needs from a field-report store (async, so that a network database fits).
 * Two implementations with the same rules: `SqliteReports` (embedded default: one SQLite file,
 * created on the first report) and `PgReports` (server/store/pg-reports.ts, cluster mode: PostGIS).
 * Status: pending -> approved | rejected; reviewing to the status a report already has throws
 * ReportsDbError (the route answers 409), unless the review gives a category different from the
 * report's: then it re-classifies the report (the reviewer correcting or adding a category).
 * A review without a category keeps the reporter's.
 */
import type { FieldReport, NewReport, ReportStatus } from './db.js';
import type { ReportCategory } from '../contract/reports.js';
import { ReportsService } from './service.js';

export interface FieldReportStore {
  insert(r: NewReport): Promise<FieldReport>;
  get(id: number): Promise<FieldReport | null>;
  list(status: ReportStatus | 'all', limit: number, offset: number): Promise<{ reports: FieldReport[]; total: number }>;
  /** Only approved reports: the one query behind every place reports are served as data. */
  approved(): Promise<FieldReport[]>;
  review(id: number, status: 'approved' | 'rejected', note: string | null, category?: ReportCategory): Promise<FieldReport | null>;
  /** Grows with every submission and status change (the served collection's cache key). */
  version(): Promise<number>;
  /** Whether any report store exists yet (the collection is listed only then). */
  exists(): Promise<boolean>;
  close(): Promise<void>;
}

export class SqliteReports implements FieldReportStore {
  readonly service: ReportsService;
  constructor(path: string) {
    this.service = new ReportsService(path);
  }
  async insert(r: NewReport) {
    return this.service.writable().insert(r);
  }
  async get(id: number) {
    return this.service.readable()?.get(id) ?? null;
  }
  async list(status: ReportStatus | 'all', limit: number, offset: number) {
    return this.service.readable()?.list(status, limit, offset) ?? { reports: [], total: 0 };
  }
  async approved() {
    return this.service.approved();
  }
  async review(id: number, status: 'approved' | 'rejected', note: string | null, category?: ReportCategory) {
    return this.service.readable()?.review(id, status, note, category) ?? null;
  }
  async version() {
    return this.service.version();
  }
  async exists() {
    return this.service.exists();
  }
  async close() {
    this.service.close();
  }
}
