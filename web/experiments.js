// The Experiments view: tabular training runs (stage, trials done of total and the best so far
// while one runs; its version and whether it is the champion once done), the chosen run's trials
// in a table sorted by clicking any column (the champion's trial marked), the run's registered
// model predicted against actual on its test rows, and a tree model's feature importances; for a
// classification run (power-user), the comparison of each model x oversampling, the ROC and
// precision-recall curves of its version on the test rows, and what the threshold does. A form
// starts a run on a CSV in the bucket (write key). Refreshed every few seconds while a run runs.
import { api } from './api.js';
import { embedChart } from './chart.js';
import { byId, h } from './dom.js';
import { dateTime, duration, number, percent } from './format.js';
import { clearError, showError } from './notice.js';
import { IMPORTANCES_SHOWN, importanceSpec, predictedSpec } from './experimentCharts.js';
import { pointAt, prSpec, rocSpec, thresholdSpec } from './classificationCharts.js';

const REFRESH_MS = 2000;
const RUNS_SHOWN = 20;
/** Metrics in this order first, then any other a task has. */
const METRIC_ORDER = ['rmse', 'mae', 'r2', 'logLoss', 'rocAuc', 'prAuc', 'f1', 'precision', 'recall'];
const METRIC_TITLES = { rmse: 'RMSE', mae: 'MAE', r2: 'R²', logLoss: 'Log loss', rocAuc: 'ROC AUC', prAuc: 'PR AUC' };

let visible = false;
let timer;
/** The run whose trials are shown. */
let selected;
/** How the trials are sorted: a column key and its direction. */
let sort = { key: 'trial', descending: false };
/** The last run shown, so a click on a column re-sorts without asking the API. */
let shownRun;
/** Each run's evaluation (fixed once it registered), by run id. */
const evaluations = new Map();
/** Each load's number: an answer to an older one is dropped. */
let generation = 0;

const temporalLink = (url, text = 'Temporal UI') => h('a', { href: url, target: '_blank', rel: 'noopener' }, text);
const metricTitle = (m) => METRIC_TITLES[m] ?? m;
/** A metric as it reads: large errors with one decimal, ratios with three. */
const metricValue = (x) => (x === null || x === undefined ? '–' : Math.abs(x) >= 10 ? number(x, 1) : number(x, 3));
const objective = (metrics) => (metrics.rmse ? 'rmse' : 'logLoss');

export function initExperimentsView() {
  byId('tabular-start').addEventListener('submit', (event) => {
    event.preventDefault();
    startRun().then(clearError, showError);
  });
}

export function showExperiments(show) {
  visible = show;
  clearTimeout(timer);
  if (show) void refresh();
}

async function refresh() {
  clearTimeout(timer);
  const mine = ++generation;
  let running = false;
  try {
    const { runs } = await api(`/v1/tabular-runs?limit=${RUNS_SHOWN}`);
    if (!runs.some((r) => r.run_id === selected)) selected = runs[0]?.run_id;
    const [run, live] = await Promise.all([
      selected ? api(`/v1/tabular-runs/${encodeURIComponent(selected)}`) : undefined,
      // A running run is read on its own: that gives its live progress.
      Promise.all(
        runs.map((r) =>
          r.status === 'running' && r.run_id !== selected
            ? api(`/v1/tabular-runs/${encodeURIComponent(r.run_id)}`).catch(() => r)
            : r,
        ),
      ),
    ]);
    const evaluation = run?.model_version ? await evaluationOf(run) : undefined;
    if (mine !== generation) return;
    const shown = live.map((r) => (r.run_id === run?.run_id ? run : r));
    renderChampion(run?.champion ?? null);
    renderRuns(shown, run?.champion ?? null);
    shownRun = run;
    renderTrials(run);
    renderComparison(run);
    await renderEvaluation(run, evaluation);
    running = shown.some((r) => r.status === 'running');
    clearError();
  } catch (err) {
    if (mine === generation) showError(err);
  }
  if (visible && running && mine === generation) timer = setTimeout(() => void refresh(), REFRESH_MS);
}

async function evaluationOf(run) {
  const cached = evaluations.get(run.run_id);
  if (cached?.version === run.model_version) return cached;
  const evaluation = await api(`/v1/tabular-runs/${encodeURIComponent(run.run_id)}/evaluation`);
  evaluations.set(run.run_id, evaluation);
  return evaluation;
}

function renderChampion(champion) {
  byId('experiments-subtitle').textContent = champion
    ? `Champion: version ${champion.version} (${champion.label}) from run ${champion.runId}, trial ${champion.trial.trial} (${champion.trial.learner}).`
    : 'No champion yet: a run promotes its model when there is none, or when it beats the champion by the margin.';
}

function renderRuns(runs, champion) {
  const place = byId('tabular-runs');
  if (!runs.length) return place.replaceChildren(h('p', { class: 'hint' }, 'No run yet: start one above.'));
  place.replaceChildren(
    h(
      'table',
      { class: 'profiles tabular-runs' },
      h(
        'thead',
        {},
        h(
          'tr',
          {},
          ['Run', 'Started', 'Stage', 'Trials', 'Best so far', 'Version'].map((t) => h('th', { scope: 'col' }, t)),
        ),
      ),
      h(
        'tbody',
        {},
        runs.map((run) => runRow(run, champion)),
      ),
    ),
  );
}

function runRow(run, champion) {
  const p = run.progress;
  const done = p?.trialsDone ?? run.counts?.trialsDone ?? 0;
  const total = p?.trialsTotal ?? run.counts?.trialsTotal ?? 0;
  const best = p?.best ?? run.best;
  const metric = best && objective(best.metrics);
  const isChampion = champion?.runId === run.run_id;
  const row = h(
    'tr',
    {
      'data-run': run.run_id,
      class: `${run.run_id === selected ? 'selected' : ''} ${isChampion ? 'champion' : ''}`.trim() || undefined,
      tabindex: 0,
      'aria-selected': run.run_id === selected ? 'true' : 'false',
    },
    h('th', { scope: 'row' }, temporalLink(run.temporalUrl, run.run_id)),
    h('td', {}, dateTime(run.started_at)),
    h('td', {}, h('span', { class: `badge ${run.status}` }, p?.stage ?? run.stage)),
    h(
      'td',
      {},
      run.status === 'running'
        ? h('progress', { max: total || 1, value: done, 'aria-label': `${done} of ${total} trials` })
        : null,
      ` ${number(done)} of ${number(total)}`,
    ),
    h('td', {}, best ? `${metricTitle(metric)} ${metricValue(best.metrics[metric].mean)} (${best.learner})` : '–'),
    h(
      'td',
      {},
      run.model_version
        ? `${run.model_version} · ${run.version_stage ?? ''}${isChampion ? ' ★ champion' : ''}`
        : run.error
          ? h('span', { class: 'bad' }, run.status)
          : '–',
    ),
  );
  const choose = () => {
    selected = run.run_id;
    void refresh();
  };
  row.addEventListener('click', (event) => {
    if (event.target.closest('a')) return;
    choose();
  });
  row.addEventListener('keydown', (event) => {
    if (event.key === 'Enter') choose();
  });
  return row;
}

/** A trial's cell values by column key: what the table shows and what it sorts on. */
function columnsOf(trials) {
  const metrics = [...new Set(trials.flatMap((t) => Object.keys(t.metrics)))].sort(
    (a, b) => rank(a) - rank(b) || a.localeCompare(b),
  );
  return [
    { key: 'trial', title: '#', value: (t) => t.trial, text: (t) => String(t.trial) },
    { key: 'learner', title: 'Learner', value: (t) => t.learner, text: (t) => t.learner },
    { key: 'params', title: 'Parameters', value: paramsText, text: paramsText },
    ...metrics.map((m) => ({
      key: m,
      title: metricTitle(m),
      value: (t) => t.metrics[m]?.mean,
      text: (t) => (t.metrics[m] ? `${metricValue(t.metrics[m].mean)} ± ${metricValue(t.metrics[m].std)}` : '–'),
    })),
    { key: 'seconds', title: 'Seconds', value: (t) => t.seconds, text: (t) => number(t.seconds, 2) },
  ];
}

const rank = (m) => (METRIC_ORDER.includes(m) ? METRIC_ORDER.indexOf(m) : METRIC_ORDER.length);
const paramsText = (t) =>
  Object.entries(t.params)
    .map(([k, v]) => `${k}=${typeof v === 'number' ? Number(v.toPrecision(3)) : v}`)
    .join(', ');

function compare(column, descending) {
  return (a, b) => {
    const x = column.value(a);
    const y = column.value(b);
    // Trials without the value go last either way; ties by trial number.
    if (x === undefined || y === undefined) return (x === undefined) - (y === undefined) || a.trial - b.trial;
    const order = typeof x === 'string' ? x.localeCompare(y) : x - y;
    return (descending ? -order : order) || a.trial - b.trial;
  };
}

function renderTrials(run) {
  const place = byId('tabular-trials');
  byId('trials-title').textContent = run ? `Trials of ${run.run_id}` : 'Trials';
  byId('run-summary').replaceChildren(...(run ? runSummary(run) : []));
  if (!run?.trials.length) return place.replaceChildren(h('p', { class: 'hint' }, 'No trial recorded yet.'));
  const columns = columnsOf(run.trials);
  const column = columns.find((c) => c.key === sort.key) ?? columns[0];
  const championTrial = run.champion?.runId === run.run_id ? run.champion.trial.trial : undefined;
  const trials = [...run.trials].sort(compare(column, sort.descending));
  place.replaceChildren(
    h(
      'table',
      { class: 'profiles trials' },
      h(
        'thead',
        {},
        h(
          'tr',
          {},
          columns.map((c) =>
            h(
              'th',
              {
                scope: 'col',
                'aria-sort': c === column ? (sort.descending ? 'descending' : 'ascending') : 'none',
              },
              sortButton(c, c === column),
            ),
          ),
        ),
      ),
      h(
        'tbody',
        {},
        trials.map((t) =>
          h(
            'tr',
            {
              'data-trial': t.trial,
              class:
                [t.trial === championTrial ? 'champion' : '', t.trial === run.best?.trial ? 'best' : '']
                  .filter(Boolean)
                  .join(' ') || undefined,
            },
            columns.map((c, i) =>
              i === 0
                ? h(
                    'th',
                    { scope: 'row' },
                    c.text(t),
                    t.trial === championTrial ? h('span', { class: 'badge done' }, '★ champion') : null,
                  )
                : h('td', {}, c.text(t)),
            ),
          ),
        ),
      ),
    ),
  );
}

function sortButton(column, active) {
  const button = h(
    'button',
    { type: 'button', class: 'sort', 'data-sort': column.key },
    column.title,
    active ? (sort.descending ? ' ▼' : ' ▲') : '',
  );
  button.addEventListener('click', () => {
    sort = { key: column.key, descending: active ? !sort.descending : false };
    renderTrials(shownRun);
  });
  return button;
}

function runSummary(run) {
  const c = run.counts ?? {};
  const r = run.registration;
  const took = run.ended_at ? ` · took ${duration(Date.parse(run.ended_at) - Date.parse(run.started_at))}` : '';
  const text =
    `${run.model} · ${number(c.rows)} rows (${number(c.train)} train, ${number(c.test)} test) · ` +
    `${run.options.search.kind} search, ${run.options.search.folds}-fold cross-validation${took}` +
    (r
      ? ` · version ${r.version} ${r.promoted ? 'promoted' : 'kept as a challenger'}: ${r.reason}.`
      : run.error
        ? ''
        : '.');
  return run.error ? [h('span', {}, text), h('span', { class: 'bad' }, ` ${run.error}`)] : [h('span', {}, text)];
}

/** The seed's table: per learner x oversampling, the trial with the lowest cross-validated log loss. */
function renderComparison(run) {
  const rows = run?.comparison ?? [];
  byId('comparison-card').hidden = rows.length === 0;
  if (!rows.length) return;
  const tuned = rows.some((r) => r.threshold !== 0.5);
  byId('comparison-subtitle').textContent =
    `Each model family with each oversampling of the training folds: the trial with the lowest cross-validated log loss, ` +
    `its recall, precision and F1 at ${tuned ? 'the threshold chosen on the validation folds' : 'threshold 0.5'}, and its log loss, ROC AUC and PR AUC (cross-validation means).`;
  const head = [
    'Model',
    'Sampling',
    'Trials',
    'Threshold',
    'Recall',
    'Precision',
    'F1',
    'Log loss',
    'ROC AUC',
    'PR AUC',
  ];
  byId('tabular-comparison').replaceChildren(
    h(
      'table',
      { class: 'profiles comparison' },
      h(
        'thead',
        {},
        h(
          'tr',
          {},
          head.map((t) => h('th', { scope: 'col' }, t)),
        ),
      ),
      h(
        'tbody',
        {},
        rows.map((r) =>
          h(
            'tr',
            {
              'data-learner': r.learner,
              'data-sampling': r.sampling,
              class: r.trial === run.best?.trial ? 'best' : undefined,
            },
            h(
              'th',
              { scope: 'row' },
              r.learner,
              r.trial === run.best?.trial ? h('span', { class: 'badge done' }, 'chosen') : null,
            ),
            [r.sampling, number(r.trials), number(r.threshold, 3)].map((v) => h('td', {}, v)),
            [r.recall, r.precision, r.f1].map((v) => h('td', {}, percent(v))),
            [r.logLoss, r.rocAuc, r.prAuc].map((v) => h('td', {}, number(v, 3))),
          ),
        ),
      ),
    ),
  );
}

/** A binary version's curves on the test rows and its threshold's effect; hides them for regression. */
async function renderClassification(run, evaluation) {
  const c = evaluation?.classification;
  byId('classification-card').hidden = !c;
  byId('threshold-card').hidden = !c;
  byId('evaluation-card').hidden = Boolean(c);
  if (!c) return;
  const champion = run.champion?.runId === run.run_id ? ' (the champion)' : '';
  const chosen = pointAt(c.curve, c.threshold);
  const half = pointAt(c.curve, 0.5);
  byId('classification-subtitle').textContent =
    `Version ${evaluation.version}${champion}, ${evaluation.learner}, on the run's ${number(evaluation.points.length)} test rows: ` +
    `ROC AUC ${number(evaluation.metrics.rocAuc, 3)}, PR AUC ${number(evaluation.metrics.prAuc, 3)}. ` +
    `The red point is the threshold ${number(c.threshold, 3)}.`;
  const at = (p) =>
    `precision ${percent(p.precision)}, recall ${percent(p.recall)}, F1 ${percent(p.f1)} (${number(p.tp + p.fp)} users flagged)`;
  byId('threshold-subtitle').textContent =
    `The threshold was chosen on the validation folds, never on these rows. At it (${number(c.threshold, 3)}): ${at(chosen)}; ` +
    `at 0.5: ${at(half)}.`;
  await Promise.all([
    embedChart(byId('roc-chart'), rocSpec(c.curve, c.threshold)),
    embedChart(byId('pr-chart'), prSpec(c.curve, c.threshold)),
    embedChart(byId('threshold-chart'), thresholdSpec(c.curve, c.threshold)),
  ]);
}

async function renderEvaluation(run, evaluation) {
  const scatter = byId('evaluation-chart');
  const bars = byId('importance-chart');
  await renderClassification(run, evaluation);
  if (!evaluation) {
    byId('evaluation-subtitle').textContent = run ? 'The run has registered no model yet.' : 'No run yet.';
    byId('importance-subtitle').textContent = '';
    scatter.replaceChildren();
    bars.replaceChildren();
    return;
  }
  const metric = objective(evaluation.metrics);
  byId('evaluation-subtitle').textContent =
    `Version ${evaluation.version} (${evaluation.learner}) on the run's ${number(evaluation.points.length)} test rows: ` +
    Object.entries(evaluation.metrics)
      .map(([m, v]) => `${metricTitle(m)} ${metricValue(v)}`)
      .join(' · ') +
    `. Points on the dashed line are predicted exactly; ${metricTitle(metric)} measures how far they fall from it.`;
  if (evaluation.classification) scatter.replaceChildren();
  else await embedChart(scatter, predictedSpec(evaluation.points, evaluation.target));
  if (!evaluation.featureImportances) {
    byId('importance-subtitle').textContent =
      `A ${evaluation.learner} model has no feature importances (tree models do).`;
    bars.replaceChildren();
    return;
  }
  const n = evaluation.featureImportances.length;
  byId('importance-subtitle').textContent =
    `Each encoded feature's share of the split gain${n > IMPORTANCES_SHOWN ? `, the ${IMPORTANCES_SHOWN} largest of ${n}` : ''}.`;
  await embedChart(bars, importanceSpec(evaluation.featureImportances));
}

async function startRun() {
  const button = byId('tabular-start-submit');
  const status = byId('tabular-start-status');
  button.disabled = true;
  try {
    const started = await api('/v1/tabular-runs', {
      method: 'POST',
      admin: true,
      body: {
        model: byId('tabular-model').value,
        source: { kind: 'csv', uri: byId('tabular-uri').value.trim() },
        search: { trials: Number(byId('tabular-trial-count').value), folds: Number(byId('tabular-fold-count').value) },
        promotionMargin: Number(byId('tabular-margin').value),
      },
    });
    selected = started.workflowId;
    status.replaceChildren(h('span', {}, `Started ${started.workflowId}. `), temporalLink(started.temporalUrl));
    if (visible) await refreshUntilRecorded(started.workflowId);
  } finally {
    button.disabled = false;
  }
}

/** The workflow records its run with its first activity: the list waits for it a little. */
async function refreshUntilRecorded(id) {
  for (let i = 0; i < 30 && visible; i++) {
    const { runs } = await api(`/v1/tabular-runs?limit=${RUNS_SHOWN}`);
    if (runs.some((r) => r.run_id === id)) break;
    await new Promise((resolve) => setTimeout(resolve, 1000));
  }
  selected = id;
  await refresh();
}
