/** Prometheus metrics (prom-client): requests and latencies by route, caches, worker pool. */
import { Registry, Counter, Histogram, Gauge, collectDefaultMetrics } from 'prom-client';

export class Metrics {
  readonly registry = new Registry();
  readonly requests = new Counter({ name: 'granary_http_requests_total', help: 'HTTP requests by route and status', labelNames: ['route', 'method', 'status'], registers: [this.registry] });
  readonly latency = new Histogram({ name: 'granary_http_request_duration_seconds', help: 'HTTP request latency by route', labelNames: ['route'], buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10], registers: [this.registry] });
  readonly tileCache = new Counter({ name: 'granary_tile_cache_total', help: 'Rendered-tile cache lookups', labelNames: ['result'], registers: [this.registry] });
  readonly workerCpu = new Gauge({ name: 'granary_worker_cpu_seconds', help: 'CPU seconds spent in worker threads by task kind', labelNames: ['kind'], registers: [this.registry] });
  readonly pool = new Gauge({ name: 'granary_worker_pool', help: 'Worker pool state', labelNames: ['state'], registers: [this.registry] });

  constructor() {
    collectDefaultMetrics({ register: this.registry, prefix: 'granary_' });
  }
}
