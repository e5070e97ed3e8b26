-- Tabular models (seed 002 BigMart first): training runs, every hyperparameter trial of a run, and
-- batch predictions. Versions live in the registry (models.kind = 'tabular'). Each table is keyed
-- so that writing the same run, trial or prediction again updates in place.
CREATE TABLE tabular_runs (
  run_id           text PRIMARY KEY,         -- the workflow id
  workflow_run_id  text,
  model            text NOT NULL,            -- the registry model, e.g. 'bigmart'
  status           text NOT NULL
    CHECK (status IN ('running', 'done', 'failed', 'cancelled', 'terminated', 'timed_out')),
  stage            text NOT NULL,
  options          jsonb NOT NULL,
  counts           jsonb NOT NULL DEFAULT '{}',
  best             jsonb,                    -- the best trial so far: number, learner, metric
  model_version    integer,
  registration     jsonb,                    -- promotion against the champion, on the same test rows
  error            text,
  started_at       timestamptz NOT NULL DEFAULT now(),
  ended_at         timestamptz
);
CREATE INDEX tabular_runs_model ON tabular_runs (model, started_at DESC);

CREATE TABLE tabular_trials (
  run_id      text NOT NULL,
  trial       integer NOT NULL,
  learner     text NOT NULL,
  params      jsonb NOT NULL,
  metrics     jsonb NOT NULL,               -- cross-validation: mean and std of each metric
  seconds     double precision NOT NULL,
  created_at  timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (run_id, trial)
);

CREATE TABLE tabular_predictions (
  model          text NOT NULL,
  model_version  integer NOT NULL,
  dataset        text NOT NULL,              -- what was scored, e.g. the Test.csv's GCS object
  row_key        text NOT NULL,              -- the row's identity in it (BigMart: item and outlet)
  prediction     double precision NOT NULL,
  created_at     timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (model, model_version, dataset, row_key)
);
