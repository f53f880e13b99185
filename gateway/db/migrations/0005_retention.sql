-- Retention. Personal data is kept no longer than its purpose needs (PDPO, DPP2(2)): after the
-- configured period (90 days by default) the raw webhook bodies, the masked card / Octopus numbers and
-- buyer ids of payments, the addresses in sign-in attempts and DingTalk callback bodies are erased.
-- The business records an auditor needs (sales, tenders, payments' amounts and references, the
-- ledger, reports, resolutions, the audit trail) are never purged: the Inland Revenue Ordinance s.51C
-- wants them kept for at least 7 years.

-- an inbox row keeps its id, event id and body hash (so a repeat is still recognised) without the body
ALTER TABLE inbox_events ALTER COLUMN body_enc DROP NOT NULL, ALTER COLUMN key_id DROP NOT NULL, ADD COLUMN purged_at timestamptz;
ALTER TABLE inbox_events ADD CONSTRAINT inbox_events_body_until_purged CHECK ((body_enc IS NULL) = (purged_at IS NOT NULL) AND (purged_at IS NULL OR status <> 'pending'));
-- only rows not yet purged: small, and exactly what the daily purge looks for
CREATE INDEX inbox_events_unpurged ON inbox_events (received_at) WHERE purged_at IS NULL;

-- a settlement file's personal data is purged whole, in one transaction
ALTER TABLE imports ADD COLUMN pii_purged_at timestamptz;
CREATE INDEX imports_pii_unpurged ON imports (started_at) WHERE pii_purged_at IS NULL AND status = 'imported';

-- what each purge did, for the auditor and for the operator
CREATE TABLE retention_runs (
  id            bigserial   PRIMARY KEY,
  started_at    timestamptz NOT NULL DEFAULT now(),
  finished_at   timestamptz,
  cutoff        timestamptz NOT NULL,
  purged        jsonb       NOT NULL DEFAULT '{}'
);
