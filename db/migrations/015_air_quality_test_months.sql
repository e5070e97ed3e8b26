-- Each airQualityTraining run's test month, scored: the model's RMSE and MAE beside the naive
-- same-hour-yesterday baseline's, the window's months and row counts, what the search chose and the
-- version it registered (what the page's air-quality view shows, per run and pooled). Keyed by the
-- run: a retried or rerun run writes its row once.
CREATE TABLE air_quality_test_months (
  run_id              text PRIMARY KEY,       -- the airQualityTraining workflow id (air_quality_runs)
  model               text NOT NULL,
  first_month         text NOT NULL,          -- 'YYYY-MM': training from this month
  test_month          text NOT NULL,          -- to the month before this one, which is tested
  advanced            boolean NOT NULL,       -- false: no new month, the same window retrained
  train_rows          integer NOT NULL,
  test_rows           integer NOT NULL,
  version             integer NOT NULL,
  label               text NOT NULL,          -- the version's US/Eastern timestamp label
  promoted            boolean NOT NULL,
  learner             text NOT NULL,          -- the search's choice
  feature_set         text,                   -- 'sensors' or 'all'
  params              jsonb NOT NULL,
  rmse                double precision NOT NULL,
  mae                 double precision NOT NULL,
  baseline_rmse       double precision NOT NULL,
  baseline_mae        double precision NOT NULL,
  baseline_fallbacks  integer NOT NULL,       -- test rows without the day before's reading
  created_at          timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX air_quality_test_months_month ON air_quality_test_months (model, test_month);
