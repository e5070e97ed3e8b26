// The runs view: ingest and training runs, newest first; a running one shows a progress bar from
// its live progress, a finished one its counts and metric summary. Each links to its workflow
// in the Temporal UI. Refreshed every few seconds while the view is open.
import { api } from './api.js';
import { byId, h } from './dom.js';
import { dateTime, duration, number, percent } from './format.js';
import { clearError, showError } from './notice.js';

const REFRESH_MS = 3000;
const LIMIT = 20;
const INGEST_STAGES = ['starting', 'validating', 'exporting', 'loading', 'reconciling', 'done'];
let timer;
let visible = false;

export function showRuns(show) {
  visible = show;
  clearTimeout(timer);
  if (show) void refresh();
}

async function refresh() {
  try {
    const [ingest, training] = await Promise.all([api(`/v1/ingest/runs?limit=${LIMIT}`), api(`/v1/training-runs?limit=${LIMIT}`)]);
    // The list has no live progress: running ones are read one by one.
    const live = (runs, path) => Promise.all(runs.map((r) => (r.ended_at ? r : api(`${path}/${encodeURIComponent(r.run_id)}`).catch(() => r))));
    const [ingestRuns, trainingRuns] = await Promise.all([live(ingest.runs, '/v1/ingest/runs'), live(training.runs, '/v1/training-runs')]);
    render('ingest-runs', ingestRuns, ingestRun, 'No ingest runs yet.');
    render('training-runs', trainingRuns, trainingRun, 'No training runs yet.');
    clearError();
  } catch (err) {
    showError(err);
  }
  if (visible) timer = setTimeout(() => void refresh(), REFRESH_MS);
}

function render(id, runs, item, empty) {
  byId(id).replaceChildren(runs.length ? h('ul', { class: 'runs' }, runs.map(item)) : h('p', { class: 'hint' }, empty));
}

function runHead(run, title, status, linked = true) {
  const took = run.ended_at ? ` · took ${duration(Date.parse(run.ended_at) - Date.parse(run.started_at))}` : '';
  return h('div', { class: 'run-head' },
    linked ? h('a', { href: run.temporalUrl, target: '_blank', rel: 'noopener', title: 'open its workflow in the Temporal UI' }, title) : h('span', {}, title),
    h('span', { class: `badge ${run.ended_at ? status : 'running'}` }, run.ended_at ? status : 'running'),
    h('span', { class: 'when' }, `${dateTime(run.started_at)}${took}`));
}

const bar = (fraction, label) => h('div', { class: 'bar' },
  h('progress', { max: 1, value: fraction, 'aria-label': label }), h('span', {}, label));

function ingestRun(run) {
  const c = run.counts ?? {};
  const stage = run.progress?.stage ?? run.status;
  const counts = run.progress?.counts ?? c;
  // A bulk import is no workflow: nothing to link to.
  return h('li', { class: 'run' },
    runHead(run, `${run.kind === 'import' ? 'Import' : 'Daily ingest'} ${run.sale_date ?? run.run_id}`, run.status, run.kind !== 'import'),
    run.ended_at
      ? h('p', {}, `staged ${number(c.staged)} · accepted ${number(c.accepted)} · rejected ${number(c.rejected)} · rows in Postgres ${number(c.postgres)}, GCS ${number(c.gcs)}, BigQuery ${number(c.bigquery)}`)
      : bar(INGEST_STAGES.indexOf(stage) / (INGEST_STAGES.length - 1), `${stage}${counts.staged === undefined ? '' : ` · ${number(counts.staged)} staged`}`),
    run.error ? h('p', { class: 'bad' }, run.error) : null);
}

function trainingRun(run) {
  const c = run.counts ?? {};
  const p = run.progress;
  const setup = `as of ${run.as_of} · ${run.engine} · ${run.window_days ? `${run.window_days}-day window` : 'full history'}`;
  const body = run.ended_at
    ? [h('p', {}, `${setup} · fitted ${number(c.fitted)} of ${number(c.series)} series · promoted ${number(c.promoted)} · unfit ${number(c.unfit)}`),
      h('p', { class: 'metrics' }, metricSummary(run.metrics ?? {}))]
    : [h('p', {}, setup), p
      ? bar(p.counts.series ? p.counts.done / p.counts.series : undefined,
        `${p.stage}: ${number(p.counts.done)} of ${number(p.counts.series)} series · ${number(p.seriesPerSecond, 1)}/s${p.etaSeconds === null ? '' : ` · ${duration(p.etaSeconds * 1000)} left`}`)
      : bar(undefined, 'starting')];
  return h('li', { class: 'run' }, runHead(run, `Training ${run.run_id}`, run.status), body, run.error ? h('p', { class: 'bad' }, run.error) : null);
}

/** p50 (p10–p90) of the run's versions' backtest metrics. */
function metricSummary(m) {
  const parts = [['RMSPE', m.rmspe], ['WAPE', m.wape], ['coverage', m.coverage]]
    .filter(([, s]) => s)
    .map(([name, s]) => `${name} ${percent(s.p50)} (${percent(s.p10)}–${percent(s.p90)})`);
  return parts.length ? `median backtest (p10–p90): ${parts.join(' · ')}` : 'no metrics';
}
