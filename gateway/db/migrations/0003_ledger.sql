-- The inventory ledger and the forwarding around it.
--   ledger_movements: append-only, one hash chain per location (each row carries the previous row's
--     hash); UPDATE, DELETE and TRUNCATE raise. Corrections are new movements with an actor and reason.
--   outbox: every movement and every alert to forward, written in the transaction of the change that
--     caused it; delivered by pg-boss workers, each (sink, key) at most once.
-- Quantities are numeric(14,3) (a shop sells 0.25 kg of tea); money stays bigint cents.

CREATE TABLE locations (
  id          text        PRIMARY KEY,
  name        text        NOT NULL,
  kind        text        NOT NULL CHECK (kind IN ('central', 'store', 'temporary')),
  active      boolean     NOT NULL DEFAULT true,
  created_at  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE skus (
  sku         text        PRIMARY KEY,
  name        text        NOT NULL,
  supplier    text,
  unit_cost   bigint      CHECK (unit_cost >= 0),
  created_at  timestamptz NOT NULL DEFAULT now()
);

-- The chain head of each location: the last sequence number and hash, locked while appending.
CREATE TABLE ledger_heads (
  location_id text        PRIMARY KEY REFERENCES locations (id),
  seq         bigint      NOT NULL,
  hash        bytea       NOT NULL
);

CREATE TABLE ledger_movements (
  id                 bigserial   PRIMARY KEY,
  location_id        text        NOT NULL REFERENCES locations (id),
  seq                bigint      NOT NULL,
  sku                text        NOT NULL,
  qty                numeric(14, 3) NOT NULL CHECK (qty <> 0),
  reason             text        NOT NULL CHECK (reason IN ('sale', 'return', 'void', 'transfer_out', 'transfer_in', 'receipt', 'adjustment', 'stock_take', 'opening')),
  -- what caused it: a POS movement (stock_movements.id), a transfer, a stock-take, a purchase order, an import
  source_type        text        NOT NULL,
  source_id          text        NOT NULL,
  -- posted once: a redelivered or redriven movement finds its key taken
  idempotency_key    text        NOT NULL UNIQUE,
  -- the other half of a transfer
  transfer_id        bigint,
  actor              text        NOT NULL,
  note               text,
  occurred_at        timestamptz NOT NULL,
  posted_at          timestamptz NOT NULL DEFAULT now(),
  prev_hash          bytea       NOT NULL,
  hash               bytea       NOT NULL,
  UNIQUE (location_id, seq)
);
CREATE INDEX ledger_movements_sku_location ON ledger_movements (sku, location_id, occurred_at);
CREATE INDEX ledger_movements_source ON ledger_movements (source_type, source_id);

CREATE FUNCTION ledger_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'ledger movements are append-only: % is not allowed; post a compensating movement', TG_OP
    USING ERRCODE = 'insufficient_privilege';
END $$;
CREATE TRIGGER ledger_movements_no_update BEFORE UPDATE OR DELETE ON ledger_movements FOR EACH ROW EXECUTE FUNCTION ledger_append_only();
CREATE TRIGGER ledger_movements_no_truncate BEFORE TRUNCATE ON ledger_movements FOR EACH STATEMENT EXECUTE FUNCTION ledger_append_only();

CREATE TABLE transfers (
  id             bigserial   PRIMARY KEY,
  from_location  text        NOT NULL REFERENCES locations (id),
  to_location    text        NOT NULL REFERENCES locations (id) CHECK (to_location <> from_location),
  actor          text        NOT NULL,
  note           text,
  request_key    text        UNIQUE,
  created_at     timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE stock_takes (
  id           bigserial   PRIMARY KEY,
  location_id  text        NOT NULL REFERENCES locations (id),
  status       text        NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'posted', 'cancelled')),
  opened_by    text        NOT NULL,
  opened_at    timestamptz NOT NULL DEFAULT now(),
  -- on-hand is compared as of this instant, so sales during the count are not counted twice
  as_of        timestamptz NOT NULL DEFAULT now(),
  closed_by    text,
  closed_at    timestamptz,
  reason       text
);
CREATE TABLE stock_take_counts (
  stock_take_id bigint         NOT NULL REFERENCES stock_takes (id),
  sku           text           NOT NULL,
  counted       numeric(14, 3) NOT NULL CHECK (counted >= 0),
  counted_by    text           NOT NULL,
  counted_at    timestamptz    NOT NULL DEFAULT now(),
  PRIMARY KEY (stock_take_id, sku)
);

CREATE TABLE outbox (
  id            bigserial   PRIMARY KEY,
  sink          text        NOT NULL,
  topic         text        NOT NULL,
  key           text        NOT NULL,
  payload       jsonb       NOT NULL,
  status        text        NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'delivered', 'dead')),
  attempts      integer     NOT NULL DEFAULT 0,
  last_error    text,
  created_at    timestamptz NOT NULL DEFAULT now(),
  delivered_at  timestamptz,
  UNIQUE (sink, key)
);
CREATE INDEX outbox_pending ON outbox (sink, id) WHERE status = 'pending';
CREATE INDEX outbox_dead ON outbox (sink, id) WHERE status = 'dead';

-- Messages sent to each DingTalk robot, to stay under its 20-a-minute limit across processes.
CREATE TABLE dingtalk_sends (
  robot    text        NOT NULL,
  sent_at  timestamptz NOT NULL DEFAULT now(),
  outbox   bigint[]    NOT NULL
);
CREATE INDEX dingtalk_sends_recent ON dingtalk_sends (robot, sent_at);

-- Replenishment: per SKU and location a minimum, and a reorder point (fixed, or from sales velocity).
CREATE TABLE thresholds (
  sku            text        NOT NULL,
  location_id    text        NOT NULL REFERENCES locations (id),
  min_level      numeric(14, 3) NOT NULL DEFAULT 0 CHECK (min_level >= 0),
  reorder_point  numeric(14, 3) CHECK (reorder_point >= 0),
  lookback_days  integer     NOT NULL DEFAULT 28 CHECK (lookback_days BETWEEN 1 AND 365),
  lead_days      integer     NOT NULL DEFAULT 3 CHECK (lead_days BETWEEN 0 AND 180),
  safety_days    integer     NOT NULL DEFAULT 2 CHECK (safety_days BETWEEN 0 AND 180),
  reorder_qty    numeric(14, 3) CHECK (reorder_qty > 0),
  responsible_mobile text,
  responsible_user   text,
  updated_at     timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (sku, location_id)
);

-- One alert per episode: opened when on-hand falls to the reorder point, closed when restocked above it.
CREATE TABLE low_stock_episodes (
  id           bigserial   PRIMARY KEY,
  sku          text        NOT NULL,
  location_id  text        NOT NULL,
  on_hand      numeric(14, 3) NOT NULL,
  reorder_point numeric(14, 3) NOT NULL,
  opened_at    timestamptz NOT NULL DEFAULT now(),
  closed_at    timestamptz
);
CREATE UNIQUE INDEX low_stock_episodes_open ON low_stock_episodes (sku, location_id) WHERE closed_at IS NULL;

CREATE TABLE purchase_orders (
  id              bigserial   PRIMARY KEY,
  supplier        text        NOT NULL,
  location_id     text        NOT NULL REFERENCES locations (id),
  status          text        NOT NULL DEFAULT 'draft' CHECK (status IN ('draft', 'pending_approval', 'approved', 'rejected', 'received', 'cancelled')),
  approval_instance_id text   UNIQUE,
  created_at      timestamptz NOT NULL DEFAULT now(),
  submitted_at    timestamptz,
  decided_at      timestamptz,
  decided_by      text,
  received_at     timestamptz,
  received_by     text
);
-- at most one draft per supplier and location: new needs are added to it
CREATE UNIQUE INDEX purchase_orders_one_draft ON purchase_orders (supplier, location_id) WHERE status = 'draft';
CREATE TABLE purchase_order_lines (
  purchase_order_id bigint      NOT NULL REFERENCES purchase_orders (id),
  sku               text        NOT NULL,
  qty               numeric(14, 3) NOT NULL CHECK (qty > 0),
  received_qty      numeric(14, 3),
  PRIMARY KEY (purchase_order_id, sku)
);

-- DingTalk callbacks, kept raw (decrypted) and keyed so a redelivered event acts once.
CREATE TABLE dingtalk_events (
  event_key    text        PRIMARY KEY,
  event_type   text        NOT NULL,
  body         jsonb       NOT NULL,
  received_at  timestamptz NOT NULL DEFAULT now()
);
