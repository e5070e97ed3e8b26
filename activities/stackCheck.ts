// Activities of the stackCheck workflow: one write and one count per service, each safe to retry.
import type { StackCheckResult } from '../contracts/stackCheck.ts';
import { WAREHOUSE_TABLES } from '../db/warehouse-tables.ts';
import type { Deps } from './deps.ts';

const objectName = (checkId: string) => `stack-checks/${checkId}.ndjson`;

export function stackCheckActivities({ pool, store, warehouse }: Deps) {
  return {
    async recordStackCheck(checkId: string, checkedAt: string): Promise<void> {
      await pool.query(
        'INSERT INTO stack_checks (check_id, checked_at) VALUES ($1, $2) ON CONFLICT (check_id) DO NOTHING',
        [checkId, checkedAt],
      );
    },

    /** Exports the check's Postgres row to a storage object named after the check. */
    async exportStackCheck(checkId: string): Promise<string> {
      const { rows } = await pool.query<{ check_id: string; checked_at: Date }>(
        'SELECT check_id, checked_at FROM stack_checks WHERE check_id = $1', [checkId]);
      const ndjson = rows.map((r) => JSON.stringify({ check_id: r.check_id, checked_at: r.checked_at.toISOString() }) + '\n').join('');
      return store.write(objectName(checkId), ndjson, 'application/x-ndjson');
    },

    async loadStackCheck(checkId: string): Promise<void> {
      await warehouse.upsertFromObject('stack_checks', store.file(objectName(checkId)), WAREHOUSE_TABLES.stack_checks.schema, ['check_id']);
    },

    async countStackCheck(checkId: string): Promise<StackCheckResult['counts']> {
      const [pg, object, bq] = await Promise.all([
        pool.query<{ n: number }>('SELECT count(*)::int AS n FROM stack_checks WHERE check_id = $1', [checkId]),
        store.read(objectName(checkId)),
        warehouse.query<{ n: number }>(`SELECT COUNT(*) AS n FROM ${warehouse.table('stack_checks')} WHERE check_id = @id`, { id: checkId }),
      ]);
      return {
        postgres: pg.rows[0]?.n ?? 0,
        gcs: object.toString('utf8').split('\n').filter((line) => line.includes(`"${checkId}"`)).length,
        bigquery: Number(bq[0]?.n ?? 0),
      };
    },
  };
}

export type StackCheckActivities = ReturnType<typeof stackCheckActivities>;
