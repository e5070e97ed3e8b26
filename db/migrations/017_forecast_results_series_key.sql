-- forecast_results is written a shard at a time by COPY (platform/registry.ts) and read a series at
-- a time (GET /v1/forecasts: the series' runs, then one run's days). One key, series first, serves
-- both reads and a retried shard's delete of its rows; the (run_id, ...) key and the
-- (store_id, product, created_at) index cost every written row two index entries more. A count by
-- run_id alone (tests, bench/chaos.ts) now scans the table.
-- drivers only ever travels whole, so json (kept as sent) rather than jsonb (parsed on every write).
-- Indexes dropped first, so the column's rewrite rebuilds none and the key is built once.
ALTER TABLE forecast_results DROP CONSTRAINT forecast_results_pkey;
DROP INDEX forecast_results_series;
ALTER TABLE forecast_results ALTER COLUMN drivers TYPE json USING drivers::json;
ALTER TABLE forecast_results ADD PRIMARY KEY (store_id, product, run_id, forecast_date);
