-- Online Retail transactions (the UCI file, Spark's daily files) as their files have them, dirt
-- included: the segmentation's cleaning counts and drops blanks, cancellations, bad prices and
-- exact duplicates itself. The natural key is where a line came from, (source, line): a rerun of
-- a file writes nothing twice, while the file's exact duplicate lines (5,268 in the real file)
-- stay one row each, as the cleaning must see them. A key on the values would merge them.
CREATE TABLE transactions (
  source        text NOT NULL,
  line          integer NOT NULL,
  invoice_no    text NOT NULL,
  stock_code    text NOT NULL,
  description   text,
  quantity      integer NOT NULL,
  -- Local time as the file writes it: the file has no time zone.
  invoice_date  timestamp NOT NULL,
  -- numeric: the file's decimals exactly, whatever their number.
  unit_price    numeric NOT NULL,
  customer_id   integer,
  country       text NOT NULL,
  loaded_at     timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (source, line)
);
CREATE INDEX transactions_invoice_date_idx ON transactions (invoice_date);
