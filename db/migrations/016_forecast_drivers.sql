-- Each stored forecast day's drivers as the engine computed them (its level and the factor of weekday,
-- promo, holiday, closure, month, season), served by GET /v1/forecasts; null on a closed day, for an
-- engine that cannot say, and on the days stored before.
ALTER TABLE forecast_results ADD COLUMN IF NOT EXISTS drivers jsonb;
