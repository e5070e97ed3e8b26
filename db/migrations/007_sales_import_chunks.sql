-- A bulk import (the importSales workflow) loads its file in chunks. Each chunk's rows, its
-- rejections and its row here commit in one transaction: a chunk retried after a crash finds its
-- row and returns the summary it recorded instead of loading anything twice.
CREATE TABLE sales_import_chunks (
  import_id    text NOT NULL,
  chunk        integer NOT NULL,
  summary      jsonb NOT NULL,
  finished_at  timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (import_id, chunk)
);
