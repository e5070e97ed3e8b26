// The application's Prometheus metrics, every name in one place. Labels take values from small
// fixed sets (route patterns, engines, outcomes), never ids or raw paths, so series stay bounded.
// Each process (the API, a worker) serves this registry at /metrics; a worker appends the Temporal
// SDK's own metrics to it (metricsServer.ts).
import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export const registry = new Registry();
// The standard process_* and nodejs_* series (CPU, memory, event-loop lag), as every Node exporter names them.
collectDefaultMetrics({ register: registry });

/** Seconds, from a millisecond fast path to a weekly run's shard. */
const SECONDS = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300];

export const metrics = {
  httpRequestSeconds: new Histogram({
    name: 'retailflow_http_request_duration_seconds',
    help: 'API request latency by route pattern, method and status code',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: SECONDS,
    registers: [registry],
  }),
  ingestRows: new Counter({
    name: 'retailflow_ingest_rows_total',
    help: 'Rows an ingest validated, by pipeline (daily, import) and outcome (accepted, rejected); counted once, when written: a retried step adds none',
    labelNames: ['pipeline', 'outcome'] as const,
    registers: [registry],
  }),
  seriesFitted: new Counter({
    name: 'retailflow_series_fitted_total',
    help: 'Forecast series trained, by engine and outcome (fitted, unfit)',
    labelNames: ['engine', 'outcome'] as const,
    registers: [registry],
  }),
  fitSeconds: new Histogram({
    name: 'retailflow_fit_seconds',
    help: 'Seconds spent fitting one batch of series (kind shard: a weekly run, retrain: one series on demand)',
    labelNames: ['engine', 'kind'] as const,
    buckets: SECONDS,
    registers: [registry],
  }),
  promotions: new Counter({
    name: 'retailflow_promotions_total',
    help: 'Model versions made production, by model kind (sales_forecast, customer_segments, tabular); counted once, when the change commits',
    labelNames: ['kind'] as const,
    registers: [registry],
  }),
  retrainSeconds: new Histogram({
    name: 'retailflow_retrain_seconds',
    help: 'Seconds a retrain on demand takes from reading the series to its forecast written',
    labelNames: ['outcome'] as const,
    buckets: SECONDS,
    registers: [registry],
  }),
  modelCache: new Counter({
    name: 'retailflow_model_cache_requests_total',
    help: "Serving's production-model cache lookups, by model kind and result (hit, miss)",
    labelNames: ['kind', 'result'] as const,
    registers: [registry],
  }),
};

// Present at 0 from the start, so that increase() counts a process's first ingest too.
for (const pipeline of ['daily', 'import'])
  for (const outcome of ['accepted', 'rejected']) metrics.ingestRows.inc({ pipeline, outcome }, 0);

/** Rows an ingest step wrote: called once per committed write, with what that write added. */
export function countIngested(pipeline: 'daily' | 'import', accepted: number, rejected: number): void {
  metrics.ingestRows.inc({ pipeline, outcome: 'accepted' }, accepted);
  metrics.ingestRows.inc({ pipeline, outcome: 'rejected' }, rejected);
}

/** A model version made production: called once, after the transaction that changed its stage committed. */
export function countPromotion(kind: 'sales_forecast' | 'customer_segments' | 'tabular'): void {
  metrics.promotions.inc({ kind });
}

/** A training step's outcome: its series fitted and not, and its promotions. */
export function countTrained(engine: string, saved: { fitted: number; unfit: number; promoted: number }): void {
  metrics.seriesFitted.inc({ engine, outcome: 'fitted' }, saved.fitted);
  metrics.seriesFitted.inc({ engine, outcome: 'unfit' }, saved.unfit);
  metrics.promotions.inc({ kind: 'sales_forecast' }, saved.promoted);
}

/** Seconds since `start` (a performance.now() reading). */
export const secondsSince = (start: number): number => (performance.now() - start) / 1000;
