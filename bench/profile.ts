// The benchmarks' own stack: other ports and data dir, so a running `npm start` or `npm test`
// stack is left alone.
import path from 'node:path';
import { ROOT } from '../scripts/stack/paths.ts';

export const BENCH_ENV: Record<string, string> = {
  RETAILFLOW_DATA_DIR: path.join(ROOT, '.data/bench'),
  TEMPORAL_PORT: '27233',
  TEMPORAL_UI_PORT: '28233',
  POSTGRES_PORT: '35432',
  GCS_PORT: '24443',
  BIGQUERY_PORT: '29050',
  BIGQUERY_GRPC_PORT: '29060',
  GCS_BUCKET: 'retailflow-bench',
  BIGQUERY_DATASET: 'retailflow_bench',
  LOG_LEVEL: 'warn',
  RETAILFLOW_TEST_STACK: '1',
};
