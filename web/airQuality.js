// The air-quality view: each airQualityTraining run's test month, the model's CO(GT) RMSE and MAE
// beside the same-hour-yesterday baseline's, the window's months and rows, the search's choice
// (learner and feature set) and the version; and the test months pooled as one test set.
import { api } from './api.js';
import { byId, h } from './dom.js';
import { dateTime, number } from './format.js';
import { clearError, showError } from './notice.js';

const RUNS_SHOWN = 100;
const FEATURE_SETS = {
  sensors: ['sensors only', 'the metal-oxide sensors PT08.S1-S5, T, RH, AH, hour and weekday'],
  all: ['all columns', "the sensors and the reference analyzers' other gases, hour and weekday"],
};

/** Each load's number: an answer to an older one is dropped. */
let generation = 0;

const previousMonth = (month) => {
  const [y, m] = month.split('-').map(Number);
  return m === 1 ? `${y - 1}-12` : `${y}-${String(m - 1).padStart(2, '0')}`;
};
/** An averaged ensemble by its members ('average: forest + boosting'), another learner by its name. */
const learnerName = (r) =>
  typeof r.params.members === 'string' ? `${r.learner}: ${r.params.members.split('+').join(' + ')}` : r.learner;
/** How much lower the model's figure is than the baseline's, as a share of the baseline's. */
const gain = (model, baseline) => (baseline > 0 ? `${Math.round((1 - model / baseline) * 100)}% lower` : '–');

export function showAirQuality(show) {
  if (show) load().then(clearError, showError);
}

async function load() {
  const mine = ++generation;
  const { runs, pooled } = await api(`/v1/air-quality-runs?limit=${RUNS_SHOWN}`);
  if (mine !== generation) return;
  renderPooled(pooled);
  renderRuns(runs);
}

function renderPooled(pooled) {
  byId('air-quality-subtitle').textContent = pooled
    ? `Pooled over ${pooled.months.length} test month${pooled.months.length === 1 ? '' : 's'} ` +
      `(${pooled.months[0]} to ${pooled.months[pooled.months.length - 1]}, ${number(pooled.rows)} hours; each month's latest run): ` +
      `model RMSE ${number(pooled.model.rmse, 3)}, MAE ${number(pooled.model.mae, 3)} · ` +
      `same hour yesterday RMSE ${number(pooled.baseline.rmse, 3)}, MAE ${number(pooled.baseline.mae, 3)} · ` +
      `RMSE ${gain(pooled.model.rmse, pooled.baseline.rmse)}.`
    : 'No air-quality run yet: import AirQualityUCI.csv (npm run data -- import-air-quality), then trigger the daily-air-quality schedule.';
}

function renderRuns(runs) {
  const wrap = byId('air-quality-runs');
  if (!runs.length) {
    wrap.replaceChildren();
    return;
  }
  const head = [
    'Test month',
    'Training months',
    'Rows (train / test)',
    'Model RMSE',
    'Baseline RMSE',
    'Model MAE',
    'Baseline MAE',
    'Learner',
    'Features',
    'Version',
  ];
  wrap.replaceChildren(
    h(
      'table',
      { class: 'profiles air-quality-runs' },
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
        runs.map((r) =>
          h(
            'tr',
            { 'data-run': r.runId, 'data-month': r.testMonth },
            h(
              'th',
              { scope: 'row', title: `run ${r.runId}, recorded ${dateTime(r.recordedAt)}` },
              r.testMonth,
              r.advanced ? null : h('span', { class: 'badge warning', title: 'no new month' }, 'same window'),
            ),
            h('td', {}, `${r.firstMonth} to ${previousMonth(r.testMonth)}`),
            h('td', {}, `${number(r.trainRows)} / ${number(r.testRows)}`),
            h('td', { class: r.model.rmse < r.baseline.rmse ? 'better' : 'bad' }, number(r.model.rmse, 3)),
            h('td', {}, number(r.baseline.rmse, 3)),
            h('td', { class: r.model.mae < r.baseline.mae ? 'better' : 'bad' }, number(r.model.mae, 3)),
            h('td', {}, number(r.baseline.mae, 3)),
            h('td', { title: JSON.stringify(r.params) }, learnerName(r)),
            h('td', { title: FEATURE_SETS[r.featureSet]?.[1] }, FEATURE_SETS[r.featureSet]?.[0] ?? r.featureSet ?? '–'),
            h(
              'td',
              {},
              `${r.version} · ${r.label}`,
              r.promoted ? h('span', { class: 'badge done', title: 'went to production' }, 'promoted') : null,
            ),
          ),
        ),
      ),
    ),
  );
}
