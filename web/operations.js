// The Operations view: the key series of the Grafana dashboard (API p99, ingest rows and rejected
// share, series fitted, failed workflows, task-queue backlog) and the alerts firing now, read from
// Prometheus through GET /v1/operations; redrawn every 30 s while shown.
import { api } from './api.js';
import { embedChart } from './chart.js';
import { byId, h } from './dom.js';
import { dateTime } from './format.js';
import { clearError, showError } from './notice.js';

const REFRESH_MS = 30_000;
const FORMATS = { seconds: '.3~s', count: ',.0f', ratio: '.1%', per_second: ',.2f' };
const UNITS = { seconds: 'seconds', count: 'count', ratio: 'share', per_second: 'per second' };

let timer;
let generation = 0;

export function initOperationsView() {
  byId('ops-hours').addEventListener('change', () => load().then(clearError, showError));
}

export function showOperations(show) {
  clearInterval(timer);
  if (!show) return;
  load().then(clearError, showError);
  timer = setInterval(() => load().then(clearError, showError), REFRESH_MS);
}

function spec(series) {
  const rows = series.lines.flatMap((l) => l.points.map((p) => ({ time: p.t * 1000, value: p.v, line: l.label })));
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    description: series.title,
    width: 'container',
    height: 160,
    autosize: { type: 'fit-x', contains: 'padding' },
    data: { values: rows },
    mark: { type: 'line', point: rows.length < 40 },
    encoding: {
      x: { field: 'time', type: 'temporal', title: null, axis: { format: '%H:%M' } },
      y: { field: 'value', type: 'quantitative', title: UNITS[series.unit], axis: { format: FORMATS[series.unit] } },
      color: { field: 'line', type: 'nominal', title: null, legend: { orient: 'top' } },
      tooltip: [
        { field: 'line', title: 'series' },
        { field: 'time', type: 'temporal', format: '%H:%M:%S' },
        { field: 'value', type: 'quantitative', format: FORMATS[series.unit] },
      ],
    },
    config: { font: 'system-ui, sans-serif', view: { stroke: null } },
  };
}

async function load() {
  const mine = ++generation;
  const data = await api(`/v1/operations?hours=${byId('ops-hours').value}`);
  if (mine !== generation) return;
  byId('ops-updated').textContent = `as of ${dateTime(new Date(data.to * 1000).toISOString())}`;
  byId('ops-alerts').replaceChildren(
    data.alerts.length
      ? h(
          'ul',
          { class: 'alerts' },
          data.alerts.map((a) => h('li', {}, h('strong', {}, a.name), ` ${a.summary} (since ${dateTime(a.since)})`)),
        )
      : h('p', { class: 'hint' }, 'No alert is firing.'),
  );
  const charts = byId('ops-charts');
  charts.replaceChildren(
    ...data.series.map((s) =>
      h(
        'article',
        { class: 'card', 'data-series': s.key },
        h('h3', {}, s.title),
        s.lines.length
          ? h('div', { class: 'chart small', id: `ops-chart-${s.key}` })
          : h('p', { class: 'hint empty' }, 'No data in this range yet.'),
      ),
    ),
  );
  await Promise.all(
    data.series.filter((s) => s.lines.length).map((s) => embedChart(byId(`ops-chart-${s.key}`), spec(s))),
  );
}
