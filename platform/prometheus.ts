// Reading Prometheus' HTTP API for the page's Operations view: a fixed set of key series (each also
// a panel of deploy/grafana/retailflow.json) over a time range, and the alerts firing now.

export interface KeySeries {
  key: string;
  title: string;
  unit: 'seconds' | 'count' | 'ratio' | 'per_second';
  expr: string;
  /** The label that names a line of the chart. */
  by: string[];
}

export const KEY_SERIES: KeySeries[] = [
  {
    key: 'api_p99',
    title: 'API p99 latency by route',
    unit: 'seconds',
    expr: 'route:retailflow_http_request_duration_seconds:p99_5m',
    by: ['route'],
  },
  {
    key: 'ingest_rows',
    title: 'Ingest rows per hour',
    unit: 'count',
    expr: 'pipeline:retailflow_ingest_rows:increase1h',
    by: ['pipeline', 'outcome'],
  },
  {
    key: 'ingest_rejected_share',
    title: 'Ingest rejected share',
    unit: 'ratio',
    expr: 'pipeline:retailflow_ingest_rejected_share:ratio1h',
    by: ['pipeline'],
  },
  {
    key: 'series_fitted',
    title: 'Series fitted per second',
    unit: 'per_second',
    expr: 'engine:retailflow_series_fitted:rate5m',
    by: ['engine', 'outcome'],
  },
  {
    key: 'workflows_failed',
    title: 'Failed workflows (15 min)',
    unit: 'count',
    expr: 'workflow_type:temporal_workflow_failed:increase15m',
    by: ['workflow_type'],
  },
  {
    key: 'task_queue_backlog',
    title: 'Task-queue backlog',
    unit: 'count',
    expr: 'task_queue:retailflow_task_queue_backlog:max',
    by: ['task_queue', 'type'],
  },
];

export interface Line {
  label: string;
  points: { t: number; v: number }[];
}
export interface FiringAlert {
  name: string;
  summary: string;
  since: string;
  labels: Record<string, string>;
}

export class PrometheusUnavailable extends Error {
  override name = 'PrometheusUnavailable';
}

async function get<T>(base: string, path: string, params: Record<string, string>): Promise<T> {
  const url = `${base.replace(/\/$/, '')}${path}?${new URLSearchParams(params).toString()}`;
  let res: Response;
  try {
    res = await fetch(url, { signal: AbortSignal.timeout(5_000) });
  } catch (err) {
    throw new PrometheusUnavailable(`Prometheus at ${base} does not answer: ${(err as Error).message}`);
  }
  const body = (await res.json().catch(() => undefined)) as { status?: string; error?: string; data?: T } | undefined;
  if (!res.ok || body?.status !== 'success')
    throw new PrometheusUnavailable(`Prometheus at ${base} answered ${res.status}: ${body?.error ?? 'no JSON'}`);
  return body.data as T;
}

/** One key series from `from` to `to` (Unix seconds) at `step` seconds: a line per label set. */
export async function rangeOf(
  base: string,
  series: KeySeries,
  from: number,
  to: number,
  step: number,
): Promise<Line[]> {
  const data = await get<{ result: { metric: Record<string, string>; values: [number, string][] }[] }>(
    base,
    '/api/v1/query_range',
    { query: series.expr, start: String(from), end: String(to), step: String(step) },
  );
  // NaN (a quantile or share of nothing) is no point; a line of none is left out.
  return data.result
    .map((r) => ({
      label: series.by.map((l) => r.metric[l] ?? '').join(' ') || series.title,
      points: r.values.map(([t, v]) => ({ t, v: Number(v) })).filter((p) => Number.isFinite(p.v)),
    }))
    .filter((line) => line.points.length > 0);
}

/** The alerts firing now. */
export async function firingAlerts(base: string): Promise<FiringAlert[]> {
  const data = await get<{
    alerts: { labels: Record<string, string>; annotations: Record<string, string>; state: string; activeAt: string }[];
  }>(base, '/api/v1/alerts', {});
  return data.alerts
    .filter((a) => a.state === 'firing')
    .map((a) => ({
      name: a.labels.alertname ?? 'unnamed',
      summary: a.annotations.summary ?? '',
      since: a.activeAt,
      labels: a.labels,
    }));
}
