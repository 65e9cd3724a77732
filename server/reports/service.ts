/**
 * The field-report store of a running service. The database file is created on the first report
 * (a server that never receives one writes nothing into its data directory); reads before that
 * see an empty store.
 */
import { existsSync } from 'node:fs';
import { ReportStore, type FieldReport } from './db.js';

export class ReportsService {
  private store: ReportStore | null = null;

  constructor(readonly path: string) {}

  /** The store, creating the database if needed (writes). */
  writable(): ReportStore {
    return (this.store ??= ReportStore.open(this.path));
  }

  /** The store if the database exists, else null (reads never create it). */
  readable(): ReportStore | null {
    if (this.store) return this.store;
    if (!existsSync(this.path)) return null;
    return this.writable();
  }

  exists(): boolean {
    return this.store !== null || existsSync(this.path);
  }

  /** Approved reports only: what the collection and the training export serve. */
  approved(): FieldReport[] {
    return this.readable()?.approved() ?? [];
  }

  version(): number {
    return this.readable()?.version() ?? 0;
  }

  close(): void {
    this.store?.close();
    this.store = null;
  }
}
