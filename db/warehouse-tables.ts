// BigQuery tables the project writes to: the warehouse's counterpart of db/migrations. Plain data:
// platform/ reads it (provision, warehouse loads), it imports nothing.

/** A BigQuery column, as the BigQuery client's TableField spells it. */
export interface WarehouseColumn {
  name: string;
  type: 'STRING' | 'INT64' | 'FLOAT64' | 'BOOL' | 'DATE' | 'DATETIME' | 'TIMESTAMP' | 'JSON';
  mode: 'REQUIRED' | 'NULLABLE';
}

export interface WarehouseTableSpec {
  schema: WarehouseColumn[];
  /** DATE column the table is partitioned by, one partition per day. */
  partitionBy?: string;
}

export const WAREHOUSE_TABLES = {
  stack_checks: {
    schema: [
      { name: 'check_id', type: 'STRING', mode: 'REQUIRED' },
      { name: 'checked_at', type: 'TIMESTAMP', mode: 'REQUIRED' },
    ],
  },
  sales: {
    schema: [
      { name: 'store_id', type: 'INT64', mode: 'REQUIRED' },
      { name: 'product', type: 'STRING', mode: 'REQUIRED' },
      { name: 'date', type: 'DATE', mode: 'REQUIRED' },
      { name: 'sales', type: 'INT64', mode: 'REQUIRED' },
      { name: 'customers', type: 'INT64', mode: 'REQUIRED' },
      { name: 'open', type: 'BOOL', mode: 'REQUIRED' },
      { name: 'promo', type: 'BOOL', mode: 'REQUIRED' },
      { name: 'state_holiday', type: 'STRING', mode: 'REQUIRED' },
      { name: 'school_holiday', type: 'BOOL', mode: 'REQUIRED' },
      { name: 'ingested_at', type: 'TIMESTAMP', mode: 'REQUIRED' },
    ],
    partitionBy: 'date',
  },
  // Every customer's segment per segmentation model version, replaced per version (Postgres's customer_segments).
  customer_segments: {
    schema: [
      { name: 'model_version', type: 'INT64', mode: 'REQUIRED' },
      { name: 'customer_id', type: 'STRING', mode: 'REQUIRED' },
      { name: 'segment', type: 'INT64', mode: 'REQUIRED' },
      { name: 'run_id', type: 'STRING', mode: 'REQUIRED' },
    ],
  },
  // Batch predictions of tabular models (Postgres's tabular_predictions), replaced per model, version and dataset.
  tabular_predictions: {
    schema: [
      { name: 'model', type: 'STRING', mode: 'REQUIRED' },
      { name: 'model_version', type: 'INT64', mode: 'REQUIRED' },
      { name: 'dataset', type: 'STRING', mode: 'REQUIRED' },
      { name: 'row_key', type: 'STRING', mode: 'REQUIRED' },
      { name: 'prediction', type: 'FLOAT64', mode: 'REQUIRED' },
    ],
  },
} satisfies Record<string, WarehouseTableSpec>;

export type WarehouseTable = keyof typeof WAREHOUSE_TABLES;

/**
 * A segmentation run's snapshot of the transactions (one table per run, replaced by its export):
 * the file's eight columns, which the cleaning's "exact duplicate rows" compare. Where a row came
 * from (Postgres's source and line) is left out, so it cannot make two equal rows differ.
 */
export const TRANSACTIONS_SNAPSHOT_SCHEMA: WarehouseColumn[] = [
  { name: 'invoice_no', type: 'STRING', mode: 'REQUIRED' },
  { name: 'stock_code', type: 'STRING', mode: 'REQUIRED' },
  { name: 'description', type: 'STRING', mode: 'NULLABLE' },
  { name: 'quantity', type: 'INT64', mode: 'REQUIRED' },
  // Local time as the file writes it (no time zone): DATETIME, as Postgres's timestamp.
  { name: 'invoice_date', type: 'DATETIME', mode: 'REQUIRED' },
  { name: 'unit_price', type: 'FLOAT64', mode: 'REQUIRED' },
  { name: 'customer_id', type: 'INT64', mode: 'NULLABLE' },
  { name: 'country', type: 'STRING', mode: 'REQUIRED' },
];

/** A power-user run's snapshot of events (GA4 events, or Online Retail invoices as purchase events). */
export const POWER_USER_EVENTS_SCHEMA: WarehouseColumn[] = [
  { name: 'event_id', type: 'STRING', mode: 'REQUIRED' },
  { name: 'user_id', type: 'STRING', mode: 'REQUIRED' },
  { name: 'session_id', type: 'STRING', mode: 'REQUIRED' },
  { name: 'event_time', type: 'DATETIME', mode: 'REQUIRED' },
  { name: 'event_name', type: 'STRING', mode: 'REQUIRED' },
  { name: 'items', type: 'INT64', mode: 'REQUIRED' },
  // a decimal string: summed exactly as NUMERIC in SQL
  { name: 'revenue', type: 'STRING', mode: 'REQUIRED' },
  { name: 'traffic_source', type: 'STRING', mode: 'NULLABLE' },
  { name: 'device', type: 'STRING', mode: 'NULLABLE' },
  { name: 'country', type: 'STRING', mode: 'NULLABLE' },
];
