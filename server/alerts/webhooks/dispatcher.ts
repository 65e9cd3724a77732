/**
 * Sends each subscription the alerts it has not yet received (matching its kinds and regions), one at a
 * time per subscription, recording every outcome. A run never overlaps another (a second call waits for
 * the first's result). Alerts that failed are tried again on the next run.
 */
import type { SourcePolicy } from '../../raster/source.js';
import type { Alert } from '../rules.js';
import type { WebhookStore } from './store.js';
import { deliverWithRetry, type RetryOptions } from './deliver.js';

interface DispatchReport {
  subscriptions: number;
  delivered: number;
  failed: Array<{ subscriptionId: number; alertId: string; attempts: number; error: string | null }>;
}

export class Dispatcher {
  private running: Promise<DispatchReport> | null = null;

  constructor(private readonly store: WebhookStore, private readonly policy: SourcePolicy, private readonly retry: RetryOptions) {}

  dispatch(alerts: readonly Alert[]): Promise<DispatchReport> {
    this.running ??= this.run(alerts).finally(() => {
      this.running = null;
    });
    return this.running;
  }

  private async run(alerts: readonly Alert[]): Promise<DispatchReport> {
    const subs = this.store.list();
    const report: DispatchReport = { subscriptions: subs.length, delivered: 0, failed: [] };
    await Promise.all(
      subs.map(async (sub) => {
        const mine = alerts.filter((a) => (sub.kinds.length === 0 || sub.kinds.includes(a.kind)) && (sub.regions.length === 0 || (a.regionId !== null && sub.regions.includes(a.regionId))));
        // oldest first, so a receiver sees them in the order they happened
        for (const alert of [...mine].reverse()) {
          if (this.store.delivered(sub.id, alert.id)) continue;
          const r = await deliverWithRetry(sub.url, sub.secret, { event: 'alert', subscriptionId: sub.id, sentAt: new Date().toISOString(), alert }, { 'x-granary-event': 'alert', 'x-granary-delivery': alert.id }, this.policy, this.retry);
          this.store.record({ subscriptionId: sub.id, alertId: alert.id, status: r.ok ? 'delivered' : 'failed', attempts: r.attempts, lastStatus: r.status, lastError: r.error, at: new Date().toISOString() });
          if (r.ok) report.delivered++;
          else report.failed.push({ subscriptionId: sub.id, alertId: alert.id, attempts: r.attempts, error: r.error });
        }
      }),
    );
    return report;
  }
}
