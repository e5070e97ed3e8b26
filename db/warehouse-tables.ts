// BigQuery tables the project writes to: the warehouse's counterpart of db/migrations.
import type { Schema } from '../platform/warehouse.ts';

export const WAREHOUSE_TABLES = {
  stack_checks: [
    { name: 'check_id', type: 'STRING', mode: 'REQUIRED' },
    { name: 'checked_at', type: 'TIMESTAMP', mode: 'REQUIRED' },
  ],
} satisfies Record<string, Schema>;

export type WarehouseTable = keyof typeof WAREHOUSE_TABLES;
