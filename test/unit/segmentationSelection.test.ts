import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { versionChanges } from '../../ml/segmentation/matching.ts';
import { fitScaler, transform } from '../../ml/segmentation/scaler.ts';
import { chooseSegmentCount, segmentationPromotion } from '../../ml/segmentation/selection.ts';

const fit = (k: number, silhouette: number) => ({ k, silhouette, inertia: 100 / k });

describe('chooseSegmentCount', () => {
  it('takes the highest silhouette, the smaller k on a tie', () => {
    assert.equal(chooseSegmentCount([fit(2, 0.4), fit(3, 0.55), fit(4, 0.5)]).k, 3);
    assert.equal(chooseSegmentCount([fit(5, 0.5), fit(3, 0.5), fit(4, 0.49)]).k, 3);
  });
  it('takes the fixed k even when another scores higher, and names a k not fitted', () => {
    assert.equal(chooseSegmentCount([fit(2, 0.6), fit(5, 0.4)], 5).k, 5);
    assert.throws(() => chooseSegmentCount([fit(2, 0.6)], 4), /k = 4 was not fitted \(fitted 2\)/);
    assert.throws(() => chooseSegmentCount([]), /no fits/);
  });
});

describe('segmentationPromotion', () => {
  it('promotes the first version, and one within the margin below production', () => {
    assert.deepEqual(segmentationPromotion(0.3, undefined, 0.02), {
      promote: true,
      reason: 'no production version yet',
    });
    assert.equal(segmentationPromotion(0.41, 0.42, 0.02).promote, true);
    assert.equal(segmentationPromotion(0.5, 0.42, 0.02).promote, true);
  });
  it('keeps production when the new silhouette is lower by more than the margin, and says why', () => {
    const d = segmentationPromotion(0.39, 0.42, 0.02);
    assert.equal(d.promote, false);
    assert.equal(d.reason, "silhouette 0.3900 lower than production's 0.4200 by more than 0.02");
  });
});

describe('versionChanges', () => {
  const raw = [
    [1, 10],
    [2, 12],
    [50, 400],
    [52, 420],
  ];
  it('matches segments across versions with different scalers and counts changed customers', () => {
    const oldScaler = fitScaler(raw);
    const newScaler = fitScaler([...raw, [100, 900]]);
    // old: segment 0 low, 1 high; new: segment 0 high, 1 low (renumbered), customer d moved to low
    const old = {
      scaler: oldScaler,
      centroids: transform(oldScaler, [
        [1.5, 11],
        [51, 410],
      ]),
    };
    const next = {
      scaler: newScaler,
      centroids: transform(newScaler, [
        [51, 410],
        [1.5, 11],
      ]),
    };
    const changes = versionChanges(
      old,
      next,
      [
        { customerId: 'a', segment: 0 },
        { customerId: 'b', segment: 0 },
        { customerId: 'c', segment: 1 },
        { customerId: 'd', segment: 1 },
        { customerId: 'gone', segment: 1 },
      ],
      [
        { customerId: 'a', segment: 1 },
        { customerId: 'b', segment: 1 },
        { customerId: 'c', segment: 0 },
        { customerId: 'd', segment: 1 },
        { customerId: 'new', segment: 0 },
      ],
    );
    assert.deepEqual(changes, { match: [1, 0], changed: 1, unchanged: 3, added: 1, removed: 1 });
  });
});
