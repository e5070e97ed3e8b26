// Power users' warehouse side (seed 003): GA4-like events saved in Postgres; a run's events
// (GA4 events, or the Online Retail invoices as purchase events) streamed Postgres -> GCS ->
// BigQuery; and the features per user before the cutoff with the label after it, in BigQuery SQL.
// The same definitions are in ml/tabular/presets/powerUser.ts (serving); a test checks they agree.
// A run's tables are named for the run and replaced whole, so a retry writes nothing twice.
import { createHash } from 'node:crypto';
import { invalidInput } from '../contracts/failures.ts';
import type { PowerUserFeatures, PowerUserSource } from '../contracts/powerUsers.ts';
import { POWER_USER_EVENTS_SCHEMA } from '../db/warehouse-tables.ts';
import { addDays, isCalendarDate } from '../domain/dates.ts';
import type { PowerUserEvent, PowerUserLabeling } from '../ml/tabular/presets/powerUser.ts';
import type { DataDeps } from './deps.ts';
import type { Pool } from './postgres.ts';
import { exportNdjson } from './segmentationWarehouse.ts';

const RUN_ID = /^[\w.:-]{1,200}$/;

/** A run's BigQuery table: the run id folded to letters, digits and _, with a hash of it so 'a-b' and 'a_b' differ. */
export function powerUserTable(kind: 'events' | 'features', runId: string): string {
  if (!RUN_ID.test(runId))
    throw invalidInput('runId', `must be 1-200 letters, digits, _ . : or -, got ${JSON.stringify(runId)}`);
  const folded = runId.toLowerCase().replace(/\W+/g, '_');
  const hash = createHash('sha256').update(runId).digest('hex').slice(0, 8);
  return `power_user_${kind}_${folded}_${hash}`;
}

export const powerUserEventsObject = (runId: string) => `power-users/${runId}/events.ndjson.gz`;

/** Saves events in `ga4_events`, keyed by event id (an event saved before is left as it is); returns how many were new. */
export async function saveGa4Events(pool: Pool, events: readonly PowerUserEvent[], batch = 5000): Promise<number> {
  let inserted = 0;
  for (let start = 0; start < events.length; start += batch) {
    const part = events.slice(start, start + batch);
    const column = <K extends keyof PowerUserEvent>(k: K) => part.map((e) => e[k]);
    const { rowCount } = await pool.query(
      `INSERT INTO ga4_events (event_id, user_id, session_id, event_time, event_name, items, revenue, traffic_source, device, country)
       SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::timestamp[], $5::text[], $6::int[], $7::numeric[], $8::text[], $9::text[], $10::text[])
       ON CONFLICT (event_id) DO NOTHING`,
      [
        column('eventId'),
        column('userId'),
        column('sessionId'),
        column('eventTime'),
        column('eventName'),
        column('items'),
        column('revenue'),
        column('trafficSource'),
        column('device'),
        column('country'),
      ],
    );
    inserted += rowCount ?? 0;
  }
  return inserted;
}

// Online Retail: one purchase event per invoice of a known customer (the file's exact duplicate
// lines once, cancellations and non-positive quantities or prices left out, as the segmentation's cleaning).
const EVENTS_QUERY: Record<PowerUserSource, string> = {
  ga4: `SELECT event_id, user_id, session_id, event_time, event_name, items, revenue::text AS revenue,
      traffic_source, device, country FROM ga4_events`,
  'online-retail': `SELECT 'invoice-' || invoice_no AS event_id, customer_id::text AS user_id, invoice_no AS session_id,
      min(invoice_date) AS event_time, 'purchase' AS event_name, sum(quantity)::int AS items,
      sum(quantity * unit_price)::text AS revenue, NULL AS traffic_source, NULL AS device, min(country) AS country
    FROM (SELECT DISTINCT invoice_no, stock_code, description, quantity, invoice_date, unit_price, customer_id, country
          FROM transactions
          WHERE customer_id IS NOT NULL AND strpos(invoice_no, 'C') = 0 AND quantity > 0 AND unit_price > 0) t
    GROUP BY invoice_no, customer_id`,
};

/** The source's events from Postgres to GCS to the run's BigQuery events table, replacing it; the count. */
export async function snapshotPowerUserEvents(deps: DataDeps, runId: string, source: PowerUserSource): Promise<number> {
  const query = EVENTS_QUERY[source];
  if (!query)
    throw invalidInput('events', `must be ${Object.keys(EVENTS_QUERY).join(' or ')}, got ${JSON.stringify(source)}`);
  const objectName = powerUserEventsObject(runId);
  const exported = await exportNdjson(deps, query, objectName);
  const loaded = await deps.warehouse.loadReplacing(
    powerUserTable('events', runId),
    deps.store.file(objectName),
    POWER_USER_EVENTS_SCHEMA,
  );
  if (loaded !== exported)
    throw new Error(`events of power-user run ${runId}: exported ${exported}, BigQuery loaded ${loaded}`);
  return exported;
}

/** Checks the labeling (its values are inlined into SQL). */
export function checkLabeling(l: PowerUserLabeling): void {
  if (typeof l.cutoff !== 'string' || !isCalendarDate(l.cutoff))
    throw invalidInput('labeling.cutoff', `must be a date YYYY-MM-DD, got ${JSON.stringify(l.cutoff)}`);
  if (!Number.isInteger(l.windowDays) || l.windowDays < 1 || l.windowDays > 3660)
    throw invalidInput('labeling.windowDays', `must be a whole number of days from 1 to 3660, got ${l.windowDays}`);
  if (typeof l.threshold !== 'number' || !Number.isFinite(l.threshold) || l.threshold < 0)
    throw invalidInput('labeling.threshold', `must be a number of dollars >= 0, got ${l.threshold}`);
}

/**
 * The run's features table: one row per user with an event before the cutoff, the features of
 * those events only, and power_user = 1 when their purchases in [cutoff, cutoff + windowDays) sum
 * to more than the threshold. Revenue is summed as NUMERIC (exact), then made FLOAT64 once.
 */
export async function buildPowerUserFeatures(
  { warehouse }: Pick<DataDeps, 'warehouse'>,
  runId: string,
  labeling: PowerUserLabeling,
): Promise<Omit<PowerUserFeatures, 'events'>> {
  checkLabeling(labeling);
  const events = warehouse.table(powerUserTable('events', runId));
  const name = powerUserTable('features', runId);
  const cutoff = `DATETIME '${labeling.cutoff} 00:00:00'`;
  const windowEnd = `DATETIME '${addDays(labeling.cutoff, labeling.windowDays)} 00:00:00'`;
  await warehouse.query(`CREATE OR REPLACE TABLE ${warehouse.table(name)} AS
    WITH e AS (SELECT * EXCEPT (revenue), CAST(revenue AS NUMERIC) AS amount FROM ${events}),
    before AS (SELECT * FROM e WHERE event_time < ${cutoff}),
    firsts AS (
      SELECT user_id, traffic_source, device, country FROM (
        SELECT user_id, traffic_source, device, country,
          ROW_NUMBER() OVER (PARTITION BY user_id ORDER BY event_time, event_id) AS n FROM before)
      WHERE n = 1),
    agg AS (
      SELECT user_id,
        COUNT(DISTINCT session_id) AS sessions,
        COUNTIF(event_name = 'page_view') AS page_views,
        COUNTIF(event_name = 'add_to_cart') AS add_to_carts,
        COUNTIF(event_name = 'purchase') AS purchases,
        SUM(IF(event_name = 'purchase', items, 0)) AS items,
        CAST(SUM(IF(event_name = 'purchase', amount, 0)) AS FLOAT64) AS revenue,
        COUNT(DISTINCT DATE(event_time)) AS active_days,
        DIV(DATETIME_DIFF(${cutoff}, MAX(event_time), SECOND), 86400) AS days_since_last,
        DIV(DATETIME_DIFF(${cutoff}, MIN(event_time), SECOND), 86400) AS tenure_days
      FROM before GROUP BY user_id),
    spend AS (
      SELECT user_id, SUM(amount) AS spend FROM e
      WHERE event_name = 'purchase' AND event_time >= ${cutoff} AND event_time < ${windowEnd}
      GROUP BY user_id)
    SELECT agg.user_id, sessions, page_views, add_to_carts, purchases, items, revenue,
      IF(purchases > 0, items / purchases, NULL) AS avg_basket_items,
      IF(purchases > 0, revenue / purchases, NULL) AS avg_order_value,
      IF(add_to_carts > 0, purchases / add_to_carts, NULL) AS cart_conversion,
      active_days, days_since_last, tenure_days,
      IFNULL(firsts.traffic_source, '') AS traffic_source, IFNULL(firsts.device, '') AS device,
      IFNULL(firsts.country, '') AS country,
      IF(IFNULL(spend.spend, 0) > CAST('${labeling.threshold}' AS NUMERIC), 1, 0) AS power_user
    FROM agg JOIN firsts ON firsts.user_id = agg.user_id LEFT JOIN spend ON spend.user_id = agg.user_id`);
  const [counts] = await warehouse.query<{ users: number; power_users: number }>(
    `SELECT COUNT(*) AS users, COUNTIF(power_user = 1) AS power_users FROM ${warehouse.table(name)}`,
  );
  return { users: Number(counts?.users ?? 0), powerUsers: Number(counts?.power_users ?? 0), table: name };
}
