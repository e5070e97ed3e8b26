-- The UCI Air Quality readings (seed 001): one row per hour, the file's -200 stored as NULL. The hour
-- is the natural key: importing the same file again writes nothing twice, and a later file's reading
-- of an hour replaces the earlier one (its source and line say where it came from now).
CREATE TABLE air_quality (
  measured_at   timestamp PRIMARY KEY,  -- local time as the file writes it (it has no time zone)
  source        text NOT NULL,
  line          integer NOT NULL,
  co_gt         double precision,
  pt08_s1_co    double precision,
  nmhc_gt       double precision,
  c6h6_gt       double precision,
  pt08_s2_nmhc  double precision,
  nox_gt        double precision,
  pt08_s3_nox   double precision,
  no2_gt        double precision,
  pt08_s4_no2   double precision,
  pt08_s5_o3    double precision,
  t             double precision,
  rh            double precision,
  ah            double precision,
  loaded_at     timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX air_quality_source ON air_quality (source);

-- What the air-quality model trains on: the file's column names, the hour of day and ISO weekday
-- (1 Monday .. 7 Sunday) of each reading, and CO(GT) at the same hour the day before (the naive
-- baseline's prediction; NULL where that hour is missing).
CREATE VIEW air_quality_rows AS
SELECT to_char(a.measured_at, 'YYYY-MM-DD HH24:MI:SS') AS "DateTime",
       extract(hour FROM a.measured_at)::int AS "Hour",
       extract(isodow FROM a.measured_at)::int AS "Weekday",
       a.co_gt AS "CO(GT)", a.pt08_s1_co AS "PT08.S1(CO)", a.nmhc_gt AS "NMHC(GT)", a.c6h6_gt AS "C6H6(GT)",
       a.pt08_s2_nmhc AS "PT08.S2(NMHC)", a.nox_gt AS "NOx(GT)", a.pt08_s3_nox AS "PT08.S3(NOx)",
       a.no2_gt AS "NO2(GT)", a.pt08_s4_no2 AS "PT08.S4(NO2)", a.pt08_s5_o3 AS "PT08.S5(O3)",
       a.t AS "T", a.rh AS "RH", a.ah AS "AH",
       y.co_gt AS "CO(GT) same hour yesterday"
FROM air_quality a LEFT JOIN air_quality y ON y.measured_at = a.measured_at - interval '1 day';

-- The expanding monthly window of the air-quality training (seed 001's preprocessing): training on
-- every month from first_month up to the month before test_month, testing on test_month. Each run
-- moves test_month on by one month when the data has it.
CREATE TABLE air_quality_window (
  model        text PRIMARY KEY,
  first_month  text NOT NULL,            -- 'YYYY-MM'
  test_month   text NOT NULL,
  updated_at   timestamptz NOT NULL DEFAULT now()
);

-- Each run's window, recorded with the window's move in one transaction: a retried run finds its
-- own window here and moves nothing again.
CREATE TABLE air_quality_runs (
  run_id       text PRIMARY KEY,         -- the airQualityTraining workflow id
  model        text NOT NULL,
  first_month  text NOT NULL,
  test_month   text NOT NULL,
  advanced     boolean NOT NULL,
  note         text NOT NULL,
  created_at   timestamptz NOT NULL DEFAULT now()
);
