-- What the movement sinks have been told about each POS stock movement. A movement is provisional when
-- posted (seq 0, no row); each reconciliation run that changes its standing — verified, disputed (an
-- exception other than a settlement not yet due keeps it in doubt), back to provisional, voided —
-- moves it to the next seq, in the run's transaction, with an outbox row per sink keyed by that seq:
-- every change is told exactly once, a run that changes nothing tells nothing.
CREATE TABLE movement_standing (
  movement_id   bigint      PRIMARY KEY REFERENCES stock_movements (id),
  business_date date        NOT NULL,
  status        text        NOT NULL CHECK (status IN ('provisional', 'verified', 'disputed', 'voided')),
  seq           integer     NOT NULL CHECK (seq > 0),
  run_id        bigint      NOT NULL REFERENCES recon_runs (id),
  changed_at    timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX movement_standing_day ON movement_standing (business_date);
