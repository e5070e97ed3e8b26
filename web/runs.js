// The runs view: runs of every kind from GET /v1/runs, newest first, filtered by kind and status,
// a page at a time ("Show more"). A backfill is one card with its days' progress; opening it lists
// its days. A run without an end is read one by one (GET /v1/runs/{id}): that gives its live
// progress and settles it when its workflow has closed, so a closed run never shows as running.
// Each links to its workflow in the Temporal UI. Refreshed every few seconds while the view is open.
import { api } from './api.js';
import { byId, h } from './dom.js';
import { dateTime, duration, number, percent } from './format.js';
import { clearError, showError } from './notice.js';

const REFRESH_MS = 3000;
const PAGE = 20;
const DAYS_SHOWN = 100;
const INGEST_STAGES = ['starting', 'validating', 'exporting', 'loading', 'reconciling', 'done'];
const KIND_TITLES = {
  daily: 'Daily ingest',
  backfill: 'Backfill',
  import: 'Import',
  training: 'Training',
  retrain: 'Retrain',
  segmentation: 'Segmentation',
  tabular: 'Tabular training',
};
let timer;
let visible = false;
let pages = 1;
/** Backfills whose days are shown. */
const opened = new Set();
/** Each refresh's number: an answer to an older one (filters changed since) is dropped. */
let generation = 0;

export function showRuns(show) {
  visible = show;
  clearTimeout(timer);
  if (show) void refresh();
}

export function initRunsView() {
  for (const id of ['run-kind', 'run-status']) {
    byId(id).addEventListener('change', () => {
      pages = 1;
      void refresh();
    });
  }
  byId('runs-more').addEventListener('click', () => {
    pages++;
    void refresh();
  });
}

function listPath(extra = {}) {
  const params = new URLSearchParams({ limit: String(PAGE * pages) });
  for (const [name, id] of [
    ['kind', 'run-kind'],
    ['status', 'run-status'],
  ])
    if (byId(id).value) params.set(name, byId(id).value);
  for (const [name, value] of Object.entries(extra)) params.set(name, value);
  return `/v1/runs?${params}`;
}

/** A run without an end, read again: live progress, or its real end. */
const live = (runs) =>
  Promise.all(runs.map((r) => (r.running ? api(`/v1/runs/${encodeURIComponent(r.id)}`).catch(() => r) : r)));

async function refresh() {
  clearTimeout(timer);
  const mine = ++generation;
  try {
    const page = await api(listPath());
    const runs = await live(page.runs);
    const days = new Map(
      await Promise.all(
        runs
          .filter((r) => r.kind === 'backfill' && opened.has(r.id))
          .map(async (r) => [
            r.id,
            await live((await api(`/v1/runs?backfill=${encodeURIComponent(r.id)}&limit=${DAYS_SHOWN}`)).runs),
          ]),
      ),
    );
    if (mine !== generation) return;
    byId('runs-list').replaceChildren(
      runs.length
        ? h(
            'ul',
            { class: 'runs' },
            runs.map((r) => (r.kind === 'backfill' ? backfillRun(r, days.get(r.id)) : item(r))),
          )
        : h('p', { class: 'hint' }, 'No runs match.'),
    );
    byId('runs-more').hidden = !page.next;
    clearError();
  } catch (err) {
    if (mine === generation) showError(err);
  }
  if (visible && mine === generation) timer = setTimeout(() => void refresh(), REFRESH_MS);
}

const RENDERERS = { training: trainingRun, retrain: retrainRun, segmentation: segmentationRun, tabular: tabularRun };
const item = (run) => (RENDERERS[run.kind] ?? ingestRun)(run);

function runHead(run, title) {
  const took = run.ended_at ? ` · took ${duration(Date.parse(run.ended_at) - Date.parse(run.started_at))}` : '';
  const state = run.running ? 'running' : run.status;
  // A bulk import is no workflow: nothing to link to.
  return h(
    'div',
    { class: 'run-head' },
    run.temporalUrl
      ? h(
          'a',
          { href: run.temporalUrl, target: '_blank', rel: 'noopener', title: 'open its workflow in the Temporal UI' },
          title,
        )
      : h('span', {}, title),
    h('span', { class: `badge ${state}` }, state.replace('_', ' ')),
    run.warning ? h('span', { class: 'badge warning' }, 'warning') : null,
    h('span', { class: 'when' }, `${dateTime(run.started_at)}${took}`),
  );
}

const bar = (fraction, label) =>
  h('div', { class: 'bar' }, h('progress', { max: 1, value: fraction, 'aria-label': label }), h('span', {}, label));

const notes = (run) => [
  run.warning ? h('p', { class: 'warn' }, run.warning) : null,
  run.error ? h('p', { class: 'bad' }, run.error) : null,
];

function ingestRun(run) {
  const c = run.counts ?? {};
  const stage = run.progress?.stage ?? run.status;
  const counts = run.progress?.counts ?? c;
  return h(
    'li',
    { class: 'run', 'data-kind': run.kind },
    runHead(run, `${KIND_TITLES[run.kind]} ${run.sale_date ?? run.id}`),
    run.running
      ? bar(
          INGEST_STAGES.indexOf(stage) / (INGEST_STAGES.length - 1),
          `${stage}${counts.staged === undefined ? '' : ` · ${number(counts.staged)} staged`}`,
        )
      : h(
          'p',
          {},
          `staged ${number(c.staged)} · accepted ${number(c.accepted)} · rejected ${number(c.rejected)} · rows in Postgres ${number(c.postgres)}, GCS ${number(c.gcs)}, BigQuery ${number(c.bigquery)}`,
        ),
    notes(run),
  );
}

/** One card for the whole range: how many days have settled, by state, and the days on demand. */
function backfillRun(run, days) {
  const p = run.progress ?? run.counts ?? {};
  const d = run.days ?? {};
  const total = p.total ?? 0;
  const settled = p.completed ?? 0;
  const byState = ['done', 'failed', 'cancelled', 'terminated', 'timed_out', 'running', 'warning']
    .filter((s) => d[s])
    .map((s) => `${s.replace('_', ' ')} ${number(d[s])}`)
    .join(' · ');
  const details = h(
    'details',
    { class: 'days', open: opened.has(run.id) },
    h('summary', {}, `Days (${number(total)})`),
    days
      ? days.length
        ? h('ul', { class: 'runs' }, days.map(ingestRun))
        : h('p', { class: 'hint' }, 'No day has started.')
      : h('p', { class: 'hint' }, 'Loading…'),
  );
  details.addEventListener('toggle', () => {
    if (details.open === opened.has(run.id)) return;
    if (details.open) opened.add(run.id);
    else opened.delete(run.id);
    if (details.open) void refresh();
  });
  const failed = (p.failed ?? []).slice(0, 5).map((f) => h('p', { class: 'bad' }, `${f.date}: ${f.reason}`));
  return h(
    'li',
    { class: 'run backfill', 'data-kind': 'backfill' },
    runHead(run, `Backfill ${p.from ?? ''} – ${p.to ?? ''}`),
    bar(total ? settled / total : undefined, `${number(settled)} of ${number(total)} days settled`),
    byState ? h('p', {}, byState) : null,
    p.cancelled?.length ? h('p', {}, `not run (cancelled): ${number(p.cancelled.length)} days`) : null,
    failed,
    run.error && !failed.length ? h('p', { class: 'bad' }, run.error) : null,
    details,
  );
}

function trainingRun(run) {
  const c = run.counts ?? {};
  const p = run.progress;
  const setup = `as of ${run.as_of} · ${run.engine} · ${run.window_days ? `${run.window_days}-day window` : 'full history'}`;
  const body = run.running
    ? [
        h('p', {}, setup),
        p
          ? bar(
              p.counts.series ? p.counts.done / p.counts.series : undefined,
              `${p.stage}: ${number(p.counts.done)} of ${number(p.counts.series)} series · ${number(p.seriesPerSecond, 1)}/s${p.etaSeconds === null ? '' : ` · ${duration(p.etaSeconds * 1000)} left`}`,
            )
          : bar(undefined, 'starting'),
      ]
    : [
        h(
          'p',
          {},
          `${setup} · fitted ${number(c.fitted)} of ${number(c.series)} series · promoted ${number(c.promoted)} · unfit ${number(c.unfit)}`,
        ),
        h('p', { class: 'metrics' }, metricSummary(run.metrics ?? {})),
      ];
  return h('li', { class: 'run', 'data-kind': 'training' }, runHead(run, `Training ${run.id}`), body, notes(run));
}

function retrainRun(run) {
  const m = run.metrics ?? {};
  const outcome = run.running
    ? bar(undefined, 'fitting')
    : run.status === 'done'
      ? h(
          'p',
          {},
          `as of ${run.as_of} · ${run.engine} · ${run.counts?.promoted ? 'promoted' : 'not promoted'} · RMSPE ${percent(m.rmspe)} · WAPE ${percent(m.wape)}`,
        )
      : null;
  return h(
    'li',
    { class: 'run', 'data-kind': 'retrain' },
    runHead(run, `Retrain store ${run.store_id} · ${run.product}`),
    outcome,
    notes(run),
  );
}

/** A segmentation run: its stage and counts while it runs; then its customers, version and promotion. */
function segmentationRun(run) {
  const c = run.progress?.counts ?? run.counts ?? {};
  const r = run.metrics; // the run's registration
  const body = run.running
    ? bar(
        c.kTotal ? c.kDone / c.kTotal : undefined,
        `${run.progress?.stage ?? run.status}: ${number(c.kDone)} of ${number(c.kTotal)} k fitted · ${number(c.customers)} customers`,
      )
    : h(
        'p',
        {},
        `${number(c.customers)} customers · ${number(c.assigned)} assigned` +
          (r ? ` · version ${r.version} ${r.promoted ? 'promoted' : 'not promoted'}` : ''),
      );
  return h(
    'li',
    { class: 'run', 'data-kind': 'segmentation' },
    runHead(run, `Segmentation ${run.id}`),
    body,
    notes(run),
  );
}

/** A tabular run: its stage and trials while it runs; then its rows, trials, version and promotion. */
function tabularRun(run) {
  const c = run.counts ?? {};
  const p = run.progress;
  const r = run.metrics; // the run's registration
  const done = p?.trialsDone ?? c.trialsDone;
  const total = p?.trialsTotal ?? c.trialsTotal;
  const body = run.running
    ? bar(total ? done / total : undefined, `${p?.stage ?? run.status}: ${number(done)} of ${number(total)} trials`)
    : h(
        'p',
        {},
        `${number(c.rows)} rows (${number(c.train)} train, ${number(c.test)} test) · ${number(c.trialsDone)} trials` +
          (r ? ` · version ${r.version} ${r.promoted ? 'promoted' : 'not promoted'}` : ''),
      );
  return h(
    'li',
    { class: 'run', 'data-kind': 'tabular' },
    runHead(run, `${KIND_TITLES.tabular} ${run.engine} · ${run.id}`),
    body,
    notes(run),
  );
}

/** p50 (p10–p90) of the run's versions' backtest metrics. */
function metricSummary(m) {
  const parts = [
    ['RMSPE', m.rmspe],
    ['WAPE', m.wape],
    ['coverage', m.coverage],
  ]
    .filter(([, s]) => s)
    .map(([name, s]) => `${name} ${percent(s.p50)} (${percent(s.p10)}–${percent(s.p90)})`);
  return parts.length ? `median backtest (p10–p90): ${parts.join(' · ')}` : 'no metrics';
}
