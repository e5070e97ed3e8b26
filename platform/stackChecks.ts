// The stack check's rows (stack_checks), in Postgres and BigQuery: one write and one count per
// service, each safe to repeat (the check id is the key).
import type pg from 'pg';
import type { Warehouse } from './warehouse.ts';

export async function recordStackCheck(pool: pg.Pool, checkId: string, checkedAt: string): Promise<void> {
  await pool.query(
    'INSERT INTO stack_checks (check_id, checked_at) VALUES ($1, $2) ON CONFLICT (check_id) DO NOTHING',
    [checkId, checkedAt],
  );
}

export async function stackCheckRows(
  pool: pg.Pool,
  checkId: string,
): Promise<{ check_id: string; checked_at: Date }[]> {
  const { rows } = await pool.query<{ check_id: string; checked_at: Date }>(
    'SELECT check_id, checked_at FROM stack_checks WHERE check_id = $1',
    [checkId],
  );
  return rows;
}

export async function countStackCheck(pool: pg.Pool, checkId: string): Promise<number> {
  const { rows } = await pool.query<{ n: number }>('SELECT count(*)::int AS n FROM stack_checks WHERE check_id = $1', [
    checkId,
  ]);
  return rows[0]?.n ?? 0;
}

export async function countWarehouseStackCheck(warehouse: Warehouse, checkId: string): Promise<number> {
  const rows = await warehouse.query<{ n: number }>(
    `SELECT COUNT(*) AS n FROM ${warehouse.table('stack_checks')} WHERE check_id = @id`,
    { id: checkId },
  );
  return Number(rows[0]?.n ?? 0);
}
