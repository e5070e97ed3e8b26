// importAirQuality on the real stack: the first lines of the real AirQualityUCI.csv (CRLF, decimal
// commas, -200, trailing empty fields and ;-only lines) and a file with bad lines, from GCS through
// Temporal into Postgres; counts reconciled, rejected lines with their reasons, a rerun writing
// nothing, a changed file leaving exactly its lines. Its own Postgres schema.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Client } from '@temporalio/client';
import { WorkflowFailedError } from '@temporalio/client';
import type { ImportAirQualityInput } from '../../contracts/airQuality.ts';
import { AIR_QUALITY_HEADER } from '../../domain/airQuality.ts';
import { ObjectStore } from '../../platform/storage.ts';
import { connectClient } from '../../platform/temporal.ts';
import { withWorker } from '../../workers/inProcess.ts';
import { importAirQuality } from '../../workflows/importAirQuality.ts';
import { airQualitySchema } from '../helpers/airQualitySchema.ts';
import type { IsolatedSchema } from '../helpers/segmentationSchema.ts';
import { testConfig, uniqueId } from '../helpers/stack.ts';

const fixture = readFileSync(path.join(import.meta.dirname, '../fixtures/air-quality/AirQualityUCI-head.csv'), 'utf8');

/** The message of the failure at the bottom of a chain of causes (the activity's own). */
function innermost(err: unknown): string {
  let e = err as { cause?: unknown; message?: string };
  while (e.cause) e = e.cause;
  return String(e.message);
}

describe('importAirQuality on the real stack', () => {
  let isolated: IsolatedSchema;
  let client: Client;
  let taskQueue: string;
  const store = new ObjectStore(testConfig().gcs);
  const run = (input: ImportAirQualityInput) =>
    withWorker(isolated.cfg, taskQueue, () =>
      client.workflow.execute(importAirQuality, {
        taskQueue,
        workflowId: uniqueId('import-air-quality'),
        args: [input],
      }),
    );

  before(async () => {
    isolated = await airQualitySchema(testConfig());
    client = await connectClient(isolated.cfg.temporal);
    taskQueue = uniqueId('air-quality-import');
  });
  after(async () => {
    await client?.connection.close();
    await isolated?.drop();
  });

  it('loads the real format: one row per hour, -200 as NULL, the ;-only lines counted as blank', async () => {
    const uri = await store.write(`${uniqueId('uploads/air-quality')}/AirQualityUCI.csv`, fixture, 'text/csv');
    const result = await run({ uri, source: 'fixture' });
    assert.equal(result.read, 11);
    assert.equal(result.loaded, 11);
    assert.equal(result.written, 11);
    assert.equal(result.rejected, 0);
    assert.equal(result.blank, 2);
    assert.equal(result.first, '2004-03-10 18:00:00');
    assert.equal(result.last, '2004-03-11 04:00:00');
    assert.equal(result.missing['CO(GT)'], 1);
    assert.equal(result.missing['NOx(GT)'], 1);
    assert.equal(result.missing['PT08.S1(CO)'], 0);
    assert.equal(result.rejectedRows, undefined);
    const { rows } = await isolated.pool.query<Record<string, string>>(
      `SELECT * FROM air_quality_rows WHERE "DateTime" IN ('2004-03-10 18:00:00', '2004-03-11 04:00:00') ORDER BY 1`,
    );
    assert.equal(rows.length, 2);
    assert.equal(rows[0]!['CO(GT)'], 2.6);
    assert.equal(rows[0]!.AH, 0.7578);
    assert.equal(rows[0]!.Hour, 18);
    assert.equal(rows[0]!.Weekday, 3, '10 March 2004 was a Wednesday');
    assert.equal(rows[1]!['CO(GT)'], null);
    assert.equal(rows[1]!['PT08.S1(CO)'], 1011);

    const again = await run({ uri, source: 'fixture' });
    assert.deepEqual({ ...again, importId: '' }, { ...result, importId: '', written: 0 });
  });

  it('rejects bad lines with their reasons, and a changed file leaves exactly its lines', async () => {
    const good = fixture.split('\r\n').slice(1, 4);
    const text = [
      AIR_QUALITY_HEADER,
      ...good,
      '32/03/2004;18.00.00;2,6;1360;150;11,9;1046;166;1056;113;1692;1268;13,6;48,9;0,7578;;',
      good[0]!.replace('2,6', '2.6'),
      good[1]!,
      '',
    ].join('\n');
    const uri = await store.write(`${uniqueId('uploads/air-quality')}/bad.csv`, text, 'text/csv');
    const source = uniqueId('bad-file');
    const result = await run({ uri, source });
    assert.equal(result.read, 6);
    assert.equal(result.loaded, 3);
    assert.equal(result.rejected, 3);
    assert.equal(result.blank, 0);
    assert.equal(result.rejectedRows, `SELECT * FROM rejected_rows WHERE source = '${source}' ORDER BY line`);
    const { rows } = await isolated.pool.query<{ line: string; reason: string }>(
      'SELECT line, reason FROM rejected_rows WHERE source = $1 ORDER BY line',
      [source],
    );
    assert.deepEqual(
      rows.map((r) => [Number(r.line), r.reason]),
      [
        [5, 'Date: "32/03/2004" 2004-03-32 is not a real calendar date'],
        [6, 'CO(GT): "2.6" is not a number with a decimal comma (-200 for missing)'],
        [7, 'the hour 2004-03-10 19:00:00 is already read at line 3'],
      ],
    );
    // the same file fixed and shortened: its source now holds its two lines and no rejection
    const fixed = await store.write(
      `${uniqueId('uploads/air-quality')}/fixed.csv`,
      [AIR_QUALITY_HEADER, ...good.slice(0, 2)].join('\n'),
      'text/csv',
    );
    const rerun = await run({ uri: fixed, source });
    assert.deepEqual([rerun.loaded, rerun.rejected], [2, 0]);
    const held = await isolated.pool.query<{ n: number }>(
      `SELECT (SELECT count(*)::int FROM air_quality WHERE source = $1) + (SELECT count(*)::int FROM rejected_rows WHERE source = $1) AS n`,
      [source],
    );
    assert.equal(held.rows[0]!.n, 2);
  });

  it('fails naming the uri for a missing object or a file that is not AirQualityUCI.csv', async () => {
    const missing = `gs://${store.bucketName}/${uniqueId('uploads/air-quality')}/none.csv`;
    await assert.rejects(run({ uri: missing }), (err: unknown) => {
      assert.ok(err instanceof WorkflowFailedError);
      assert.match(innermost(err), new RegExp(`^uri: object ${missing} does not exist`));
      return true;
    });
    const wrong = await store.write(`${uniqueId('uploads/air-quality')}/x.csv`, 'Date,Time\n1,2\n', 'text/csv');
    await assert.rejects(run({ uri: wrong }), (err: unknown) => {
      assert.ok(err instanceof WorkflowFailedError);
      assert.match(innermost(err), /^uri: gs:\/\/.*x\.csv: the header must be Date;Time;CO\(GT\)/);
      return true;
    });
  });
});
