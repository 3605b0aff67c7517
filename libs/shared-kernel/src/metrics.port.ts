/**
 * Operational measurements, named once here so that every adapter exposes the same set
 * (Prometheus: `tessera_` + the name, counters with `_total`). Labels are low-cardinality
 * words, never ids.
 */
export interface CounterLabels {
  /** Tiles answered: `served` (bytes sent) or `not_modified` (304). */
  tiles_served: { result: 'served' | 'not_modified' };
  /** IIIF images answered: a `stored_tile` (the request was one) or `rendered` from the pyramid. */
  iiif_images: { result: 'stored_tile' | 'rendered' };
  /** Lookups of the ready-tile-set cache on the tile path. */
  tile_cache_lookups: { result: 'hit' | 'miss' };
  /** Storage operations that failed for another reason than a missing object. */
  storage_errors: { operation: string };
  /** Bytes of uploads staged (before any check). */
  upload_bytes: Record<string, never>;
  /** Requests refused because a local disk (or quota) of this server was full (507 STORAGE_FULL). */
  disk_full: { operation: string };
  /** Reads that may be a moment stale, by where they went: a `replica` or the `primary`. */
  db_stale_ok_reads: { target: 'replica' | 'primary' };
  /**
   * Such reads that went to the primary, by why: every replica `down`, `lagging` past the
   * maximum lag, not yet past the reader's `recent_write`, or an `error` of the replica asked.
   */
  db_replica_fallbacks: { reason: 'down' | 'lagging' | 'recent_write' | 'error' };
}

export interface HistogramLabels {
  /** HTTP requests by operation (operationId, or `unmatched`), method and status. */
  http_request_duration_seconds: { operation: string; method: string; status: string };
  /** Jobs by type and outcome. */
  job_duration_seconds: { job: string; outcome: 'completed' | 'failed' | 'dead' };
}

export interface GaugeLabels {
  /** Jobs in the queue by type and state, read when scraped. */
  queue_jobs: { job: string; state: 'queued' | 'active' | 'failed' };
  /** Each read replica (`replica1`... in DATABASE_REPLICA_URLS order): 1 if it answers as a standby. */
  db_replica_up: { replica: string };
  /** Seconds of writes each answering replica may be missing (an upper bound). */
  db_replica_lag_seconds: { replica: string };
}

export type CounterName = keyof CounterLabels;
export type HistogramName = keyof HistogramLabels;
export type GaugeName = keyof GaugeLabels;

export abstract class Metrics {
  abstract count<N extends CounterName>(name: N, labels: CounterLabels[N], value?: number): void;
  abstract observe<N extends HistogramName>(name: N, labels: HistogramLabels[N], seconds: number): void;
  /** A gauge whose values are read by `read` whenever the metrics are collected. */
  abstract gauge<N extends GaugeName>(name: N, read: () => Promise<{ labels: GaugeLabels[N]; value: number }[]>): void;
}

/** Metrics that go nowhere (unit tests, CLIs). */
export class NoMetrics extends Metrics {
  count(): void {}
  observe(): void {}
  gauge(): void {}
}
