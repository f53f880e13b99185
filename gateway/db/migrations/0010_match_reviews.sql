-- A person's decision on a pairing the reconciler only proposed (PROPOSED_MATCH): confirmed pairings
-- are taken before anything else, rejected ones are never made again. Like manual links, they are
-- inputs to every later run of the day; undoing one keeps the row (who, when, why) for the trail.
CREATE TABLE IF NOT EXISTS match_reviews (
  id             bigserial   PRIMARY KEY,
  business_date  date        NOT NULL,
  exception_key  text        NOT NULL,
  sale_key       text        NOT NULL,
  tender_no      integer     NOT NULL,
  payment_id     text        NOT NULL,
  decision       text        NOT NULL CHECK (decision IN ('confirmed', 'rejected')),
  reason         text        NOT NULL,
  actor          text        NOT NULL,
  at             timestamptz NOT NULL DEFAULT now(),
  undone_at      timestamptz,
  undone_by      text,
  undo_reason    text
);
CREATE UNIQUE INDEX IF NOT EXISTS match_reviews_pair ON match_reviews (sale_key, tender_no, payment_id) WHERE undone_at IS NULL;
CREATE INDEX IF NOT EXISTS match_reviews_day ON match_reviews (business_date) WHERE undone_at IS NULL;
