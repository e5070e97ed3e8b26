-- The calendar planners know for coming days (POST /v1/calendar, or Kaggle's test.csv through the
-- importer): per store and date. Forecasts use it for the days it covers. Keyed by (store, date), so
-- sending or importing a plan again writes nothing twice, and a later plan of a day replaces it.
CREATE TABLE planned_calendar (
  store_id        integer NOT NULL REFERENCES stores (store_id),
  date            date NOT NULL,
  open            boolean NOT NULL,
  promo           boolean NOT NULL,
  state_holiday   text NOT NULL CHECK (state_holiday IN ('0', 'a', 'b', 'c')),
  school_holiday  boolean NOT NULL,
  source          text NOT NULL,  -- who stated it: api:<key name>, or import:<file>
  updated_at      timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (store_id, date)
);
