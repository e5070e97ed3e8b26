// The isolated stack `npm test` runs: its own ports, data dir, bucket and dataset, so tests never
// touch what `npm start` keeps. Anything already set in the environment wins.
export const TEST_PROFILE: Record<string, string> = {
  RETAILFLOW_DATA_DIR: '.data/test',
  TEMPORAL_PORT: '17233',
  TEMPORAL_UI_PORT: '18233',
  POSTGRES_PORT: '25432',
  GCS_PORT: '14443',
  BIGQUERY_PORT: '19050',
  BIGQUERY_GRPC_PORT: '19060',
  API_PORT: '13000',
  PROMETHEUS_PORT: '19090',
  // Any free port: tests run several worker processes at once.
  WORKER_METRICS_PORT: '0',
  GCS_BUCKET: 'retailflow-test',
  BIGQUERY_DATASET: 'retailflow_test',
  LOG_LEVEL: 'warn',
  RETAILFLOW_TEST_STACK: '1',
};
