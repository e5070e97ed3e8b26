// `npm run data -- train-power-users [--events ga4|online-retail] [--users 15000] [--seed 42]
//   [--cutoff 2020-12-01] [--window-days 60] [--threshold 110] [--learners knn,logistic,forest,boosting]`:
// with ga4 (the default), generates GA4-like events and saves them in Postgres ga4_events (events
// saved before are kept as they are); online-retail uses the transactions imported with
// import-retail. Then runs powerUserTraining through Temporal (features in BigQuery, then the
// power-user search) following the search's progress, and prints the result; `npm run gate --
// power-user` then judges the production version.
import { parseArgs } from 'node:util';
import { newImportId } from '../../contracts/imports.ts';
import {
  POWER_USER_MODEL,
  POWER_USER_RUN_PREFIX,
  POWER_USER_SOURCES,
  powerUserTrainingChildId,
  type PowerUserSource,
} from '../../contracts/powerUsers.ts';
import { tabularProgressQuery, type TabularProgress } from '../../contracts/tabular.ts';
import { DEFAULT_POWER_USER_LABELING } from '../../ml/tabular/presets/powerUser.ts';
import { config } from '../../platform/config.ts';
import { createPool } from '../../platform/postgres.ts';
import { saveGa4Events } from '../../platform/powerUserWarehouse.ts';
import { workflowUrl } from '../../platform/temporal.ts';
import type { powerUserTraining } from '../../workflows/powerUserTraining.ts';
import { DEFAULT_GA4_OPTIONS, GA4_CUTOFF, generateGa4Events } from './ga4Generator.ts';
import { connect, follow, runFailure } from './import.ts';
import { runSearchAttributes } from '../../contracts/searchAttributes.ts';

const n = (x: number) => x.toLocaleString('en');

function numberArg(name: string, raw: string | undefined, fallback: number, whole: boolean): number {
  if (raw === undefined) return fallback;
  const v = Number(raw);
  if (!Number.isFinite(v) || v < 0 || (whole && !Number.isInteger(v)))
    throw new Error(`--${name} must be a ${whole ? 'whole ' : ''}number >= 0, got "${raw}"`);
  return v;
}

const searchLine = (p: TabularProgress) =>
  p.stage === 'searching'
    ? `[data] power-user: ${p.trialsDone} of ${p.trialsTotal} trials` +
      (p.best
        ? `, best so far trial ${p.best.trial} (${p.best.learner}) log loss ${p.best.metrics.logLoss?.mean.toFixed(4)}`
        : '')
    : `[data] power-user: ${p.stage}`;

export async function trainPowerUsersCommand(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: {
      events: { type: 'string', default: 'ga4' },
      users: { type: 'string' },
      seed: { type: 'string' },
      cutoff: { type: 'string' },
      'window-days': { type: 'string' },
      threshold: { type: 'string' },
      learners: { type: 'string' },
    },
  });
  const events = values.events as PowerUserSource;
  if (!POWER_USER_SOURCES.includes(events))
    throw new Error(`--events must be ${POWER_USER_SOURCES.join(' or ')}, got "${values.events}"`);
  if (events === 'online-retail' && !values.cutoff)
    throw new Error('--cutoff is needed with online-retail: a day within the imported invoices, e.g. 2011-09-01');
  const cfg = config();
  if (events === 'ga4') {
    const options = {
      ...DEFAULT_GA4_OPTIONS,
      users: numberArg('users', values.users, DEFAULT_GA4_OPTIONS.users, true),
      seed: numberArg('seed', values.seed, DEFAULT_GA4_OPTIONS.seed, true),
    };
    const generated = generateGa4Events(options);
    const pool = createPool(cfg.postgres, 'retailflow-data');
    try {
      const saved = await saveGa4Events(pool, generated);
      console.log(
        `[data] ${n(generated.length)} GA4-like events of ${n(options.users)} users (seed ${options.seed}), ${n(saved)} new in Postgres ga4_events`,
      );
    } finally {
      await pool.end();
    }
  }
  const labeling = {
    cutoff: values.cutoff ?? GA4_CUTOFF,
    windowDays: numberArg('window-days', values['window-days'], DEFAULT_POWER_USER_LABELING.windowDays, true),
    threshold: numberArg('threshold', values.threshold, DEFAULT_POWER_USER_LABELING.threshold, false),
  };
  const client = await connect(cfg);
  try {
    const workflowId = `${POWER_USER_RUN_PREFIX}${newImportId()}`;
    const handle = await client.workflow.start<typeof powerUserTraining>('powerUserTraining', {
      workflowId,
      taskQueue: cfg.temporal.taskQueues.training,
      args: [{ events, labeling, ...(values.learners ? { search: { learners: values.learners.split(',') } } : {}) }],
      typedSearchAttributes: runSearchAttributes({ pipeline: 'power-user', model: POWER_USER_MODEL }),
    });
    console.log(
      `[data] powerUserTraining ${workflowId} started: ${workflowUrl(cfg.temporal, workflowId, handle.firstExecutionRunId)}`,
    );
    // The search runs in the child: its progress is followed once it has started (a parent that
    // fails before that ends the wait), then the parent's result is read.
    const child = client.workflow.getHandle(powerUserTrainingChildId(workflowId));
    for (;;) {
      if (
        await child.describe().then(
          () => true,
          () => false,
        )
      ) {
        await follow(child, tabularProgressQuery, searchLine).catch(() => undefined);
        break;
      }
      if ((await handle.describe()).status.name !== 'RUNNING') break;
      await new Promise((resolve) => setTimeout(resolve, 1000));
    }
    const report = await handle.result().catch(runFailure(workflowId));
    const { features, training } = report;
    const r = training.registration;
    console.log(
      `[data] ${n(features.users)} users active before ${labeling.cutoff}, ${n(features.powerUsers)} spent more than $${labeling.threshold} ` +
        `in the ${labeling.windowDays} days from it (BigQuery table ${features.table})`,
    );
    console.log(
      `[data] power-user version ${r.version} (${r.label}): ${training.best.learner} ${JSON.stringify(training.best.params)} ` +
        `(trial ${training.best.trial} of ${training.trials}), threshold ${training.best.metrics.threshold?.mean.toFixed(3)}; ` +
        `test recall ${r.metrics.recall?.toFixed(3)}, precision ${r.metrics.precision?.toFixed(3)} on ${n(training.test)} users; ` +
        `${r.promoted ? 'promoted' : 'kept as a challenger'}: ${r.reason}. Judge it: npm run gate -- power-user`,
    );
  } finally {
    await client.connection.close();
  }
}
