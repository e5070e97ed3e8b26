// What every tabular learner is (trees, forests, boosting, linear models, KNN): a pure function
// from rows of numbers (the dataset spec has already cleaned, imputed, encoded and scaled them)
// and a target to a model that is plain JSON, and a prediction from that JSON. Regression
// predicts the value; binary classification the probability of class 1 (targets are 0 or 1).

export type Task = 'regression' | 'binary';

/** Rows of features, all numbers: row i is x[i], feature j is x[i][j]. */
export type Features = readonly (readonly number[])[];

export interface FitOptions {
  task: Task;
  /** Seeds every random choice (bootstrap, feature and row subsampling, splits). */
  seed: number;
  /** Rows held out for early stopping, when the learner stops early. */
  validation?: { x: Features; y: readonly number[] };
  /** Called after each round of a learner that fits in rounds (boosting), with rounds done and at most. */
  onRound?: (done: number, of: number) => void;
}

/** A fitted model: its learner's name and parameters, JSON all the way down (trees as arrays). */
export interface TabularModel<P = unknown> {
  learner: string;
  task: Task;
  /** Number of features it was fitted on. */
  features: number;
  params: P;
}

export interface Learner<H = Record<string, unknown>, P = unknown> {
  name: string;
  /** The hyperparameters used when a trial gives none. */
  defaults: H;
  fit(x: Features, y: readonly number[], hyper: H, options: FitOptions): TabularModel<P>;
  predict(model: TabularModel<P>, x: Features): number[];
  /**
   * Share of the training rows the learner holds out to stop early on when options.validation is
   * not given (0: none). An oversampled training set is split before oversampling, so no copy of a
   * held-out row is fitted (evaluate.ts).
   */
  heldOutShare?(hyper: H): number;
  /** Importance of each feature, summing to 1, where the learner has one (trees). */
  importances?(model: TabularModel<P>): number[];
}
