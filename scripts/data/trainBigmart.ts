// `npm run data -- train-bigmart [--train Train.csv] [--test Test.csv] [--trials 50] [--seed 42]`:
// uploads BigMart's files (or generated ones) to gs://<bucket>/bigmart/, where the weekly-bigmart
// schedule finds them, then runs tabularTraining on Train.csv and tabularBatchScoring on Test.csv
// through Temporal, printing each one's progress and result. `npm start`'s demo runs it too.
import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import type { Client } from '@temporalio/client';
import { newImportId } from '../../contracts/imports.ts';
import {
  TABULAR_RUN_PREFIX,
  tabularProgressQuery,
  type SearchOptions,
  type TabularProgress,
  type TabularReport,
} from '../../contracts/tabular.ts';
import {
  BIGMART_UPLOADS,
  tabularScoringProgressQuery,
  tabularScoringWorkflowId,
  type TabularScoringProgress,
  type TabularScoringReport,
} from '../../contracts/tabularScoring.ts';
import { config, type Config } from '../../platform/config.ts';
import { ObjectStore } from '../../platform/storage.ts';
import { workflowUrl } from '../../platform/temporal.ts';
import type { tabularBatchScoring } from '../../workflows/tabularBatchScoring.ts';
import type { tabularTraining } from '../../workflows/tabularTraining.ts';
import {
  BIGMART_TEST_HEADER,
  BIGMART_TRAIN_HEADER,
  bigmartCsv,
  DEFAULT_BIGMART_OPTIONS,
  generateBigMart,
  MIN_BIGMART_ROWS,
} from './bigmartGenerator.ts';
import { connect, follow } from './import.ts';
import { runSearchAttributes } from '../../contracts/searchAttributes.ts';

const n = (x: number) => x.toLocaleString('en');

export interface TrainBigmartOptions {
  /** Local files; generated (deterministic by `seed`, `rows` training rows) where absent. */
  train?: string;
  test?: string;
  trials: number;
  seed: number;
  rows: number;
  /** More of the search (folds, learners, ...) over the defaults. */
  search?: Partial<SearchOptions>;
}

const trainingLine = (p: TabularProgress) =>
  p.stage === 'searching'
    ? `[data] bigmart: ${p.trialsDone} of ${p.trialsTotal} trials` +
      (p.best
        ? `, best so far trial ${p.best.trial} (${p.best.learner}) RMSE ${p.best.metrics.rmse?.mean.toFixed(1)}`
        : '')
    : `[data] bigmart: ${p.stage}`;

const scoringLine = (p: TabularScoringProgress) =>
  `[data] bigmart scoring: ${p.stage}${p.version ? ` with version ${p.version}` : ''}` +
  (p.counts.read
    ? `, ${n(p.counts.read)} rows read, ${n(p.counts.scored)} scored, ${n(p.counts.rejected)} rejected`
    : '');

/** Uploads the files, trains, then scores Test.csv with the production version; both reports. */
export async function trainBigmart(
  client: Client,
  cfg: Config,
  o: TrainBigmartOptions,
): Promise<{ training: TabularReport; scoring: TabularScoringReport }> {
  const store = new ObjectStore(cfg.gcs);
  const generated = o.train && o.test ? undefined : generateBigMart({ seed: o.seed, rows: o.rows });
  const trainUri = await store.write(
    BIGMART_UPLOADS.train,
    o.train ? await readFile(o.train) : bigmartCsv(BIGMART_TRAIN_HEADER, generated!.train),
    'text/csv',
  );
  const testUri = await store.write(
    BIGMART_UPLOADS.test,
    o.test ? await readFile(o.test) : bigmartCsv(BIGMART_TEST_HEADER, generated!.test),
    'text/csv',
  );
  console.log(
    `[data] uploaded ${o.train ?? `generated Train.csv (${n(o.rows)} rows, seed ${o.seed})`} to ${trainUri}, ` +
      `${o.test ?? 'generated Test.csv'} to ${testUri}`,
  );
  const id = `bigmart-${newImportId()}`;
  const taskQueue = cfg.temporal.taskQueues.training;
  const training = await client.workflow.start<typeof tabularTraining>('tabularTraining', {
    workflowId: `${TABULAR_RUN_PREFIX}${id}`,
    taskQueue,
    args: [{ model: 'bigmart', source: { kind: 'csv', uri: trainUri }, search: { ...o.search, trials: o.trials } }],
    typedSearchAttributes: runSearchAttributes({ pipeline: 'tabular', model: 'bigmart' }),
  });
  console.log(
    `[data] tabularTraining ${training.workflowId} started: ${workflowUrl(cfg.temporal, training.workflowId, training.firstExecutionRunId)}`,
  );
  const trained = await follow(training, tabularProgressQuery, trainingLine);
  const r = trained.registration;
  console.log(
    `[data] bigmart version ${r.version} (${r.label}): ${trained.best.learner} (trial ${trained.best.trial} of ${trained.trials}), ` +
      `test RMSE ${r.metrics.rmse?.toFixed(1)} on ${n(trained.test)} rows; ${r.promoted ? 'promoted' : 'kept as a challenger'}: ${r.reason}`,
  );
  const scoring = await client.workflow.start<typeof tabularBatchScoring>('tabularBatchScoring', {
    workflowId: tabularScoringWorkflowId(id),
    taskQueue,
    args: [{ model: 'bigmart', source: { kind: 'csv', uri: testUri } }],
    typedSearchAttributes: runSearchAttributes({ pipeline: 'tabular-scoring', model: 'bigmart' }),
  });
  console.log(
    `[data] tabularBatchScoring ${scoring.workflowId} started: ${workflowUrl(cfg.temporal, scoring.workflowId, scoring.firstExecutionRunId)}`,
  );
  const scored = await follow(scoring, tabularScoringProgressQuery, scoringLine);
  console.log(
    `[data] bigmart scoring: ${n(scored.read)} rows of ${scored.dataset} read, ${n(scored.scored)} scored with version ${scored.version} ` +
      `(${n(scored.written)} new or changed) into Postgres tabular_predictions and BigQuery (${n(scored.warehouse)} rows), ${n(scored.rejected)} rejected` +
      (scored.rejected ? `; the rejected rows and why are in rejected_rows under source ${scored.rejectedSource}` : ''),
  );
  return { training: trained, scoring: scored };
}

function whole(name: string, raw: string | undefined, fallback: number, min: number): number {
  if (raw === undefined) return fallback;
  const v = Number(raw);
  if (!Number.isInteger(v) || v < min) throw new Error(`--${name} must be a whole number >= ${min}, got "${raw}"`);
  return v;
}

export async function trainBigmartCommand(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: {
      train: { type: 'string' },
      test: { type: 'string' },
      trials: { type: 'string' },
      seed: { type: 'string' },
      rows: { type: 'string' },
    },
  });
  const cfg = config();
  const client = await connect(cfg);
  try {
    await trainBigmart(client, cfg, {
      ...(values.train ? { train: values.train } : {}),
      ...(values.test ? { test: values.test } : {}),
      trials: whole('trials', values.trials, 50, 1),
      seed: whole('seed', values.seed, DEFAULT_BIGMART_OPTIONS.seed, 0),
      rows: whole('rows', values.rows, DEFAULT_BIGMART_OPTIONS.rows, MIN_BIGMART_ROWS),
    });
  } finally {
    await client.connection.close();
  }
}
