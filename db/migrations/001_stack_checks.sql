-- One row per stackCheck run: proves the workflow reached Postgres.
CREATE TABLE stack_checks (
  check_id   text PRIMARY KEY,
  checked_at timestamptz NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);
