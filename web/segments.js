// The segments view: the production segmentation model (its version, k and silhouette), a sample
// of its customers plotted by recency and spend, each segment's size and profile with its label,
// the last run's silhouette by k and what its registration changed; and a button that runs
// segmentation (admin) and follows its stage and counts until it ends.
import { api } from './api.js';
import { embedChart } from './chart.js';
import { byId, h } from './dom.js';
import { dateTime, duration, number, percent } from './format.js';
import { clearError, showError } from './notice.js';
import { customersSpec, segmentName, silhouetteSpec } from './segmentCharts.js';

const CUSTOMERS_SHOWN = 2000;
const POLL_MS = 1000;
/** How long a started run may go without its row before the page says so. */
const UNRECORDED_MS = 60_000;
const STAGES = ['exporting', 'cleaning', 'fitting', 'registering', 'assigning', 'done'];

let visible = false;
/** The run being followed, so a refresh does not follow it twice. */
let following;
/** Each load's number: an answer to an older one is dropped. */
let generation = 0;

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const temporalLink = (url) => h('a', { href: url, target: '_blank', rel: 'noopener' }, 'open in Temporal UI');
const fixed = (x, digits = 3) => (x === null || x === undefined ? '–' : x.toFixed(digits));

export function initSegmentsView() {
  byId('run-segmentation').addEventListener('click', () => runSegmentation().then(clearError, showError));
}

export function showSegments(show) {
  visible = show;
  if (show) load().then(clearError, showError);
}

async function load() {
  const mine = ++generation;
  const [model, { runs }] = await Promise.all([
    api('/v1/segments').catch((err) => {
      if (err.status === 409) return undefined; // no model yet: said below
      throw err;
    }),
    api('/v1/segmentation-runs?limit=20'),
  ]);
  const sample = model ? await api(`/v1/segments/customers?limit=${CUSTOMERS_SHOWN}`) : undefined;
  if (mine !== generation) return;
  renderModel(model);
  renderProfiles(model);
  await drawCustomers(model, sample);
  await renderLastRun(runs.find((r) => r.status !== 'running' && r.by_k?.length));
  const running = runs.find((r) => r.status === 'running');
  if (running && following !== running.run_id) void follow(running.run_id, running.temporalUrl).catch(showError);
}

function renderModel(model) {
  byId('segments-subtitle').textContent = model
    ? `Model ${model.model} · version ${model.version} · k = ${model.k} · silhouette ${fixed(model.metrics.silhouette)} · ` +
      `${number(model.metrics.customers)} customers · recency counted from ${model.snapshotDate}`
    : 'No segmentation model yet: Run segmentation makes one from the imported transactions.';
}

async function drawCustomers(model, sample) {
  const chart = byId('customers-chart');
  if (!model) {
    byId('customers-subtitle').textContent = '';
    chart.replaceChildren();
    return;
  }
  byId('customers-subtitle').textContent =
    `${number(sample.customers.length)} of ${number(sample.total)} customers of version ${sample.version}, coloured by segment.`;
  await embedChart(
    chart,
    customersSpec(
      sample.customers,
      model.segments.map((s) => s.label),
    ),
  );
}

function renderProfiles(model) {
  const place = byId('segment-profiles');
  if (!model) return place.replaceChildren(h('p', { class: 'hint' }, 'No segments yet.'));
  const cell = (value) => h('td', {}, value);
  place.replaceChildren(
    h(
      'table',
      { class: 'profiles' },
      h(
        'thead',
        {},
        h(
          'tr',
          {},
          [
            'Segment',
            'Customers',
            'Share of revenue',
            'Median recency',
            'Median invoices',
            'Median spend',
            'Median tenure',
          ].map((title) => h('th', { scope: 'col' }, title)),
        ),
      ),
      h(
        'tbody',
        {},
        model.segments.map((s) =>
          h(
            'tr',
            { 'data-segment': s.segment },
            h('th', { scope: 'row' }, segmentName(s.segment, s.label)),
            cell(`${number(s.size)} (${percent(s.customerShare)})`),
            cell(percent(s.revenueShare)),
            cell(`${number(s.median.recency)} days`),
            cell(number(s.median.frequency)),
            cell(number(s.median.monetary, 2)),
            cell(`${number(s.median.tenure)} days`),
          ),
        ),
      ),
    ),
  );
}

async function renderLastRun(run) {
  const chart = byId('silhouette-chart');
  if (!run) {
    byId('last-run').textContent = 'No run has fitted a model yet.';
    chart.replaceChildren();
    byId('segment-changes').replaceChildren();
    return;
  }
  const snapshot = run.snapshot;
  byId('last-run').replaceChildren(
    h(
      'span',
      {},
      `Run ${run.run_id} · ${run.status} · ${dateTime(run.started_at)}` +
        (snapshot
          ? ` · ${number(snapshot.transactions)} transactions, ${number(snapshot.cleaning?.kept)} after cleaning, ${number(snapshot.customers)} customers`
          : '') +
        ` · k = ${run.k} kept (${run.options?.k ? 'fixed by the run' : 'best silhouette'}). `,
    ),
    temporalLink(run.temporalUrl),
  );
  await embedChart(chart, silhouetteSpec(run.by_k, run.k));
  byId('segment-changes').replaceChildren(...registrationText(run.registration));
}

function registrationText(registration) {
  if (!registration) return [h('p', { class: 'hint' }, 'This run registered no version.')];
  const { version, promoted, reason, previous, changes } = registration;
  const decision = h(
    'p',
    {},
    h('strong', {}, `Version ${version}`),
    promoted ? ' went to production' : ' stayed in staging',
    reason ? ` (${reason}).` : '.',
  );
  if (!previous || !changes)
    return [decision, h('p', { class: 'hint' }, 'There was no production version to compare with.')];
  return [
    decision,
    h(
      'p',
      { class: 'changes' },
      `Against version ${previous.version} (silhouette ${fixed(previous.silhouette)}): ` +
        `${number(changes.changed)} customers changed segment, ${number(changes.unchanged)} kept theirs, ` +
        `${number(changes.added)} are new, ${number(changes.removed)} are gone.`,
    ),
  ];
}

async function runSegmentation() {
  const button = byId('run-segmentation');
  button.disabled = true;
  try {
    const started = await api('/v1/segmentation-runs', { method: 'POST', body: {}, admin: true });
    await follow(started.workflowId, started.temporalUrl);
  } finally {
    button.disabled = false;
  }
}

/** Shows a run's stage and counts until it ends, then its outcome, and reloads the view. */
async function follow(id, temporalUrl) {
  following = id;
  const status = byId('segmentation-status');
  const t0 = performance.now();
  let run;
  try {
    for (;;) {
      run = await api(`/v1/segmentation-runs/${encodeURIComponent(id)}`).catch((err) => {
        // The workflow records its run once its first activity starts.
        if (err.status === 404 && performance.now() - t0 < UNRECORDED_MS) return undefined;
        throw err;
      });
      if (run && run.status !== 'running') break;
      status.replaceChildren(...progressOf(run, performance.now() - t0), temporalLink(temporalUrl));
      await sleep(POLL_MS);
    }
  } finally {
    following = undefined;
  }
  status.replaceChildren(...outcomeOf(run), temporalLink(run.temporalUrl));
  if (visible) await load();
}

function progressOf(run, ms) {
  const { stage = 'starting', counts = {} } = run?.progress ?? run ?? {};
  const parts = [
    counts.transactions ? `${number(counts.transactions)} transactions` : null,
    counts.customers ? `${number(counts.customers)} customers` : null,
    counts.kTotal ? `${number(counts.kDone)} of ${number(counts.kTotal)} k fitted` : null,
    counts.assigned ? `${number(counts.assigned)} assigned` : null,
  ].filter(Boolean);
  const step = STAGES.indexOf(stage);
  return [
    h('progress', {
      'aria-label': 'segmentation running',
      max: 1,
      value: step >= 0 ? step / (STAGES.length - 1) : undefined,
    }),
    h('span', {}, `Segmentation ${stage}${parts.length ? `: ${parts.join(' · ')}` : ''}… ${duration(ms)}`),
  ];
}

function outcomeOf(run) {
  if (run.status !== 'done')
    return [
      h('span', { class: 'bad' }, `The run ended ${run.status.replace('_', ' ')}${run.error ? `: ${run.error}` : '.'}`),
    ];
  const r = run.registration;
  return [
    h('strong', {}, `Version ${r?.version ?? run.model_version}`),
    h('span', {}, r?.promoted ? ' is in production.' : ' stays in staging.'),
  ];
}
