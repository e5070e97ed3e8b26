// Activities of the stackCheck workflow: one write and one count per service, each safe to retry.
import type { StackCheckResult } from '../contracts/stackCheck.ts';
import { WAREHOUSE_TABLES } from '../db/warehouse-tables.ts';
import {
  countStackCheck,
  countWarehouseStackCheck,
  recordStackCheck,
  stackCheckRows,
} from '../platform/stackChecks.ts';
import type { Deps } from './deps.ts';

const objectName = (checkId: string) => `stack-checks/${checkId}.ndjson`;

export function stackCheckActivities({ pool, store, warehouse }: Deps) {
  return {
    async recordStackCheck(checkId: string, checkedAt: string): Promise<void> {
      await recordStackCheck(pool, checkId, checkedAt);
    },

    /** Exports the check's Postgres row to a storage object named after the check. */
    async exportStackCheck(checkId: string): Promise<string> {
      const rows = await stackCheckRows(pool, checkId);
      const ndjson = rows
        .map((r) => JSON.stringify({ check_id: r.check_id, checked_at: r.checked_at.toISOString() }) + '\n')
        .join('');
      return store.write(objectName(checkId), ndjson, 'application/x-ndjson');
    },

    async loadStackCheck(checkId: string): Promise<void> {
      await warehouse.upsertFromObject(
        'stack_checks',
        store.file(objectName(checkId)),
        WAREHOUSE_TABLES.stack_checks.schema,
        ['check_id'],
      );
    },

    async countStackCheck(checkId: string): Promise<StackCheckResult['counts']> {
      const [postgres, object, bigquery] = await Promise.all([
        countStackCheck(pool, checkId),
        store.read(objectName(checkId)),
        countWarehouseStackCheck(warehouse, checkId),
      ]);
      return {
        postgres,
        gcs: object
          .toString('utf8')
          .split('\n')
          .filter((line) => line.includes(`"${checkId}"`)).length,
        bigquery,
      };
    },
  };
}

export type StackCheckActivities = ReturnType<typeof stackCheckActivities>;
