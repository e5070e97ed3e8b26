import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { tabularPromotion } from '../../ml/registry/tabularPromotion.ts';
import { POWER_USER_SPEC } from '../../ml/tabular/presets/powerUser.ts';

const gate = POWER_USER_SPEC.gate!;
const strong = { logLoss: 0.27, recall: 0.62, precision: 0.45 };

describe('tabular champion/challenger', () => {
  it('promotes on the objective beaten by more than the margin (RMSE or log loss)', () => {
    assert.deepEqual(tabularPromotion({ challenger: { rmse: 1000 }, champion: undefined, margin: 0.01 }), {
      promoted: true,
      reason: 'no champion yet',
    });
    assert.equal(
      tabularPromotion({ challenger: { rmse: 980 }, champion: { rmse: 1000 }, margin: 0.01 }).promoted,
      true,
    );
    const close = tabularPromotion({ challenger: { rmse: 995 }, champion: { rmse: 1000 }, margin: 0.01 });
    assert.deepEqual(close, {
      promoted: false,
      reason: "995.0000 does not beat the champion's 1000.0000 by more than 1%",
    });
    assert.equal(
      tabularPromotion({ challenger: strong, champion: { ...strong, logLoss: 0.3 }, margin: 0.01, gate }).promoted,
      true,
    );
  });

  it("never promotes a challenger below the spec's gate bars, however low its log loss, and says which", () => {
    const lowRecall = { logLoss: 0.2, recall: 0.41, precision: 0.45 };
    assert.deepEqual(
      tabularPromotion({ challenger: lowRecall, champion: { ...strong, logLoss: 0.3 }, margin: 0.01, gate }),
      {
        promoted: false,
        reason: "below the gate's bars: recall 0.410 is below the bar 0.500",
      },
    );
    // the first version too: the gate would fail it in production
    const both = tabularPromotion({
      challenger: { logLoss: 0.2, recall: 0.1, precision: 0.2 },
      champion: undefined,
      margin: 0,
      gate,
    });
    assert.equal(both.promoted, false);
    assert.equal(
      both.reason,
      "below the gate's bars: recall 0.100 is below the bar 0.500; precision 0.200 is below the bar 0.300",
    );
    // exactly at the bars passes, as the gate does
    assert.equal(
      tabularPromotion({
        challenger: { logLoss: 0.2, recall: 0.5, precision: 0.3 },
        champion: undefined,
        margin: 0,
        gate,
      }).promoted,
      true,
    );
    // without bars (regression, BigMart) only the objective counts
    assert.equal(
      tabularPromotion({ challenger: { logLoss: 0.2, recall: 0.1, precision: 0.2 }, champion: undefined, margin: 0 })
        .promoted,
      true,
    );
  });
});
