// Power users' data on the real stack: generated GA4-like events saved in Postgres, and Online
// Retail transactions imported as the segmentation imports them, each streamed Postgres -> GCS ->
// BigQuery and turned into one labelled row per user in BigQuery SQL; every row equals what the
// TypeScript definitions (the ones serving uses) compute from the same events. The snapshot reads
// every event, so the Postgres tables live in a schema of their own.
import assert from 'node:assert/strict';
import { mkdtemp, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { after, before, describe, it } from 'node:test';
import {
  DEFAULT_POWER_USER_LABELING,
  POWER_USER_CATEGORY_COLUMNS,
  POWER_USER_NUMBER_COLUMNS,
  POWER_USER_TARGET,
  powerUserTable as referenceTable,
  type PowerUserEvent,
  type PowerUserRow,
} from '../../ml/tabular/presets/powerUser.ts';
import type { DataDeps } from '../../platform/deps.ts';
import {
  buildPowerUserFeatures,
  powerUserEventsObject,
  saveGa4Events,
  snapshotPowerUserEvents,
} from '../../platform/powerUserWarehouse.ts';
import { ObjectStore } from '../../platform/storage.ts';
import { sourceRows } from '../../platform/tabularData.ts';
import { importTransactions } from '../../platform/transactionImport.ts';
import { Warehouse } from '../../platform/warehouse.ts';
import { generateGa4Events, GA4_CUTOFF } from '../../scripts/data/ga4Generator.ts';
import { generateRetail, RETAIL_HEADER, retailCsvLine } from '../../scripts/data/onlineRetailGenerator.ts';
import { isolatedSchema, type IsolatedSchema } from '../helpers/segmentationSchema.ts';
import { testConfig, uniqueId } from '../helpers/stack.ts';

const COLUMNS: (keyof PowerUserRow)[] = [
  'user_id',
  ...POWER_USER_NUMBER_COLUMNS,
  ...POWER_USER_CATEGORY_COLUMNS,
  POWER_USER_TARGET,
];

/** The warehouse's rows (strings, NULL as '') against the reference, column by column. */
function assertAgree(warehouse: Record<string, unknown>[], reference: PowerUserRow[]) {
  assert.equal(warehouse.length, reference.length);
  const byUser = new Map(warehouse.map((r) => [r.user_id as string, r]));
  for (const want of reference) {
    const got = byUser.get(want.user_id);
    assert.ok(got, `user ${want.user_id} missing from the warehouse table`);
    for (const c of COLUMNS) {
      const w = want[c];
      const g: unknown = got[c];
      if (typeof w === 'number')
        assert.ok(
          Math.abs(Number(g) - w) <= 1e-12 * Math.max(1, Math.abs(w)),
          `${want.user_id} ${c}: ${String(g)} vs ${w}`,
        );
      else assert.equal(g, w ?? '', `${want.user_id} ${c}`);
    }
  }
}

describe('power-user features in BigQuery agree with the TypeScript definitions', () => {
  const cfg = testConfig();
  let isolated: IsolatedSchema;
  let deps: DataDeps;

  before(async () => {
    isolated = await isolatedSchema(cfg, 'pu');
    deps = { pool: isolated.pool, store: new ObjectStore(cfg.gcs), warehouse: new Warehouse(cfg.bigquery) };
  });
  after(async () => {
    await isolated.drop();
  });

  it('GA4 events: Postgres -> GCS -> BigQuery, one row per user active before the cutoff, labelled after it', async () => {
    const events = generateGa4Events({ seed: 7, users: 500, from: '2020-11-01', to: '2021-01-31' });
    assert.equal(await saveGa4Events(deps.pool, events), events.length);
    assert.equal(await saveGa4Events(deps.pool, events.slice(0, 100)), 0, 'saved again: nothing new');
    const runId = uniqueId('pu-ga4');
    assert.equal(await snapshotPowerUserEvents(deps, runId, 'ga4'), events.length);
    const labeling = { cutoff: GA4_CUTOFF, ...DEFAULT_POWER_USER_LABELING };
    const built = await buildPowerUserFeatures(deps, runId, labeling);
    const reference = referenceTable(events, labeling);
    assert.equal(built.users, reference.length);
    assert.equal(built.powerUsers, reference.filter((r) => r.power_user === 1).length);
    assert.ok(built.powerUsers > 5 && built.powerUsers < built.users / 2, `${built.powerUsers} of ${built.users}`);
    const { rows } = await sourceRows(deps, { kind: 'bigquery', table: built.table });
    assertAgree(rows, reference);
    // a user whose first event is after the cutoff has no row: features only from before it
    const late = events.find(
      (e) => e.eventTime >= GA4_CUTOFF && !events.some((o) => o.userId === e.userId && o.eventTime < GA4_CUTOFF),
    );
    assert.ok(late);
    assert.ok(!rows.some((r) => r.user_id === late.userId));
    // the threshold is the spend above which a user counts: lower it, more power users
    const lower = await buildPowerUserFeatures(deps, runId, { ...labeling, threshold: 20 });
    assert.equal(
      lower.powerUsers,
      referenceTable(events, { ...labeling, threshold: 20 }).filter((r) => r.power_user).length,
    );
    assert.ok(lower.powerUsers > built.powerUsers);
  });

  it('Online Retail: an invoice of a known customer is one purchase event; the same definitions give the same rows', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'rf-power-users-'));
    const lines = [RETAIL_HEADER];
    generateRetail({ seed: 21, customers: 120, rows: 4000 }, (l) => lines.push(retailCsvLine(l, 'uci')));
    const file = path.join(dir, 'online_retail.csv');
    await writeFile(file, [...lines, ''].join('\n'));
    await importTransactions(deps.pool, file);
    const runId = uniqueId('pu-retail');
    const exported = await snapshotPowerUserEvents(deps, runId, 'online-retail');
    const { rows: invoices } = await deps.pool.query<{ n: string }>(
      `SELECT count(DISTINCT invoice_no) AS n FROM transactions
       WHERE customer_id IS NOT NULL AND strpos(invoice_no, 'C') = 0 AND quantity > 0 AND unit_price > 0`,
    );
    assert.equal(exported, Number(invoices[0]!.n));
    const events = gunzipSync(await deps.store.read(powerUserEventsObject(runId)))
      .toString('utf8')
      .trim()
      .split('\n')
      .map((line) => {
        const e = JSON.parse(line) as Record<string, string | number | null>;
        return {
          eventId: e.event_id,
          userId: e.user_id,
          sessionId: e.session_id,
          eventTime: e.event_time,
          eventName: e.event_name,
          items: e.items,
          revenue: e.revenue,
          trafficSource: e.traffic_source,
          device: e.device,
          country: e.country,
        } as PowerUserEvent;
      });
    assert.ok(events.every((e) => e.eventName === 'purchase'));
    const labeling = { cutoff: '2011-09-01', windowDays: 90, threshold: 110 };
    const built = await buildPowerUserFeatures(deps, runId, labeling);
    const reference = referenceTable(events, labeling);
    assert.ok(built.users > 20, `${built.users} customers`);
    assert.ok(built.powerUsers > 0);
    const { rows } = await sourceRows(deps, { kind: 'bigquery', table: built.table });
    assertAgree(rows, reference);
  });

  it('names the field of a bad labeling', async () => {
    await assert.rejects(
      buildPowerUserFeatures(deps, 'x', { cutoff: '2020-13-01', windowDays: 60, threshold: 110 }),
      /labeling.cutoff/,
    );
    await assert.rejects(
      buildPowerUserFeatures(deps, 'x', { cutoff: '2020-12-01', windowDays: 0, threshold: 110 }),
      /labeling.windowDays/,
    );
  });
});
