// Air-quality tests keep their readings, window, runs and registry in a Postgres schema of their own
// (the window is one row per model, the model one production version): the segmentation's isolated
// schema plus the air-quality tables and the view the training reads, made over the schema's table.
import type { Config } from '../../platform/config.ts';
import { createPool } from '../../platform/postgres.ts';
import { isolatedSchema, type IsolatedSchema } from './segmentationSchema.ts';

const TABLES = ['air_quality', 'air_quality_window', 'air_quality_runs', 'air_quality_test_months'];

export async function airQualitySchema(base: Config): Promise<IsolatedSchema> {
  const isolated = await isolatedSchema(base, 'aq');
  const admin = createPool(base.postgres, 'retailflow-test');
  try {
    const {
      rows: [found],
    } = await isolated.pool.query<{ schema: string; view: string }>(
      `SELECT current_schema() AS schema, pg_get_viewdef('public.air_quality_rows'::regclass) AS view`,
    );
    const { schema, view } = found!;
    for (const table of TABLES)
      await admin.query(`CREATE TABLE ${schema}.${table} (LIKE public.${table} INCLUDING ALL)`);
    // the view's text names air_quality unqualified: in this search path, the schema's own
    await isolated.pool.query(`CREATE VIEW ${schema}.air_quality_rows AS ${view}`);
  } finally {
    await admin.end();
  }
  return isolated;
}
