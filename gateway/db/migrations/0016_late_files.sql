-- Files that did not come by their due time (reconciler/late-files.ts): kept while late, with when
-- finance was alerted (once per file) and when the file came. The calendar shows a store-day's late
-- files; the alert names what is missing.
CREATE TABLE IF NOT EXISTS late_files (
  business_date  date        NOT NULL,
  provider       text        NOT NULL,
  store_id       text        NOT NULL,
  terminal_id    text        NOT NULL DEFAULT '',
  due_at         timestamptz NOT NULL,
  found_at       timestamptz NOT NULL DEFAULT now(),
  arrived_at     timestamptz,
  PRIMARY KEY (business_date, provider, store_id, terminal_id)
);
CREATE INDEX IF NOT EXISTS late_files_waiting ON late_files (business_date) WHERE arrived_at IS NULL;
