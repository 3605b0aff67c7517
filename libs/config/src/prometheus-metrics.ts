import { Global, Injectable, Module } from '@nestjs/common';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import {
  type CounterLabels,
  type CounterName,
  type GaugeLabels,
  type GaugeName,
  type HistogramLabels,
  type HistogramName,
  Metrics,
} from '#shared-kernel';

const HELP: Record<CounterName | HistogramName, string> = {
  tiles_served: 'Tiles answered, by result (served, not_modified).',
  iiif_images: 'IIIF images answered, by result (stored_tile, rendered).',
  tile_cache_lookups: 'Ready-tile-set cache lookups on the tile path, by result (hit, miss).',
  storage_errors: 'Storage operations that failed (not counting missing objects), by operation.',
  upload_bytes: 'Bytes of uploads staged.',
  disk_full: 'Requests refused because a disk of this server was full (507), by operation.',
  db_stale_ok_reads: 'Reads that may be a moment stale, by target (replica, primary).',
  db_replica_fallbacks: 'Such reads sent to the primary, by reason (down, lagging, recent_write, error).',
  http_request_duration_seconds: 'HTTP requests: duration by operation, method and status (_count: requests).',
  job_duration_seconds: 'Jobs: duration by job type and outcome (_count: jobs).',
};
const LABELS: Record<CounterName | HistogramName, string[]> = {
  tiles_served: ['result'],
  iiif_images: ['result'],
  tile_cache_lookups: ['result'],
  storage_errors: ['operation'],
  upload_bytes: [],
  disk_full: ['operation'],
  db_stale_ok_reads: ['target'],
  db_replica_fallbacks: ['reason'],
  http_request_duration_seconds: ['operation', 'method', 'status'],
  job_duration_seconds: ['job', 'outcome'],
};
const GAUGE_HELP: Record<GaugeName, string> = {
  queue_jobs: 'Jobs in the queue by job type and state.',
  db_replica_up: 'Read replicas: 1 if it answers as a standby, else 0.',
  db_replica_lag_seconds: 'Read replicas: seconds of writes it may be missing (upper bound).',
};
const GAUGE_LABELS: Record<GaugeName, string[]> = {
  queue_jobs: ['job', 'state'],
  db_replica_up: ['replica'],
  db_replica_lag_seconds: ['replica'],
};
const BUCKETS: Record<HistogramName, number[]> = {
  http_request_duration_seconds: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10, 60],
  job_duration_seconds: [0.1, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900, 3600],
};

/**
 * Metrics in a Prometheus registry of this process (with Node's own: memory, event-loop
 * lag, GC), exposed by the API at /metrics and by a worker on METRICS_WORKER_PORT. Gauges
 * that are read when scraped (queue depth) register themselves with `registry`.
 */
@Injectable()
export class PrometheusMetrics extends Metrics {
  readonly registry = new Registry();
  private readonly counters = new Map<string, Counter>();
  private readonly histograms = new Map<string, Histogram>();

  constructor() {
    super();
    collectDefaultMetrics({ register: this.registry, prefix: 'tessera_' });
    for (const name of Object.keys(HELP) as (CounterName | HistogramName)[]) {
      const common = { help: HELP[name], labelNames: LABELS[name], registers: [this.registry] };
      if (name in BUCKETS) {
        this.histograms.set(
          name,
          new Histogram({ ...common, name: `tessera_${name}`, buckets: BUCKETS[name as HistogramName] }),
        );
      } else {
        this.counters.set(name, new Counter({ ...common, name: `tessera_${name}_total` }));
      }
    }
  }

  count<N extends CounterName>(name: N, labels: CounterLabels[N], value = 1): void {
    this.counters.get(name)!.inc(labels as Record<string, string>, value);
  }

  observe<N extends HistogramName>(name: N, labels: HistogramLabels[N], seconds: number): void {
    this.histograms.get(name)!.observe(labels as Record<string, string>, seconds);
  }

  gauge<N extends GaugeName>(name: N, read: () => Promise<{ labels: GaugeLabels[N]; value: number }[]>): void {
    new Gauge({
      name: `tessera_${name}`,
      help: GAUGE_HELP[name],
      labelNames: GAUGE_LABELS[name],
      registers: [this.registry],
      async collect() {
        this.reset();
        for (const { labels, value } of await read()) this.set(labels as Record<string, string>, value);
      },
    });
  }

  /** The exposition text for a scrape. */
  scrape(): Promise<string> {
    return this.registry.metrics();
  }
}

@Global()
@Module({
  providers: [PrometheusMetrics, { provide: Metrics, useExisting: PrometheusMetrics }],
  exports: [PrometheusMetrics, Metrics],
})
export class MetricsModule {}
