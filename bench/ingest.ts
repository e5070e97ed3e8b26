// `npm run bench:ingest`: the bulk path and the daily path of sales ingest, on the bench stack.
//   bulk: generate Rossmann-size data (1,115 stores, 2013-01-01..2015-07-31), import into Postgres
//         (parse + validate + COPY), one GCS object per month, one BigQuery load; then the same file
//         again, which upserts every row
//   daily: 1,115 stores x 10 products of one day staged as events, then one dailyIngest run
// Rows/s per stage and end to end, and the peak RSS of this process (generator, importer and worker).
// One JSON line per result on stdout, all in bench/results/ingest.json.
import path from 'node:path';
import { closeDataDeps, createDataDeps } from '../platform/deps.ts';
import { dailyIngestWorkflowId, type IngestReport } from '../contracts/ingest.ts';
import { loadConfig } from '../platform/config.ts';
import { provision } from '../platform/provision.ts';
import { connectClient } from '../platform/temporal.ts';
import { generate } from '../scripts/data/generate.ts';
import { importStores } from '../platform/storeImport.ts';
import { importTrain } from '../platform/salesImport.ts';
import { stackDown, stackUp, stackWipe } from '../scripts/stack/stack.ts';
import { dayOfEvents } from '../test/helpers/sales.ts';
import { withWorker } from '../test/helpers/worker.ts';
import { BENCH_ENV } from './profile.ts';
import { benchResults } from './results.ts';

Object.assign(process.env, BENCH_ENV);
const cfg = loadConfig();
const { report, save } = benchResults('ingest');
const perSecond = (rows: number, s: number) => Math.round(rows / s);

try {
  await stackWipe(cfg);
  await stackUp(cfg);
  await provision(cfg);
  const deps = createDataDeps(cfg, 'retailflow-bench');
  const dir = path.join(cfg.stack.dataDir, 'generated');
  try {
    const t0 = performance.now();
    generate(['--out', dir]);
    const generateS = (performance.now() - t0) / 1000;

    const train = path.join(dir, 'train.csv');
    const runImport = async (name: string, note: string) => {
      const t = performance.now();
      await importStores(deps.pool, path.join(dir, 'store.csv'));
      const bulk = await importTrain(deps, train);
      const totalS = (performance.now() - t) / 1000;
      report({
        name, note, rows: bulk.read, loaded: bulk.loaded, upserted: bulk.upserted, rejected: bulk.rejected, months: bulk.months, counts: bulk.counts,
        seconds: { generate: Number(generateS.toFixed(2)), ...bulk.seconds },
        rows_per_s: {
          parse_validate_copy: perSecond(bulk.read, bulk.seconds.parseAndCopy),
          ...(bulk.upserted ? { upsert: perSecond(bulk.upserted, bulk.seconds.upsert) } : {}),
          gcs_and_bigquery: perSecond(bulk.loaded, bulk.seconds.warehouse),
          end_to_end: perSecond(bulk.read, totalS),
        },
        target_rows_per_s: 100_000,
      });
    };
    await runImport('bulk_import', 'first import: every date is new, so rows are COPYed straight into sales');
    await runImport('bulk_reimport', 'the same file again: every date exists, so every row goes through the upsert');

    // One day after the history: 1,115 stores x 10 products, staged as the API stages them.
    const date = '2015-08-01';
    const stores = Array.from({ length: 1115 }, (_, i) => i + 1);
    const products = Array.from({ length: 10 }, (_, i) => `p${String(i + 1).padStart(2, '0')}`);
    const events = dayOfEvents(date, products, stores);
    await deps.pool.query(`INSERT INTO sales_events (sale_date, payload, source) SELECT $1, p, 'bench' FROM unnest($2::jsonb[]) AS p`,
      [date, events.map((e) => JSON.stringify(e))]);
    const client = await connectClient(cfg.temporal);
    try {
      const run = await withWorker(cfg, cfg.temporal.taskQueues.ingest, async () => {
        await client.workflow.execute('dailyIngest', { workflowId: 'bench-warmup', taskQueue: cfg.temporal.taskQueues.ingest, args: [{ date: '2015-08-02' }] });
        const t = performance.now();
        const r = await client.workflow.execute('dailyIngest', {
          workflowId: dailyIngestWorkflowId(date), taskQueue: cfg.temporal.taskQueues.ingest, args: [{ date }],
        }) as IngestReport;
        return { report: r, seconds: (performance.now() - t) / 1000 };
      });
      report({
        name: 'daily_run', rows: events.length, counts: run.report.counts, seconds: Number(run.seconds.toFixed(2)),
        stage_ms: run.report.durationsMs, rows_per_s: perSecond(events.length, run.seconds), target_seconds: 2,
      });
    } finally {
      await client.connection.close();
    }
    report({ name: 'peak_rss_mib', value: Math.round(process.resourceUsage().maxRSS / 1024), note: 'this process: generator, importer and an in-process worker' });
  } finally {
    await closeDataDeps(deps);
  }
} finally {
  await stackDown(cfg);
}
await save();
