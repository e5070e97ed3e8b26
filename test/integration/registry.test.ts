// The registry under concurrent writers of one model (a weekly shard and retrains, promotions at
// once) against the real Postgres: versions are numbered one after another, never twice, and one
// version is in production at the end. And a shard's save as it reads back: versions, stages,
// forecasts (COPY) and failures, and a retried save that replaces its rows and counts nothing again.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { forecastModelName } from '../../contracts/training.ts';
import { addDays } from '../../domain/dates.ts';
import type { SeriesTrainingResult } from '../../ml/forecast/trainSeries.ts';
import { registry } from '../../platform/metrics.ts';
import { createPool, type Pool } from '../../platform/postgres.ts';
import {
  productionVersions,
  promoteVersion,
  saveTrainingResults,
  type TrainedSeries,
} from '../../platform/registry.ts';
import { seedStores } from '../helpers/sales.ts';
import { sampleValue } from '../helpers/scrape.ts';
import { testConfig, uniqueId } from '../helpers/stack.ts';

const STORE = 7;

function trained(rmspe: number, promote = true, level = 100): SeriesTrainingResult {
  return {
    ok: true,
    model: { engine: 'last_week', params: { weekly: [1, 2, 3, 4, 5, 6, 7] } },
    metrics: { rmspe, mape: rmspe, wape: rmspe, bias: 0, coverage: 0.9, days: 21, folds: 3 },
    promote,
    promotionReason: 'test',
    forecast: Array.from({ length: 7 }, (_, i) => ({
      date: addDays('2015-08-01', i),
      forecast: level + i + 0.25,
      lower: level - 10,
      upper: level + 10,
      // A closed last day has none.
      drivers:
        i === 6
          ? null
          : { level, factors: { weekday: 0.1 * i, promo: 0, holiday: 0, closure: 0, month: -0.05, season: 0.01 } },
    })),
  };
}

describe('model registry with concurrent writers', () => {
  let pool: Pool;
  before(async () => {
    pool = createPool(testConfig().postgres, 'retailflow-test');
    await seedStores(pool, [STORE]);
  });
  after(async () => {
    await pool.end();
  });

  it('numbers the versions of runs saving one model at once 1..n, each once', async () => {
    const product = uniqueId('race');
    const runs = Array.from({ length: 8 }, (_, i) => uniqueId(`run${i}`));
    await Promise.all(
      runs.map((run, i) =>
        saveTrainingResults(pool, run, [{ storeId: STORE, product, result: trained(0.1 + i / 100) }]),
      ),
    );
    const { rows } = await pool.query<{ version: number; stage: string }>(
      'SELECT version, stage FROM model_versions WHERE model = $1 ORDER BY version',
      [forecastModelName(STORE, product)],
    );
    assert.deepEqual(
      rows.map((r) => r.version),
      [1, 2, 3, 4, 5, 6, 7, 8],
    );
    assert.equal(rows.filter((r) => r.stage === 'production').length, 1);
  });

  it('leaves one production version after concurrent promotions', async () => {
    const product = uniqueId('promote');
    for (const run of [uniqueId('a'), uniqueId('b'), uniqueId('c')])
      await saveTrainingResults(pool, run, [{ storeId: STORE, product, result: trained(0.1) }]);
    const model = forecastModelName(STORE, product);
    const outcomes = await Promise.all([1, 2, 3, 1, 2, 3].map((v) => promoteVersion(pool, model, v)));
    assert.ok(outcomes.every(Boolean));
    const { rows } = await pool.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM model_versions WHERE model = $1 AND stage = 'production'`,
      [model],
    );
    assert.equal(rows[0]!.n, 1);
  });

  it('counts a promotion by hand once, when the stage changed', async () => {
    const product = uniqueId('counted');
    for (const run of [uniqueId('a'), uniqueId('b')])
      await saveTrainingResults(pool, run, [{ storeId: STORE, product, result: trained(0.1) }]);
    const model = forecastModelName(STORE, product);
    const promotions = async () =>
      sampleValue(await registry.metrics(), 'retailflow_promotions_total', { kind: 'sales_forecast' });
    const counted = await promotions();
    assert.equal(await promoteVersion(pool, model, 1), true);
    assert.equal(await promoteVersion(pool, model, 1), true, 'the production version again');
    assert.equal(await promotions(), counted + 1);
    assert.equal(await promoteVersion(pool, model, 9), false, 'an unknown version');
    assert.equal(await promotions(), counted + 1);
  });

  it('saves a shard of a promoted, a kept and an unfit series as it reads back, and a retry replaces its rows and counts nothing', async () => {
    // COPY's separators in a product name must arrive as they were.
    const promoted = uniqueId('new');
    const kept = uniqueId('kept\tx\\y');
    const unfit = uniqueId('unfit\nz');
    const model = (product: string) => forecastModelName(STORE, product);
    await saveTrainingResults(
      pool,
      uniqueId('earlier'),
      [promoted, kept].map((product) => ({ storeId: STORE, product, result: trained(0.1) })),
    );
    const run = uniqueId('run');
    const production = await productionVersions(
      pool,
      [promoted, kept].map((product) => ({ storeId: STORE, product })),
      run,
    );
    const shard = (level: number): TrainedSeries[] => [
      {
        storeId: STORE,
        product: promoted,
        production: production.get(model(promoted)),
        result: trained(0.05, true, level),
      },
      { storeId: STORE, product: kept, production: production.get(model(kept)), result: trained(0.3, false, level) },
      { storeId: STORE, product: unfit, result: { ok: false, reason: 'too short' } },
    ];
    const counts = { fitted: 2, unfit: 1, promoted: 1, forecasts: 14 };
    assert.deepEqual(await saveTrainingResults(pool, run, shard(100)), {
      counts,
      written: { fitted: 2, unfit: 1, promoted: 1 },
    });
    // The shard retried after its commit, its fits come out otherwise: the same totals, nothing new to count.
    assert.deepEqual(await saveTrainingResults(pool, run, shard(200)), {
      counts,
      written: { fitted: 0, unfit: 0, promoted: 0 },
    });

    const stored = async (product: string) =>
      (
        await pool.query<Record<string, unknown>>(
          `SELECT forecast_date, forecast, lower, upper, model, model_version, drivers FROM forecast_results
           WHERE run_id = $1 AND store_id = $2 AND product = $3 ORDER BY forecast_date`,
          [run, STORE, product],
        )
      ).rows;
    const forecastOf = (product: string, version: number) => {
      const result = trained(0, true, 200);
      assert.ok(result.ok);
      return result.forecast.map((p) => ({
        forecast_date: p.date,
        forecast: p.forecast,
        lower: p.lower,
        upper: p.upper,
        model: model(product),
        model_version: version,
        drivers: p.drivers,
      }));
    };
    // One row per day with the retry's values; the promoted series' from its new version, the kept one's from production.
    assert.deepEqual(await stored(promoted), forecastOf(promoted, 2));
    assert.deepEqual(await stored(kept), forecastOf(kept, 1));
    const { rows: all } = await pool.query<{ n: number }>(
      'SELECT count(*)::int AS n FROM forecast_results WHERE run_id = $1',
      [run],
    );
    assert.equal(all[0]!.n, 14);

    const stages = async (product: string) =>
      (
        await pool.query<{ version: number; stage: string }>(
          'SELECT version, stage FROM model_versions WHERE model = $1 ORDER BY version',
          [model(product)],
        )
      ).rows;
    assert.deepEqual(await stages(promoted), [
      { version: 1, stage: 'archived' },
      { version: 2, stage: 'production' },
    ]);
    assert.deepEqual(await stages(kept), [
      { version: 1, stage: 'production' },
      { version: 2, stage: 'staging' },
    ]);
    assert.deepEqual(await stages(unfit), []);
    const { rows: failures } = await pool.query<{ product: string; reason: string }>(
      'SELECT product, reason FROM training_failures WHERE run_id = $1',
      [run],
    );
    assert.deepEqual(failures, [{ product: unfit, reason: 'too short' }]);
  });
});
