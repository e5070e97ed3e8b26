-- Every run ends in a final state, and listings can group and filter runs.
-- ingest_runs: a backfill is a run of its own and its days point at it; a day that landed no
-- rows carries a warning; the reconciler may record how a workflow really closed.
ALTER TABLE ingest_runs DROP CONSTRAINT ingest_runs_kind_check;
ALTER TABLE ingest_runs ADD CONSTRAINT ingest_runs_kind_check CHECK (kind IN ('daily', 'import', 'backfill'));
ALTER TABLE ingest_runs ADD COLUMN backfill_id text;
ALTER TABLE ingest_runs ADD COLUMN warning text;
CREATE INDEX ingest_runs_backfill ON ingest_runs (backfill_id, started_at DESC) WHERE backfill_id IS NOT NULL;
CREATE INDEX ingest_runs_started ON ingest_runs (started_at DESC, run_id DESC);
CREATE INDEX ingest_runs_open ON ingest_runs (run_id) WHERE ended_at IS NULL;

-- training_runs: a retrain of one series is a run too (its id is <workflow id>-<run id>, so each
-- retrain is its own run); as_of is known once the retrain has read its history.
ALTER TABLE training_runs ADD COLUMN kind text NOT NULL DEFAULT 'weekly' CHECK (kind IN ('weekly', 'retrain'));
ALTER TABLE training_runs ADD COLUMN workflow_id text;
ALTER TABLE training_runs ADD COLUMN workflow_run_id text;
ALTER TABLE training_runs ADD COLUMN store_id integer;
ALTER TABLE training_runs ADD COLUMN product text;
ALTER TABLE training_runs ALTER COLUMN as_of DROP NOT NULL;
ALTER TABLE training_runs DROP CONSTRAINT training_runs_status_check;
ALTER TABLE training_runs ADD CONSTRAINT training_runs_status_check
  CHECK (status IN ('running', 'done', 'failed', 'cancelled', 'terminated', 'timed_out'));
CREATE INDEX training_runs_started ON training_runs (started_at DESC, run_id DESC);
CREATE INDEX training_runs_open ON training_runs (run_id) WHERE ended_at IS NULL;
