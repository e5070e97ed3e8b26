// The registry under concurrent writers of one model (a weekly shard and retrains, promotions at
// once) against the real Postgres: versions are numbered one after another, never twice, and one
// version is in production at the end.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { forecastModelName } from '../../contracts/training.ts';
import { addDays } from '../../domain/dates.ts';
import type { SeriesTrainingResult } from '../../ml/forecast/trainSeries.ts';
import { createPool, type Pool } from '../../platform/postgres.ts';
import { promoteVersion, saveTrainingResults } from '../../platform/registry.ts';
import { seedStores } from '../helpers/sales.ts';
import { testConfig, uniqueId } from '../helpers/stack.ts';

const STORE = 7;

function trained(rmspe: number): SeriesTrainingResult {
  return {
    ok: true,
    model: { engine: 'last_week', params: { weekly: [1, 2, 3, 4, 5, 6, 7] } },
    metrics: { rmspe, mape: rmspe, wape: rmspe, bias: 0, coverage: 0.9, days: 21, folds: 3 },
    promote: true,
    promotionReason: 'test',
    forecast: Array.from({ length: 7 }, (_, i) => ({
      date: addDays('2015-08-01', i),
      forecast: 100,
      lower: 90,
      upper: 110,
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
});
