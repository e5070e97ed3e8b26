// Activities of weeklyTraining. The snapshot writes the training window to GCS once, in shards of
// whole series; a shard trains its series in worker threads and writes the results in one
// transaction, so a retried or rerun shard replaces its own rows; the run row is keyed by run id.
import { Context } from '@temporalio/activity';
import { to as copyTo } from 'pg-copy-streams';
import { invalidInput } from '../contracts/failures.ts';
import { PRODUCT_NAME } from '../domain/sales.ts';
import { forecastModelName, seriesTrainingOptions, trainingShardObject, type MetricSummary, type ShardResult, type TrainingCounts, type TrainingOptions, type TrainingStage } from '../contracts/training.ts';
import { addDays, dateProblem } from '../domain/dates.ts';
import { engineProblem } from '../ml/forecast/engines.ts';
import type { Deps } from './deps.ts';
import { whileHeartbeating } from './heartbeat.ts';
import { COPY_RAW_LINES } from '../platform/salesWarehouse.ts';
import { productionVersions, saveTrainingResults, type TrainedSeries } from '../platform/registry.ts';

// A shard line starts {"store_id" : 1, "product" : "p01", ... as Postgres' json_build_object writes it.
const SERIES_KEY = /^\{"store_id" : (\d+), "product" : ("(?:[^"\\]|\\.)*")/;

const SERIES_PER_TASK = 16;

export function trainingActivities(deps: Deps) {
  return {
    /** Writes the window's series to GCS, `shardSize` per object; returns how many series and shards. */
    snapshotTrainingWindow: (runId: string, o: TrainingOptions): Promise<{ series: number; shards: number }> => whileHeartbeating(async () => {
      // Inlined into COPY (it takes no parameters), so checked first.
      const asOfProblem = dateProblem(o.asOf, 'past');
      if (asOfProblem) throw invalidInput('asOf', asOfProblem);
      const badProduct = o.products?.find((p) => !PRODUCT_NAME.test(p));
      if (badProduct !== undefined) throw invalidInput('products', `not a product name: ${JSON.stringify(badProduct)}`);
      const badEngine = engineProblem(o.engine);
      if (badEngine) throw invalidInput('engine', badEngine);
      const conditions = [`date <= DATE '${o.asOf}'`];
      if (o.windowDays !== 'full') conditions.push(`date > DATE '${addDays(o.asOf, -o.windowDays)}'`);
      if (o.products?.length) conditions.push(`product IN (${o.products.map((p) => `'${p}'`).join(', ')})`);
      // Postgres groups the days of each series into one JSON line; Node only cuts lines into shards.
      const sql = `COPY (SELECT json_build_object('store_id', store_id, 'product', product,
          'days', json_agg(json_build_array(date, sales, open, promo, state_holiday, school_holiday) ORDER BY date))
        FROM sales WHERE ${conditions.join(' AND ')} GROUP BY store_id, product ORDER BY store_id, product)
        TO STDOUT ${COPY_RAW_LINES}`;
      let series = 0;
      let shards = 0;
      let lines: string[] = [];
      const flush = async () => {
        if (!lines.length) return;
        await deps.store.write(trainingShardObject(runId, shards++), lines.join(''), 'application/x-ndjson');
        lines = [];
      };
      const client = await deps.pool.connect();
      try {
        let rest = '';
        for await (const chunk of client.query(copyTo(sql)) as AsyncIterable<Buffer>) {
          const parts = (rest + chunk.toString('utf8')).split('\n');
          rest = parts.pop()!;
          for (const part of parts) {
            lines.push(`${part}\n`);
            series++;
            if (lines.length === o.shardSize) await flush();
          }
        }
        await flush();
      } finally {
        client.release();
      }
      return { series, shards };
    }),

    /** Trains a shard's series in worker threads, heartbeating series done, and saves the results. */
    trainShard: (runId: string, shard: number, o: TrainingOptions): Promise<ShardResult> => {
      const ctx = Context.current();
      let done = 0;
      return whileHeartbeating(async () => {
        const lines = (await deps.store.read(trainingShardObject(runId, shard))).toString('utf8').split('\n').filter(Boolean);
        // Only the keys are read here; the days are parsed in the worker threads.
        const series = lines.map((line) => {
          const m = SERIES_KEY.exec(line);
          if (!m) throw invalidInput('shard', `shard ${shard} of ${runId} holds a line that is not a series`);
          return { storeId: Number(m[1]), product: JSON.parse(m[2]!) as string, line };
        });
        const production = await productionVersions(deps.pool, series, runId);
        const options = seriesTrainingOptions(o);
        const trained: TrainedSeries[] = [];
        await Promise.all(Array.from({ length: Math.ceil(series.length / SERIES_PER_TASK) }, async (_, t) => {
          const batch = series.slice(t * SERIES_PER_TASK, (t + 1) * SERIES_PER_TASK).map((s) => ({ ...s, production: production.get(forecastModelName(s.storeId, s.product)) }));
          const results = await deps.fitPool.run({ lines: batch.map((s) => s.line), production: batch.map((s) => s.production), options }, ctx.cancellationSignal);
          results.forEach((result, i) => trained.push({ storeId: batch[i]!.storeId, product: batch[i]!.product, production: batch[i]!.production, result }));
          done += batch.length;
          ctx.heartbeat({ done });
        }));
        const saved = await saveTrainingResults(deps.pool, runId, o.engine, trained);
        return { series: series.length, ...saved };
      }, () => ({ done }));
    },

    /** Records the run's state; when it has ended, with the distribution of its versions' backtest metrics. */
    recordTrainingRun: (run: { runId: string; status: TrainingStage; options: TrainingOptions; counts: TrainingCounts; error?: string }): Promise<MetricSummary> => whileHeartbeating(async () => {
      const ended = run.status === 'done' || run.status === 'failed' || run.status === 'cancelled';
      const metrics: MetricSummary = {};
      if (ended) {
        const { rows } = await deps.pool.query<{ metric: keyof MetricSummary; p: number[]; mean: number }>(
          `SELECT m.metric, percentile_cont(ARRAY[0.1, 0.5, 0.9]) WITHIN GROUP (ORDER BY (v.metrics->>m.metric)::float8) AS p,
             avg((v.metrics->>m.metric)::float8) AS mean
           FROM model_versions v CROSS JOIN unnest(ARRAY['rmspe', 'wape', 'coverage']) AS m(metric)
           WHERE v.training_run = $1 AND v.metrics->>m.metric IS NOT NULL GROUP BY m.metric`, [run.runId]);
        for (const r of rows) metrics[r.metric] = { p10: r.p[0]!, p50: r.p[1]!, p90: r.p[2]!, mean: r.mean };
      }
      const status = run.status === 'done' || run.status === 'failed' || run.status === 'cancelled' ? run.status : 'running';
      await deps.pool.query(
        `INSERT INTO training_runs (run_id, status, as_of, engine, window_days, counts, metrics, error, ended_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, CASE WHEN $9 THEN now() END)
         ON CONFLICT (run_id) DO UPDATE SET status = EXCLUDED.status, counts = EXCLUDED.counts, metrics = EXCLUDED.metrics,
           error = EXCLUDED.error, ended_at = EXCLUDED.ended_at,
           started_at = CASE WHEN training_runs.ended_at IS NOT NULL AND EXCLUDED.ended_at IS NULL THEN now() ELSE training_runs.started_at END`,
        [run.runId, status, run.options.asOf, run.options.engine, run.options.windowDays === 'full' ? null : run.options.windowDays,
          JSON.stringify(run.counts), JSON.stringify(metrics), run.error ?? null, ended]);
      return metrics;
    }),
  };
}

export type TrainingActivities = ReturnType<typeof trainingActivities>;
