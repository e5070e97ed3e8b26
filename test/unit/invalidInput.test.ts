import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { exportSales } from '../../platform/salesWarehouse.ts';
import type { Deps } from '../../activities/deps.ts';
import { engineProblem, engineNamed } from '../../ml/forecast/engines.ts';

/** A non-retryable InvalidInput naming the field. */
const invalid = (message: RegExp) => (err: Error & { type?: string; nonRetryable?: boolean }) =>
  err.type === 'InvalidInput' && err.nonRetryable === true && message.test(err.message);

describe('bad input', () => {
  it("an engine name that is no engine's is named with the known ones", () => {
    assert.equal(engineProblem('fast'), null);
    assert.equal(
      engineProblem('xgboost'),
      'unknown forecast engine "xgboost"; known: fast, prophet, last_week, median_weekday_promo',
    );
    assert.match(engineProblem(undefined) ?? '', /^unknown forecast engine nothing;/);
    assert.throws(() => engineNamed('xgboost'), /unknown forecast engine "xgboost"/);
  });

  it('exporting sales over a range that is not dates fails at once as InvalidInput, before touching Postgres', async () => {
    // Any use of the stores would throw a TypeError instead.
    const deps = { pool: {}, store: {} } as unknown as Pick<Deps, 'pool' | 'store'>;
    await assert.rejects(
      exportSales(deps, "2015-01-01' OR '1'='1", '2015-01-31', 'x.ndjson'),
      invalid(/^from: must be a date YYYY-MM-DD, got "2015-01-01' OR '1'='1"$/),
    );
    await assert.rejects(
      exportSales(deps, '2015-01-01', '31.01.2015', 'x.ndjson'),
      invalid(/^to: must be a date YYYY-MM-DD, got "31.01.2015"$/),
    );
  });
});
