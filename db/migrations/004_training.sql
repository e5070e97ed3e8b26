-- The model registry, weekly training runs, and the forecasts they write.

CREATE TABLE training_runs (
  run_id       text PRIMARY KEY,             -- the workflow id
  status       text NOT NULL CHECK (status IN ('running', 'done', 'failed', 'cancelled')),
  as_of        date NOT NULL,
  engine       text NOT NULL,
  window_days  integer,                      -- null: the full history
  counts       jsonb NOT NULL DEFAULT '{}',
  metrics      jsonb NOT NULL DEFAULT '{}',
  error        text,
  started_at   timestamptz NOT NULL DEFAULT now(),
  ended_at     timestamptz
);

-- One model per forecast series (store, product); `name` is what versions hang on.
CREATE TABLE models (
  name        text PRIMARY KEY,
  kind        text NOT NULL,
  store_id    integer,
  product     text,
  created_at  timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX models_series ON models (store_id, product) WHERE kind = 'sales_forecast';

-- A version per training of a model. (model, training_run) is unique, so rerunning a run updates
-- its version instead of adding one; at most one version per model is in production.
CREATE TABLE model_versions (
  model         text NOT NULL REFERENCES models (name),
  version       integer NOT NULL,
  stage         text NOT NULL CHECK (stage IN ('production', 'staging', 'archived')),
  engine        text NOT NULL,
  params        jsonb NOT NULL,
  metrics       jsonb NOT NULL,
  training_run  text NOT NULL,
  created_at    timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (model, version),
  UNIQUE (model, training_run)
);
CREATE UNIQUE INDEX model_versions_one_production ON model_versions (model) WHERE stage = 'production';
CREATE INDEX model_versions_training_run ON model_versions (training_run);

CREATE TABLE forecast_results (
  run_id         text NOT NULL,
  store_id       integer NOT NULL,
  product        text NOT NULL,
  forecast_date  date NOT NULL,
  forecast       double precision NOT NULL,
  lower          double precision NOT NULL,
  upper          double precision NOT NULL,
  model          text NOT NULL,
  model_version  integer NOT NULL,
  created_at     timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (run_id, store_id, product, forecast_date)
);
CREATE INDEX forecast_results_series ON forecast_results (store_id, product, created_at DESC);

-- Series a run could not fit, with why (too short, no sales, closed for weeks).
CREATE TABLE training_failures (
  run_id    text NOT NULL,
  store_id  integer NOT NULL,
  product   text NOT NULL,
  reason    text NOT NULL,
  PRIMARY KEY (run_id, store_id, product)
);
