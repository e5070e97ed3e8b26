-- GA4-like e-commerce events (seed 003, power users): one row per event, keyed by its id, so
-- loading the same events again writes nothing twice. Online Retail invoices join them in the
-- warehouse as purchase events (platform/powerUserWarehouse.ts); they are not copied here.
CREATE TABLE ga4_events (
  event_id        text PRIMARY KEY,
  user_id         text NOT NULL,
  session_id      text NOT NULL,
  -- Local time without zone, as GA4's export and the Online Retail file give it.
  event_time      timestamp NOT NULL,
  event_name      text NOT NULL CHECK (event_name IN ('session_start', 'page_view', 'add_to_cart', 'purchase')),
  items           integer NOT NULL DEFAULT 0 CHECK (items >= 0),
  -- USD, exactly as written.
  revenue         numeric NOT NULL DEFAULT 0,
  traffic_source  text,
  device          text,
  country         text,
  loaded_at       timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX ga4_events_time ON ga4_events (event_time);
