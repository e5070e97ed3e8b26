-- Customer segmentation: its runs, the features a run computed in BigQuery (copied here so the k
-- fits read them without the warehouse), and every customer's segment per registry version.
-- Each table is keyed so that writing the same run or version again updates in place.
CREATE TABLE segmentation_runs (
  run_id         text PRIMARY KEY,           -- the workflow id
  workflow_run_id text,
  status         text NOT NULL
    CHECK (status IN ('running', 'done', 'failed', 'cancelled', 'terminated', 'timed_out')),
  stage          text NOT NULL,
  as_of          date,
  options        jsonb NOT NULL,
  counts         jsonb NOT NULL DEFAULT '{}',
  snapshot       jsonb,                      -- SegmentationSnapshot: cleaning counts, snapshot date
  by_k           jsonb,                      -- SegmentCountFit per k, without centroids
  k              integer,
  model_version  integer,
  registration   jsonb,                      -- SegmentationRegistration: promotion and segment changes
  error          text,
  started_at     timestamptz NOT NULL DEFAULT now(),
  ended_at       timestamptz
);
CREATE INDEX segmentation_runs_started ON segmentation_runs (started_at DESC, run_id DESC);

CREATE TABLE customer_features (
  run_id              text NOT NULL,
  customer_id         text NOT NULL,
  recency             integer NOT NULL,
  frequency           integer NOT NULL,
  monetary            double precision NOT NULL,
  tenure              integer NOT NULL,
  interpurchase_time  double precision NOT NULL,
  PRIMARY KEY (run_id, customer_id)
);

CREATE TABLE customer_segments (
  model_version  integer NOT NULL,
  customer_id    text NOT NULL,
  segment        integer NOT NULL,
  run_id         text NOT NULL,
  PRIMARY KEY (model_version, customer_id)
);
CREATE INDEX customer_segments_customer ON customer_segments (customer_id, model_version DESC);
