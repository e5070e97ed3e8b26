// BigQuery tables the project writes to: the warehouse's counterpart of db/migrations. Plain data:
// platform/ reads it (provision, warehouse loads), it imports nothing.

/** A BigQuery column, as the BigQuery client's TableField spells it. */
export interface WarehouseColumn {
  name: string;
  type: 'STRING' | 'INT64' | 'FLOAT64' | 'BOOL' | 'DATE' | 'TIMESTAMP' | 'JSON';
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
} satisfies Record<string, WarehouseTableSpec>;

export type WarehouseTable = keyof typeof WAREHOUSE_TABLES;
