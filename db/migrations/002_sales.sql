-- Rossmann-format sales, the staging area the API writes events into, rejected rows with their
-- reasons, and one row per ingest run.
CREATE TABLE stores (
  store_id                      integer PRIMARY KEY,
  store_type                    text NOT NULL,
  assortment                    text NOT NULL,
  competition_distance          integer,
  competition_open_since_month  smallint,
  competition_open_since_year   smallint,
  promo2                        boolean NOT NULL,
  promo2_since_week             smallint,
  promo2_since_year             smallint,
  promo_interval                text,
  updated_at                    timestamptz NOT NULL DEFAULT now()
);

-- product is 'all' for the store-level Rossmann file; the generator can split stores into products.
CREATE TABLE sales (
  store_id        integer NOT NULL,
  product         text NOT NULL DEFAULT 'all',
  date            date NOT NULL,
  sales           integer NOT NULL CHECK (sales >= 0),
  customers       integer NOT NULL CHECK (customers >= 0),
  open            boolean NOT NULL,
  promo           boolean NOT NULL,
  state_holiday   char(1) NOT NULL CHECK (state_holiday IN ('0', 'a', 'b', 'c')),
  school_holiday  boolean NOT NULL,
  ingested_at     timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (store_id, product, date)
);
CREATE INDEX sales_date_idx ON sales (date);

-- Events as the API accepted them (shape-checked); dailyIngest validates them against the business rules.
CREATE TABLE sales_events (
  event_id     bigserial PRIMARY KEY,
  sale_date    date NOT NULL,
  payload      jsonb NOT NULL,
  source       text NOT NULL,
  received_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX sales_events_sale_date_idx ON sales_events (sale_date);

-- Every row that did not land, with where it came from and why. (source, line) is the natural key,
-- so a rerun records a rejection once.
CREATE TABLE rejected_rows (
  source       text NOT NULL,
  line         bigint NOT NULL,
  reason       text NOT NULL,
  raw          text NOT NULL,
  rejected_at  timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (source, line)
);

CREATE TABLE ingest_runs (
  run_id       text PRIMARY KEY,
  kind         text NOT NULL CHECK (kind IN ('daily', 'import')),
  sale_date    date,
  workflow_id  text,
  status       text NOT NULL,
  counts       jsonb NOT NULL DEFAULT '{}',
  durations_ms jsonb NOT NULL DEFAULT '{}',
  error        text,
  started_at   timestamptz NOT NULL DEFAULT now(),
  ended_at     timestamptz
);
