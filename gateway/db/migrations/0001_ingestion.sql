-- Ingestion: raw POS events (inbox), the sales they describe, provisional stock movements, and the
-- settlement files with their payment records. Money is bigint cents; instants are timestamptz; business
-- days are dates computed by the application (connectors/_shared/time.ts) with the store's cut-off.

CREATE TABLE inbox_events (
  id            bigserial PRIMARY KEY,
  connector     text        NOT NULL,
  event_id      text        NOT NULL,
  body_sha256   bytea       NOT NULL,
  -- the raw delivery, AES-256-GCM encrypted (it may carry customer data); key id kept for rotation
  body_enc      bytea       NOT NULL,
  key_id        text        NOT NULL,
  -- the few non-secret headers normalisation needs (e.g. Shopify's topic)
  headers       jsonb       NOT NULL DEFAULT '{}',
  received_at   timestamptz NOT NULL DEFAULT now(),
  status        text        NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'processed', 'rejected', 'ignored')),
  error         text,
  processed_at  timestamptz,
  UNIQUE (connector, event_id)
);

CREATE TABLE sales (
  id            bigserial PRIMARY KEY,
  vendor        text        NOT NULL,
  sale_id       text        NOT NULL,
  kind          text        NOT NULL CHECK (kind IN ('sale', 'refund')),
  refund_of     text,
  store_id      text        NOT NULL,
  terminal_id   text,
  receipt_no    text,
  occurred_at   timestamptz NOT NULL,
  business_date date        NOT NULL,
  lines_total   bigint      NOT NULL,
  tenders_total bigint      NOT NULL,
  rounding      bigint      NOT NULL CHECK (tenders_total - lines_total = rounding),
  event_id      text        NOT NULL,
  created_at    timestamptz NOT NULL DEFAULT now(),
  UNIQUE (vendor, sale_id)
);
CREATE INDEX sales_day_store ON sales (business_date, store_id);

CREATE TABLE sale_lines (
  sale_pk       bigint      NOT NULL REFERENCES sales (id),
  line_no       integer     NOT NULL,
  sku           text        NOT NULL,
  qty           numeric(14, 3) NOT NULL CHECK (qty > 0),
  unit_price    bigint      NOT NULL,
  discount      bigint      NOT NULL,
  amount        bigint      NOT NULL,
  location_id   text        NOT NULL,
  PRIMARY KEY (sale_pk, line_no)
);

CREATE TABLE sale_tenders (
  sale_pk         bigint    NOT NULL REFERENCES sales (id),
  tender_no       integer   NOT NULL,
  method          text      NOT NULL CHECK (method IN ('cash', 'alipayhk', 'octopus', 'card', 'fps', 'other')),
  amount          bigint    NOT NULL,
  reference       text,
  provider_txn_id text,
  PRIMARY KEY (sale_pk, tender_no)
);
CREATE INDEX sale_tenders_reference ON sale_tenders (reference) WHERE reference IS NOT NULL;

-- A void may arrive before the sale it voids (at least once, out of order): it is kept here and
-- applied whenever the sale shows up.
CREATE TABLE sale_voids (
  vendor        text        NOT NULL,
  sale_id       text        NOT NULL,
  event_id      text        NOT NULL,
  occurred_at   timestamptz NOT NULL,
  received_at   timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (vendor, sale_id)
);

CREATE TABLE stock_movements (
  id            bigserial PRIMARY KEY,
  sku           text        NOT NULL,
  location_id   text        NOT NULL,
  qty           numeric(14, 3) NOT NULL CHECK (qty <> 0),
  reason        text        NOT NULL CHECK (reason IN ('sale', 'return', 'void', 'transfer_out', 'transfer_in', 'receipt', 'adjustment', 'stock_take')),
  source_type   text        NOT NULL,
  source_id     text        NOT NULL,
  source_line   integer     NOT NULL,
  status        text        NOT NULL DEFAULT 'provisional' CHECK (status IN ('provisional', 'verified', 'disputed')),
  actor         text        NOT NULL,
  occurred_at   timestamptz NOT NULL,
  business_date date        NOT NULL,
  created_at    timestamptz NOT NULL DEFAULT now(),
  -- one movement per source line and reason: a repeated or late event can never post twice
  UNIQUE (source_type, source_id, source_line, reason)
);
CREATE INDEX stock_movements_sku_location ON stock_movements (sku, location_id);

CREATE TABLE imports (
  id            bigserial PRIMARY KEY,
  sha256        text        NOT NULL,
  filename      text,
  bytes         bigint      NOT NULL,
  source        text        NOT NULL CHECK (source IN ('upload', 'cli')),
  -- 'processing' only ever exists inside the import's own transaction
  status        text        NOT NULL CHECK (status IN ('processing', 'imported', 'refused')),
  provider      text,
  layout        text,
  file_kind     text,
  encoding      text,
  profile       text,
  lines         integer,
  records       integer,
  batches       integer,
  by_type       jsonb,
  controls      jsonb,
  error_code    text,
  message       text,
  issues        jsonb,
  issue_count   integer,
  started_at    timestamptz NOT NULL DEFAULT now(),
  finished_at   timestamptz
);
-- the same bytes are imported at most once
CREATE UNIQUE INDEX imports_sha256_imported ON imports (sha256) WHERE status = 'imported';

-- payments.import_id (and settlement_batches.import_id) name their import without a foreign key: rows
-- are only ever written by COPY in the same transaction that creates their import, imports are never
-- deleted, and a per-row RI check took 4 of the 9 seconds of a 1M-row import.
CREATE TABLE payments (
  id                       bigserial PRIMARY KEY,
  import_id                bigint      NOT NULL,
  line_no                  integer     NOT NULL,
  provider                 text        NOT NULL,
  layout                   text        NOT NULL,
  file_kind                text        NOT NULL,
  provider_txn_id          text,
  merchant_ref             text,
  original_ref             text,
  original_provider_txn_id text,
  type                     text        NOT NULL CHECK (type IN ('payment', 'refund', 'cancel', 'reversal', 'add_value', 'fee', 'adjustment')),
  gross                    bigint      NOT NULL,
  fee                      bigint      NOT NULL,
  net                      bigint      NOT NULL CHECK (net = gross - fee),
  currency                 char(3)     NOT NULL,
  paid_at                  timestamptz,
  business_date            date,
  settlement_date          date,
  batch_id                 text,
  store_id                 text,
  device_id                text,
  -- masked card / buyer id, AES-256-GCM encrypted
  card_enc                 bytea,
  card_key_id              text,
  status                   text,
  remarks                  text,
  -- soft findings such as amount_not_multiple_of_10_cents; NULL when there are none (most rows), which
  -- spares COPY an array parse per row
  flags                    text[]
);
-- Rows arrive file by file, so import id and business day follow the physical order: BRIN indexes find
-- them for a fraction of a B-tree's insert cost. Matching loads a day into memory and needs no more.
CREATE INDEX payments_import ON payments USING brin (import_id);
CREATE INDEX payments_business_date ON payments USING brin (business_date);

CREATE TABLE settlement_batches (
  import_id     bigint      NOT NULL,
  line_no       integer     NOT NULL,
  provider      text        NOT NULL,
  batch_id      text        NOT NULL,
  settled_at    timestamptz,
  gross         bigint      NOT NULL,
  fee           bigint      NOT NULL,
  net           bigint      NOT NULL CHECK (net = gross - fee),
  currency      char(3)     NOT NULL,
  PRIMARY KEY (import_id, line_no)
);
CREATE INDEX settlement_batches_batch ON settlement_batches (provider, batch_id);
