import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { segmentationTable, segmentsObject, snapshotObject } from '../../platform/segmentationWarehouse.ts';

describe('segmentation run tables and objects', () => {
  it('names a run table with letters, digits and underscores only, the run id folded in', () => {
    const name = segmentationTable('features', 'segmentation-2026-12-01T02:00:00Z');
    assert.match(name, /^segmentation_features_segmentation_2026_12_01t02_00_00z_[0-9a-f]{8}$/);
    assert.equal(segmentationTable('features', 'segmentation-2026-12-01T02:00:00Z'), name);
  });

  it('keeps apart run ids that fold alike, and the kinds of one run', () => {
    const names = [
      segmentationTable('transactions', 'run-1'),
      segmentationTable('transactions', 'run_1'),
      segmentationTable('transactions', 'RUN-1'),
      segmentationTable('cleaned', 'run-1'),
      segmentationTable('features', 'run-1'),
    ];
    assert.equal(new Set(names).size, names.length);
  });

  it('puts a run’s export under segmentation/<runId>/ and a version’s segments under their version', () => {
    assert.equal(snapshotObject('segmentation-7'), 'segmentation/segmentation-7/transactions.ndjson.gz');
    assert.equal(segmentsObject(12), 'segmentation/segments/version=12/customer_segments.ndjson.gz');
  });

  it('refuses a run id that is no safe name, naming it', () => {
    for (const bad of ['', 'a/b', '../x', 'a b', "x'; DROP", 'r'.repeat(201)]) {
      assert.throws(() => segmentationTable('features', bad), /^ApplicationFailure: runId: must be 1-200/);
      assert.throws(() => snapshotObject(bad), /runId: /);
    }
  });
});
