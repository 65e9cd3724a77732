/**
 * A field-report row as both stores select it (snake_case columns; SQLite in reports/db.ts,
 * PostgreSQL in store/pg-reports.ts) and its one mapping to the API's FieldReport. PostgreSQL returns
 * bigint ids as strings, hence `Number(id)`.
 */
import type { FieldReport, ReportStatus } from './db.js';
import type { ReportCategory } from '../contract/reports.js';

export interface ReportRow {
  id: number | string;
  lon: number;
  lat: number;
  class: string;
  observed_on: string;
  note: string | null;
  category: ReportCategory | null;
  model_id: string;
  status: ReportStatus;
  submitted_at: string;
  submitted_by: 'anonymous' | 'token';
  reviewed_at: string | null;
  review_note: string | null;
}

export const reportFromRow = (r: ReportRow): FieldReport => ({
  id: Number(r.id),
  lon: r.lon,
  lat: r.lat,
  class: r.class,
  observedOn: r.observed_on,
  note: r.note,
  category: r.category,
  modelId: r.model_id,
  status: r.status,
  submittedAt: r.submitted_at,
  submittedBy: r.submitted_by,
  reviewedAt: r.reviewed_at,
  reviewNote: r.review_note,
});
