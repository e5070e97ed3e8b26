// The isolated stack `npm test` runs: its own ports, data dir, bucket and dataset, so tests never
// touch what `npm start` keeps. Anything already set in the environment wins.
import path from 'node:path';

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

// A second (third...) test stack beside the first, so the files that use a stack run two at a time:
// the same profile with every port moved up by 100 per lane and a data dir of its own.
const LANE_PORT_STEP = 100;
const LANE_PORTS = [
  'TEMPORAL_PORT',
  'TEMPORAL_UI_PORT',
  'POSTGRES_PORT',
  'GCS_PORT',
  'BIGQUERY_PORT',
  'BIGQUERY_GRPC_PORT',
  'API_PORT',
  'PROMETHEUS_PORT',
];

/** The settings that differ on stack lane `lane` (0 is the profile itself), from the environment in force. */
export function laneEnv(env: NodeJS.ProcessEnv, lane: number): Record<string, string> {
  if (lane === 0) return {};
  const moved = LANE_PORTS.map((k): [string, string] => [k, String(Number(env[k]) + lane * LANE_PORT_STEP)]);
  return { ...Object.fromEntries(moved), RETAILFLOW_DATA_DIR: `${env.RETAILFLOW_DATA_DIR}-lane${lane}` };
}

/** The file `npm test` writes into the lanes dir once lane `lane`'s stack is up: its laneEnv, as JSON. */
export const laneFile = (lanesDir: string, lane: number): string => path.join(lanesDir, `lane-${lane}.json`);
export const LANE_FILE = /^lane-\d+\.json$/;
