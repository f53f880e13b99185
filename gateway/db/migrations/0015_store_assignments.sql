-- A record no store could be given (its file names none, no matched record of its account or device
-- tells), assigned to a store by a person: the reconciler takes the assignment as the record's store.
-- A later assignment of the same record replaces the earlier one; each is in the audit trail.
CREATE TABLE IF NOT EXISTS payment_store_assignments (
  payment_id   bigint      PRIMARY KEY,
  store_id     text        NOT NULL,
  reason       text        NOT NULL,
  actor        text        NOT NULL,
  at           timestamptz NOT NULL DEFAULT now()
);
