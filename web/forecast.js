// The forecast view: pick a store and product, see 8 weeks of actual sales and the stored 7-day
// forecast with the model's name and version; retrain the series and follow it; forecast a custom
// date range (drawn on the chart, not stored), edit its plan as a what-if and save it (plan.js).
import { api } from './api.js';
import { chartRows, drawChart } from './chart.js';
import { byId, h } from './dom.js';
import { addDays, duration, metricsLine } from './format.js';
import { clearError, showError } from './notice.js';
import { editedCalendar, planDays, planTable } from './plan.js';

const HISTORY_DAYS = 56;
// A retrain takes a few hundred milliseconds: poll often enough that the page shows it as fast.
const RETRAIN_POLL_MS = 200;
const DEFAULT_RANGE_DAYS = 14;

const state = {
  stores: [],
  store: undefined,
  product: undefined,
  history: [],
  forecast: [],
  model: undefined,
  forecastInfo: undefined,
  custom: [],
  // The custom range's days as the plan table shows them, and the dates a planner edited.
  plan: { days: [], edited: new Set() },
};
const seriesKey = () => `${state.store}/${state.product}`;
const seriesQuery = () => `store=${state.store}&product=${encodeURIComponent(state.product)}`;
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const storeLabel = (s) =>
  `Store ${s.store_id} · type ${s.store_type} · assortment ${s.assortment}${s.products.length ? '' : ' · no model yet'}`;
const temporalLink = (url) => h('a', { href: url, target: '_blank', rel: 'noopener' }, 'open in Temporal UI');

/** Failures of an action go to the error line; the page stays usable. */
const guarded = (action) => (event) => {
  event?.preventDefault();
  action().then(clearError, showError);
};

export async function initForecastView() {
  byId('store-search').addEventListener('input', () => renderStores());
  byId('store').addEventListener(
    'change',
    guarded(() => selectStore(Number(byId('store').value))),
  );
  byId('product').addEventListener(
    'change',
    guarded(() => selectProduct(byId('product').value)),
  );
  byId('retrain').addEventListener('click', guarded(retrain));
  byId('range').addEventListener('submit', guarded(forecastRange));
  byId('plan-save').addEventListener('click', guarded(savePlan));

  state.stores = (await api('/v1/stores')).stores;
  // Open on the first store that has a model, so the page shows a chart straight away.
  const first = state.stores.find((s) => s.products.length) ?? state.stores[0];
  renderStores();
  if (first) await selectStore(first.store_id);
}

function renderStores() {
  const query = byId('store-search').value.trim().toLowerCase();
  const matches = state.stores.filter((s) => storeLabel(s).toLowerCase().includes(query));
  byId('store').replaceChildren(
    ...matches.map((s) => h('option', { value: s.store_id, selected: s.store_id === state.store }, storeLabel(s))),
  );
  byId('store-count').textContent = `${matches.length} of ${state.stores.length} stores`;
}

async function selectStore(id) {
  state.store = id;
  renderStores();
  const { products } = await api(`/v1/stores/${id}/products`);
  if (id !== state.store) return; // another store was picked meanwhile
  byId('product').replaceChildren(...products.map((p) => h('option', { value: p }, p)));
  byId('retrain').disabled = !products.length;
  byId('range-submit').disabled = !products.length;
  await selectProduct(products.includes('all') ? 'all' : products[0]);
}

async function selectProduct(product) {
  state.product = product;
  byId('product').value = product ?? '';
  byId('retrain-status').replaceChildren();
  await loadSeries();
}

/** Reads the series' history and latest stored forecast, then redraws without any custom range. */
async function loadSeries() {
  const key = seriesKey();
  state.custom = [];
  byId('range-status').textContent = '';
  byId('plan').hidden = true;
  byId('chart-title').textContent = `Store ${state.store}${state.product ? ` · product ${state.product}` : ''}`;
  if (!state.product) {
    Object.assign(state, { history: [], forecast: [], model: undefined });
    byId('chart-subtitle').textContent = 'This store has no forecast model yet (the weekly training makes them).';
    return redraw();
  }
  const [history, latest] = await Promise.all([
    api(`/v1/sales/history?${seriesQuery()}&days=${HISTORY_DAYS}`),
    api(`/v1/forecasts?${seriesQuery()}`).catch((err) => {
      if (err.status === 404) return undefined;
      throw err;
    }),
  ]);
  if (key !== seriesKey()) return; // another series was picked meanwhile
  Object.assign(state, {
    history: history.days,
    forecast: latest?.forecast ?? [],
    model: latest?.model,
    forecastInfo: latest,
  });
  await redraw();
  // Named once the chart shows it.
  byId('chart-subtitle').textContent = state.model
    ? `Model ${state.model.name} · version ${state.model.version} · forecast after ${state.forecastInfo.asOf}` +
      (state.forecastInfo.source === 'computed' ? ' (computed now: this version has stored none)' : '')
    : 'No forecast yet: Retrain makes one.';
  const lastDay = state.forecast.at(-1)?.date ?? state.history.at(-1)?.date;
  if (lastDay) {
    byId('range-from').value = addDays(lastDay, 1);
    byId('range-to').value = addDays(lastDay, DEFAULT_RANGE_DAYS);
  }
}

const redraw = () => drawChart(byId('chart'), chartRows(state));

async function retrain() {
  const key = seriesKey();
  const [store, product] = [state.store, state.product];
  const button = byId('retrain');
  const status = byId('retrain-status');
  button.disabled = true;
  try {
    const started = await api(`/v1/models/${store}/${encodeURIComponent(product)}/retrain`, {
      method: 'POST',
      admin: true,
    });
    const t0 = performance.now();
    let run;
    for (;;) {
      status.replaceChildren(
        h('progress', { 'aria-label': 'retraining' }),
        h('span', {}, `Retraining store ${store} · ${product}… ${duration(performance.now() - t0)}`),
        temporalLink(started.temporalUrl),
      );
      run = await api(`/v1/retrains/${encodeURIComponent(started.workflowId)}`);
      if (run.status !== 'RUNNING') break;
      await sleep(RETRAIN_POLL_MS);
    }
    status.replaceChildren(...retrainOutcome(run));
    if (run.result?.trained && key === seriesKey()) await loadSeries();
  } catch (err) {
    status.replaceChildren();
    throw err;
  } finally {
    button.disabled = false;
  }
}

function retrainOutcome(run) {
  const { result } = run;
  if (run.status !== 'COMPLETED')
    return [
      h('span', { class: 'bad' }, `The retrain ended ${run.status.toLowerCase()}; its history says why.`),
      temporalLink(run.temporalUrl),
    ];
  if (!result.trained)
    return [h('span', { class: 'bad' }, `Not retrained: ${result.reason}.`), temporalLink(run.temporalUrl)];
  return [
    h('strong', {}, `New version ${result.version}`),
    h(
      'span',
      {},
      result.promoted
        ? ` is in production (${result.promotionReason}).`
        : ` stays in staging (${result.promotionReason}).`,
    ),
    h('span', { class: 'metrics' }, `Backtest: ${metricsLine(result.metrics)}`),
    temporalLink(run.temporalUrl),
  ];
}

async function forecastRange() {
  const [from, to] = [byId('range-from').value, byId('range-to').value];
  if (!from || !to) throw new Error('Pick both dates of the range.');
  if (to < from) throw new Error('The range ends before it starts: pick a "To" date on or after "From".');
  state.plan.edited = new Set();
  const answer = await forecastCustom(from, to);
  if (!answer) return;
  byId('range-status').textContent =
    `${state.custom.length} days forecast by ${answer.api.model_name} version ${answer.api.model_version}: drawn on the chart, not stored.`;
  byId('plan-status').textContent = '';
}

/** Forecasts the range with the edited days inline, draws it and refills the plan; undefined if the series changed meanwhile. */
async function forecastCustom(from, to) {
  const key = seriesKey();
  const calendar = editedCalendar(state.plan.days, state.plan.edited);
  const [answer] = await api('/v1/forecast', {
    method: 'POST',
    body: [
      {
        store_id: state.store,
        product_name: state.product,
        begin_date: from,
        end_date: to,
        explain: true,
        ...(calendar.length ? { calendar } : {}),
      },
    ],
  });
  if (key !== seriesKey()) return undefined;
  state.custom = answer.forecast.map((d) => ({
    date: d.timestamp.slice(0, 10),
    value: d.value,
    lower: d.lower_ci,
    upper: d.upper_ci,
  }));
  state.plan.days = planDays(answer.forecast);
  renderPlan();
  await redraw();
  return answer;
}

function renderPlan() {
  byId('plan').hidden = false;
  byId('plan-days').replaceChildren(planTable(state.plan.days, guardedEdit));
  byId('plan-save').disabled = !state.plan.edited.size;
}

const guardedEdit = (date, change) => guarded(() => editPlan(date, change))();

/** A planner changed a day: the range is forecast again with the edits, nothing is stored yet. */
async function editPlan(date, change) {
  Object.assign(
    state.plan.days.find((d) => d.date === date),
    change,
  );
  state.plan.edited.add(date);
  const days = state.plan.days;
  await forecastCustom(days[0].date, days.at(-1).date);
  byId('plan-status').textContent = `What-if: ${state.plan.edited.size} day(s) edited, not saved.`;
}

async function savePlan() {
  const days = editedCalendar(state.plan.days, state.plan.edited).map((d) => ({ store_id: state.store, ...d }));
  const saved = await api('/v1/calendar', { method: 'POST', body: days, admin: true });
  if (saved.rejected.length)
    throw new Error(`The plan was not saved whole: ${saved.rejected.map((r) => `${r.field}: ${r.reason}`).join('; ')}`);
  state.plan.edited = new Set();
  const plan = state.plan.days;
  await forecastCustom(plan[0].date, plan.at(-1).date);
  byId('plan-status').textContent = `Saved ${saved.stored} day(s) to store ${state.store}'s plan.`;
}
