// The benchmarks' own stack: other ports and data dir, so a running `npm start` or `npm test`
// stack is left alone.
import path from 'node:path';
import { ROOT } from '../scripts/stack/paths.ts';

const port = (name: string, fallback: number) => process.env[name] ?? String(fallback);

// Each port can be moved by its usual variable (TEMPORAL_PORT=... npm run bench:tabular), where
// several people share a machine.
export const BENCH_ENV: Record<string, string> = {
  RETAILFLOW_DATA_DIR: path.join(ROOT, '.data/bench'),
  TEMPORAL_PORT: port('TEMPORAL_PORT', 27233),
  TEMPORAL_UI_PORT: port('TEMPORAL_UI_PORT', 28233),
  POSTGRES_PORT: port('POSTGRES_PORT', 35432),
  GCS_PORT: port('GCS_PORT', 24443),
  BIGQUERY_PORT: port('BIGQUERY_PORT', 29050),
  BIGQUERY_GRPC_PORT: port('BIGQUERY_GRPC_PORT', 29060),
  GCS_BUCKET: 'retailflow-bench',
  BIGQUERY_DATASET: 'retailflow_bench',
  LOG_LEVEL: 'warn',
  RETAILFLOW_TEST_STACK: '1',
};

/** The API's port in the benchmarks that start one. */
export const BENCH_API_PORT = Number(port('API_PORT', 33000));
