/**
 * Webhook subscriptions and their deliveries, in SQLite (`<dataDir>/alerts/webhooks.sqlite`, WAL,
 * synchronous FULL: a delivery recorded is never lost, and one not recorded is retried).
 */
import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { randomBytes } from 'node:crypto';

interface Subscription {
  id: number;
  url: string;
  secret: string;
  kinds: string[];
  regions: string[];
  createdAt: string;
}

interface DeliveryRecord {
  subscriptionId: number;
  alertId: string;
  status: 'delivered' | 'failed';
  attempts: number;
  lastStatus: number | null;
  lastError: string | null;
  at: string;
}

const SCHEMA = `
CREATE TABLE IF NOT EXISTS subscriptions (id INTEGER PRIMARY KEY, url TEXT NOT NULL, secret TEXT NOT NULL, kinds TEXT NOT NULL, regions TEXT NOT NULL, created_at TEXT NOT NULL, active INTEGER NOT NULL DEFAULT 1);
CREATE TABLE IF NOT EXISTS deliveries (subscription_id INTEGER NOT NULL REFERENCES subscriptions(id), alert_id TEXT NOT NULL, status TEXT NOT NULL, attempts INTEGER NOT NULL, last_status INTEGER, last_error TEXT, at TEXT NOT NULL, PRIMARY KEY (subscription_id, alert_id));
`;

export class WebhookStore {
  private readonly db: Database.Database;

  constructor(path: string) {
    if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
    this.db = new Database(path);
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('synchronous = FULL');
    this.db.pragma('busy_timeout = 5000');
    this.db.exec(SCHEMA);
  }

  close(): void {
    this.db.close();
  }

  add(url: string, kinds: string[], regions: string[]): Subscription {
    const secret = randomBytes(32).toString('hex');
    const createdAt = new Date().toISOString();
    const id = Number(this.db.prepare('INSERT INTO subscriptions (url, secret, kinds, regions, created_at) VALUES (?, ?, ?, ?, ?)').run(url, secret, JSON.stringify(kinds), JSON.stringify(regions), createdAt).lastInsertRowid);
    return { id, url, secret, kinds, regions, createdAt };
  }

  list(): Subscription[] {
    return (this.db.prepare('SELECT * FROM subscriptions WHERE active = 1 ORDER BY id').all() as Array<Record<string, string | number>>).map((r) => ({ id: r.id as number, url: r.url as string, secret: r.secret as string, kinds: JSON.parse(r.kinds as string) as string[], regions: JSON.parse(r.regions as string) as string[], createdAt: r.created_at as string }));
  }

  remove(id: number): boolean {
    return this.db.prepare('UPDATE subscriptions SET active = 0 WHERE id = ? AND active = 1').run(id).changes > 0;
  }

  delivered(subscriptionId: number, alertId: string): boolean {
    return this.db.prepare(`SELECT 1 FROM deliveries WHERE subscription_id = ? AND alert_id = ? AND status = 'delivered'`).get(subscriptionId, alertId) !== undefined;
  }

  record(d: DeliveryRecord): void {
    this.db.prepare('INSERT OR REPLACE INTO deliveries VALUES (?, ?, ?, ?, ?, ?, ?)').run(d.subscriptionId, d.alertId, d.status, d.attempts, d.lastStatus, d.lastError, d.at);
  }

  deliveries(subscriptionId: number): DeliveryRecord[] {
    return (this.db.prepare('SELECT * FROM deliveries WHERE subscription_id = ? ORDER BY at').all(subscriptionId) as Array<Record<string, string | number | null>>).map((r) => ({ subscriptionId: r.subscription_id as number, alertId: r.alert_id as string, status: r.status as 'delivered' | 'failed', attempts: r.attempts as number, lastStatus: r.last_status as number | null, lastError: r.last_error as string | null, at: r.at as string }));
  }
}
