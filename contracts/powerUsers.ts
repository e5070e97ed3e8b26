// Power users (seed 003): the powerUserTraining workflow's input (where the events come from, the
// cutoff and the label's window and threshold) and what its feature step reports. The training
// itself is tabularTraining on the 'power-user' preset (contracts/tabular.ts).
import type { PowerUserLabeling } from '../ml/tabular/presets/powerUser.ts';
import { TABULAR_RUN_PREFIX, type SearchOptions, type SplitOptions, type TabularReport } from './tabular.ts';

export const POWER_USER_MODEL = 'power-user';
export const POWER_USER_RUN_PREFIX = 'power-users-';

/** The tabularTraining child's id: the parent's, prefixed as every tabular run is. */
export const powerUserTrainingChildId = (workflowId: string) => `${TABULAR_RUN_PREFIX}${workflowId}`;

/** GA4-like events in Postgres `ga4_events`, or the Online Retail `transactions` as purchase events. */
export const POWER_USER_SOURCES = ['ga4', 'online-retail'] as const;
export type PowerUserSource = (typeof POWER_USER_SOURCES)[number];

export type { PowerUserLabeling };

export interface PowerUserTrainingInput {
  events: PowerUserSource;
  labeling: PowerUserLabeling;
  split?: SplitOptions;
  search?: Partial<SearchOptions>;
  promotionMargin?: number;
}

/** The feature step: events snapshotted to BigQuery and the table of one labelled row per user. */
export interface PowerUserFeatures {
  events: number;
  users: number;
  powerUsers: number;
  /** The BigQuery table tabularTraining reads. */
  table: string;
}

export interface PowerUserTrainingReport {
  features: PowerUserFeatures;
  training: TabularReport;
}

/** The power-user search: the seed's four model families, each with its grid, x the four samplings. */
export const DEFAULT_POWER_USER_SEARCH: Partial<SearchOptions> = {
  kind: 'grid',
  trials: 1000,
  folds: 4,
  learners: ['knn', 'logistic', 'forest', 'boosting'],
};

export const DEFAULT_POWER_USER_SPLIT: SplitOptions = { kind: 'stratified', testShare: 0.2, seed: 0 };
