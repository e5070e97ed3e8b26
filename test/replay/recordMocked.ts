// Records the histories of importAirQuality, airQualityTraining, importSales, importTransactions, retrainSeries,
// weeklyTraining with its global step (weeklyTrainingGlobal),
// customerSegmentation, tabularTraining, powerUserTraining (its features, then a tabularTraining child),
// tabularBatchScoring, scheduledDailyIngest, scheduledWeeklyTraining, scheduledCustomerSegmentation and
// scheduledTabularTraining in the workflow
// tier's Temporal with mocked activities (their activities' results do not change the command
// sequence). The scheduled four are started by a real Schedule backfilled for a past time, so
// their histories carry TemporalScheduledStartTime as a tick's do.
//   node --import tsx test/replay/recordMocked.ts
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { ScheduleOverlapPolicy, type CalendarSpec } from '@temporalio/client';
import { historyToJSON } from '@temporalio/common/lib/proto-utils.js';
import type { ChunkStart, SalesImportPlan } from '../../contracts/imports.ts';
import type { TransactionChunkStart } from '../../contracts/transactionImports.ts';
import type { SegmentationSnapshot, SegmentCountFit } from '../../contracts/segmentation.ts';
import {
  airQualityTraining,
  customerSegmentation,
  importAirQuality,
  importSales,
  importTransactions,
  powerUserTraining,
  retrainSeries,
  scheduledCustomerSegmentation,
  scheduledDailyIngest,
  scheduledTabularTraining,
  scheduledWeeklyTraining,
  tabularBatchScoring,
  tabularTraining,
  weeklyTraining,
} from '../../workflows/index.ts';
import { DEFAULT_TRAINING } from '../../contracts/training.ts';
import { until } from '../helpers/until.ts';
import { startTestTemporal, withWorker, type Activities } from '../workflow/env.ts';

const TIME_ZONE = 'Pacific/Auckland';
const activities: Partial<Activities> = {
  recordIngestRun: () => Promise.resolve(),
  validateAndUpsertSales: () => Promise.resolve({ staged: 3, accepted: 3, rejected: 0 }),
  exportSalesDay: () => Promise.resolve(3),
  loadSalesDay: () => Promise.resolve(),
  reconcileSalesDay: () => Promise.resolve({ postgres: 3, gcs: 3, bigquery: 3 }),
  snapshotTrainingWindow: () => Promise.resolve({ series: 2, shards: 1 }),
  trainShard: () => Promise.resolve({ series: 2, fitted: 2, unfit: 0, promoted: 2, forecasts: 14 }),
  fitGlobalModel: () =>
    Promise.resolve({
      artifact: 'gs://bucket/models/global-forecast/run/exec.json',
      series: 2,
      rows: 180,
      fitSeconds: 1,
    }),
  recordTrainingRun: () => Promise.resolve({}),
  retrainSeriesNow: (_run, input) =>
    Promise.resolve({
      storeId: input.storeId,
      product: input.product,
      trained: false,
      reason: 'only 3 days of history',
    }),
  // Two chunks of a train.csv after its stores.
  importStoresObject: (uri) =>
    Promise.resolve({ source: `import:${uri}`, read: 2, loaded: 2, rejected: 0, rejectedStores: [] }),
  beginSalesImport: (input) =>
    Promise.resolve({ bytes: 200, plan: { ...input, dirtyMonths: [] } satisfies SalesImportPlan }),
  importSalesChunk: (_uri, _plan, start: ChunkStart) =>
    Promise.resolve({
      chunk: start.chunk,
      end: { offset: start.offset + 100, line: start.line + 3 },
      header: ['Store'],
      done: start.chunk === 1,
      read: 3,
      loaded: 3,
      upserted: 0,
      rejected: 0,
      rejectedWithStore: 0,
      skipped: 0,
      minDate: '2010-01-01',
      maxDate: '2010-01-03',
      streamed: [{ month: '2010-01', object: `chunk-${start.chunk}`, rows: 3 }],
      exportMonths: [],
      ms: { parseAndCopy: 1, upsert: 0 },
    }),
  finishSalesImport: () => Promise.resolve({ months: 1, counts: { postgres: 6, gcs: 6, bigquery: 6 } }),
  // Two Online Retail files side by side, two chunks each.
  measureTransactionFiles: (uris) => Promise.resolve(uris.map(() => 200)),
  importTransactionChunk: (_file, _chunkLines, start: TransactionChunkStart) =>
    Promise.resolve({
      chunk: start.chunk,
      end: { offset: start.offset + 100, line: start.line + 3 },
      header: ['InvoiceNo'],
      done: start.chunk === 1,
      read: 3,
      loaded: 2,
      written: 2,
      rejected: 1,
    }),
  reconcileTransactionImport: () => Promise.resolve(),
  // A tabular search of three trials, two at once.
  recordTabularRun: () => Promise.resolve(),
  planTabularTrials: () =>
    Promise.resolve([0, 1, 2].map((trial) => ({ trial, learner: 'ridge', params: { alpha: 10 ** trial } }))),
  getTabularRows: () => Promise.resolve({ read: 100 }),
  preprocessTabularRows: () => Promise.resolve({ kept: 90, steps: [{ kind: 'dropna', dropped: 10 }] }),
  splitTabularRows: () => Promise.resolve({ train: 72, test: 18 }),
  runTabularTrial: (_runId, plan) =>
    Promise.resolve({ ...plan, metrics: { rmse: { mean: 1000 + plan.trial, std: 1 } }, seconds: 0.1 }),
  refitTabularModel: () => Promise.resolve(),
  registerTabularModel: () =>
    Promise.resolve({
      version: 1,
      label: '20261202_063000',
      promoted: true,
      reason: 'no champion yet',
      metrics: { rmse: 1001 },
      champion: null,
    }),
  // A power-user run's features: 500 users, 60 of them power users.
  buildPowerUserTable: () =>
    Promise.resolve({ events: 20_000, users: 500, powerUsers: 60, table: 'power_user_features_replay' }),
  // A batch scoring of ten rows, two rejected.
  tabularScoringVersion: () => Promise.resolve(1),
  scoreTabularRows: () => Promise.resolve({ read: 10, scored: 8, rejected: 2, written: 8 }),
  exportTabularPredictions: () => Promise.resolve(),
  reconcileTabularScoring: () => Promise.resolve(8),
  // A segmentation of 40 customers, k = 2 and 3.
  recordSegmentationRun: () => Promise.resolve(),
  exportSegmentationSnapshot: () => Promise.resolve(120),
  cleanSegmentationSnapshot: () => Promise.resolve(segmentationSnapshot),
  fitSegmentCount: (_runId, k) => Promise.resolve(segmentFit(k)),
  registerSegmentation: (_runId, _snapshot, fits) =>
    Promise.resolve({
      k: fits[0]!.k,
      registration: { version: 1, promoted: true, reason: 'no production version yet', previous: null, changes: null },
    }),
  exportSegments: () => Promise.resolve(40),
  // An AirQualityUCI.csv of 11 hours and two blank lines; a window's run with its child training.
  importAirQualityObject: (_uri, source) =>
    Promise.resolve({
      source,
      read: 11,
      loaded: 11,
      written: 11,
      rejected: 0,
      blank: 2,
      missing: { 'CO(GT)': 1 },
      first: '2004-03-10 18:00:00',
      last: '2004-03-11 04:00:00',
    }),
  reconcileAirQualityImport: () => Promise.resolve(),
  advanceAirQualityWindow: () =>
    Promise.resolve({ firstMonth: '2004-03', testMonth: '2004-05', advanced: true, note: 'first window' }),
  countAirQualityMissing: () =>
    Promise.resolve({ rows: 2000, withTarget: 1700, completeSensors: 1650, completeAll: 200 }),
  saveAirQualityStatistics: (version) =>
    Promise.resolve(`gs://bucket/models/air-quality/${version}/normalization_stats.json`),
  scoreAirQualityBaseline: () => Promise.resolve({ rmse: 1.3, mae: 0.9, rows: 700, fallbacks: 20 }),
};
const segmentationSnapshot: SegmentationSnapshot = {
  transactions: 120,
  cleaning: {
    read: 120,
    blankCustomer: 30,
    cancelled: 2,
    nonPositiveQuantity: 0,
    nonPositivePrice: 1,
    duplicates: 1,
    quantityOutliers: 4,
    priceOutliers: 2,
    kept: 80,
  },
  snapshotDate: '2011-12-09 12:50:00',
  customers: 40,
};
const segmentFit = (k: number): SegmentCountFit => ({
  k,
  inertia: 10 / k,
  silhouette: 0.5 / k,
  silhouettePoints: 40,
  sizes: Array.from({ length: k }, () => 40 / k),
  centroids: Array.from({ length: k }, (_, i) => [i, i, i, i]),
  restarts: [{ seed: 1, inertia: 10 / k, silhouette: 0.5 / k }],
  kept: 0,
});
const ticks: [
  string,
  typeof scheduledDailyIngest | typeof scheduledWeeklyTraining | typeof scheduledCustomerSegmentation,
  CalendarSpec,
  string,
][] = [
  ['scheduledDailyIngest', scheduledDailyIngest, { hour: 0, minute: 30 }, '2026-03-10T11:30:00Z'],
  [
    'scheduledWeeklyTraining',
    scheduledWeeklyTraining,
    { dayOfWeek: 'SUNDAY', hour: 1, minute: 0 },
    '2026-03-07T12:00:00Z',
  ],
  [
    'scheduledCustomerSegmentation',
    scheduledCustomerSegmentation,
    { dayOfMonth: 1, hour: 2, minute: 0 },
    '2026-02-28T13:00:00Z',
  ],
];

const env = await startTestTemporal();
try {
  const save = async (name: string, workflowId: string) => {
    const history = await env.client.workflow.getHandle(workflowId).fetchHistory();
    writeFileSync(path.join(import.meta.dirname, `${name}.history.json`), historyToJSON(history));
    console.log(`recorded ${name} (${workflowId})`);
  };
  await withWorker(env, activities, async (taskQueue) => {
    await env.client.workflow.execute(importSales, {
      taskQueue,
      workflowId: 'import-sales-replay',
      args: [{ storesUri: 'gs://bucket/imports/replay/store.csv', trainUri: 'gs://bucket/imports/replay/train.csv' }],
    });
    await save('importSales', 'import-sales-replay');
    await env.client.workflow.execute(importTransactions, {
      taskQueue,
      workflowId: 'import-transactions-replay',
      args: [{ uris: ['gs://bucket/imports/replay/2010-12-01.csv', 'gs://bucket/imports/replay/2010-12-02.csv'] }],
    });
    await save('importTransactions', 'import-transactions-replay');
    await env.client.workflow.execute(customerSegmentation, {
      taskQueue,
      workflowId: 'segmentation-replay',
      args: [{ kMin: 2, kMax: 3 }],
    });
    await save('customerSegmentation', 'segmentation-replay');
    await env.client.workflow.execute(tabularTraining, {
      taskQueue,
      workflowId: 'tabular-replay',
      args: [
        {
          model: 'bigmart',
          source: { kind: 'csv', uri: 'uploads/bigmart/Train.csv' },
          search: { kind: 'random', trials: 3, concurrency: 2, folds: 3, seed: 0 },
        },
      ],
    });
    await save('tabularTraining', 'tabular-replay');
    // Its child's id comes from its own, and replay.test.ts replays each file under the file's name: so the same.
    await env.client.workflow.execute(powerUserTraining, {
      taskQueue,
      workflowId: 'powerUserTraining',
      args: [{ events: 'ga4', labeling: { cutoff: '2020-12-01', windowDays: 60, threshold: 110 } }],
    });
    await save('powerUserTraining', 'powerUserTraining');
    await env.client.workflow.execute(tabularBatchScoring, {
      taskQueue,
      workflowId: 'tabular-scoring-replay',
      args: [{ model: 'bigmart', source: { kind: 'csv', uri: 'gs://bucket/bigmart/Test.csv' } }],
    });
    await save('tabularBatchScoring', 'tabular-scoring-replay');
    await env.client.workflow.execute(importAirQuality, {
      taskQueue,
      workflowId: 'import-air-quality-replay',
      args: [{ uri: 'gs://bucket/imports/replay/AirQualityUCI.csv' }],
    });
    await save('importAirQuality', 'import-air-quality-replay');
    await env.client.workflow.execute(airQualityTraining, {
      taskQueue,
      // named as its file: replay runs a history under its file's name, and the child's id is built from it
      workflowId: 'airQualityTraining',
      args: [{ search: { trials: 3, concurrency: 2 } }],
    });
    await save('airQualityTraining', 'airQualityTraining');
    await env.client.workflow.execute(retrainSeries, {
      taskQueue,
      workflowId: 'retrain-1-p01',
      args: [{ storeId: 1, product: 'p01', engine: 'fast', windowDays: 120 }],
    });
    await save('retrainSeries', 'retrain-1-p01');
    // A weekly run with the global step (snapshot, global fit, a shard, record).
    await env.client.workflow.execute(weeklyTraining, {
      taskQueue,
      workflowId: 'weekly-training-global-replay',
      args: [{ ...DEFAULT_TRAINING, asOf: '2024-01-07', global: true }],
    });
    await save('weeklyTrainingGlobal', 'weekly-training-global-replay');
    for (const [name, workflowType, calendar, at] of ticks) {
      const schedule = await env.client.schedule.create({
        scheduleId: name,
        spec: { calendars: [calendar], timezone: TIME_ZONE },
        action: { type: 'startWorkflow', workflowType, taskQueue, args: [{ timeZone: TIME_ZONE }] },
        state: { paused: true },
      });
      const t = new Date(at).getTime();
      await schedule.backfill({
        start: new Date(t - 60_000),
        end: new Date(t + 60_000),
        overlap: ScheduleOverlapPolicy.ALLOW_ALL,
      });
      const workflowId = await until(
        `${name}'s tick`,
        async () => (await schedule.describe()).info.recentActions[0]?.action.workflow.workflowId,
      );
      await env.client.workflow.getHandle(workflowId).result();
      await save(name, workflowId);
    }
    const bigmart = await env.client.schedule.create({
      scheduleId: 'scheduledTabularTraining',
      spec: { calendars: [{ dayOfWeek: 'MONDAY', hour: 3, minute: 0 }], timezone: TIME_ZONE },
      action: {
        type: 'startWorkflow',
        workflowType: scheduledTabularTraining,
        taskQueue,
        args: [
          {
            timeZone: TIME_ZONE,
            model: 'bigmart',
            train: { kind: 'csv', uri: 'gs://bucket/bigmart/Train.csv' },
            score: { kind: 'csv', uri: 'gs://bucket/bigmart/Test.csv' },
            search: { trials: 3, concurrency: 2 },
          },
        ],
      },
      state: { paused: true },
    });
    const monday = new Date('2026-03-08T14:00:00Z').getTime();
    await bigmart.backfill({
      start: new Date(monday - 60_000),
      end: new Date(monday + 60_000),
      overlap: ScheduleOverlapPolicy.ALLOW_ALL,
    });
    const bigmartId = await until(
      "scheduledTabularTraining's tick",
      async () => (await bigmart.describe()).info.recentActions[0]?.action.workflow.workflowId,
    );
    await env.client.workflow.getHandle(bigmartId).result();
    await save('scheduledTabularTraining', bigmartId);
  });
} finally {
  await env.teardown();
}
