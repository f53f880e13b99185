-- Reconciliation runs. A run reconciles one HKT business day (every store at once: an AlipayHK record
-- names no store until it is matched) and stands for each store-day it reports. Re-running on the same
-- data gives the same report and writes nothing but the run's own log line.

-- A returned line that does not go back on the shelf moves no stock; the reconciler must know that
-- to tell such a line from a missing movement.
ALTER TABLE sale_lines ADD COLUMN restock boolean NOT NULL DEFAULT true;

-- One row per business day that has data or a run. `data_version` grows whenever new data for the
-- day lands (an import, a late POS event); a run records the version it read, so the day is re-opened
-- exactly when data_version > reconciled_version, and no new arrival can be lost between a run's
-- read and its write.
CREATE TABLE recon_days (
  business_date      date        PRIMARY KEY,
  data_version       bigint      NOT NULL DEFAULT 1,
  reconciled_version bigint      NOT NULL DEFAULT 0,
  -- the run whose report stands (NULL until the first run)
  run_id             bigint,
  digest             text,
  reopened_by        text,
  updated_at         timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE recon_runs (
  id            bigserial   PRIMARY KEY,
  business_date date        NOT NULL,
  trigger       text        NOT NULL CHECK (trigger IN ('manual', 'import', 'pos', 'schedule')),
  trigger_ref   text,
  as_of         date        NOT NULL,
  data_version  bigint      NOT NULL,
  -- changed: this run's report replaced the standing one; unchanged: same report, nothing written
  outcome       text        NOT NULL CHECK (outcome IN ('changed', 'unchanged')),
  digest        text        NOT NULL,
  sales         integer     NOT NULL,
  payments      integer     NOT NULL,
  matches       integer     NOT NULL,
  exceptions    integer     NOT NULL,
  started_at    timestamptz NOT NULL,
  finished_at   timestamptz NOT NULL DEFAULT now(),
  -- the contract §3 report (NULL when unchanged: the standing run's report is the same)
  report        jsonb
);
CREATE INDEX recon_runs_day ON recon_runs (business_date, id);

-- Per store and day: the status a calendar shows, from the standing run.
CREATE TABLE recon_store_days (
  business_date  date    NOT NULL,
  store_id       text    NOT NULL,
  run_id         bigint  NOT NULL REFERENCES recon_runs (id),
  status         text    NOT NULL CHECK (status IN ('balanced', 'pending', 'exceptions')),
  sales          integer NOT NULL,
  verified_sales integer NOT NULL,
  exceptions     jsonb   NOT NULL,
  PRIMARY KEY (business_date, store_id)
);

-- Exceptions with a stable identity (code and the ids that locate it), so that a later run keeps an
-- exception's history, clears it when the data explains it, and brings it back if it returns.
CREATE TABLE recon_exceptions (
  id             bigserial   PRIMARY KEY,
  business_date  date        NOT NULL,
  key            text        NOT NULL,
  code           text        NOT NULL,
  store_id       text,
  sale_id        text,
  payment_id     text,
  amount         bigint,
  body           jsonb       NOT NULL,
  first_run_id   bigint      NOT NULL REFERENCES recon_runs (id),
  last_run_id    bigint      NOT NULL REFERENCES recon_runs (id),
  cleared_run_id bigint      REFERENCES recon_runs (id),
  UNIQUE (business_date, key)
);
CREATE INDEX recon_exceptions_open ON recon_exceptions (business_date, store_id) WHERE cleared_run_id IS NULL;

-- Stock movements whose sale the reconciler verified (every non-cash tender paid, no exception).
-- Movements themselves are never updated: their status is provisional unless listed here.
CREATE TABLE movement_verifications (
  movement_id   bigint      PRIMARY KEY REFERENCES stock_movements (id),
  business_date date        NOT NULL,
  run_id        bigint      NOT NULL REFERENCES recon_runs (id),
  verified_at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX movement_verifications_day ON movement_verifications (business_date);
