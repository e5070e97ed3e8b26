import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { promotionDecision } from '../../ml/registry/promotion.ts';

describe('promotion policy', () => {
  it('promotes the first version of a model', () => {
    assert.equal(promotionDecision(0.2, undefined, 0.05).promote, true);
  });

  it('promotes a version no worse than production by more than the margin, and keeps a worse one in staging', () => {
    assert.equal(promotionDecision(0.104, 0.1, 0.05).promote, true, 'within 5%');
    assert.equal(promotionDecision(0.09, 0.1, 0.05).promote, true, 'better');
    const worse = promotionDecision(0.106, 0.1, 0.05);
    assert.equal(worse.promote, false);
    assert.match(worse.reason, /worse than production's 0\.1000 by more than 5\.0%/);
  });

  it('does not promote a version without a backtest over a production that has one, and the reverse', () => {
    assert.equal(promotionDecision(null, 0.1, 0.05).promote, false);
    assert.equal(promotionDecision(0.3, null, 0.05).promote, true);
  });
});
