-- Accounts: people (passwords hashed with Argon2id), their sessions (only a hash of the cookie's token
-- is stored), API keys per integration (hashed, revocable), login attempts (for rate limiting), the
-- audit trail (append-only), and the resolutions people record on reconciliation exceptions.

CREATE TABLE users (
  id            bigserial   PRIMARY KEY,
  username      text        NOT NULL UNIQUE CHECK (username ~ '^[a-z0-9._-]{2,64}$'),
  display_name  text        NOT NULL,
  password_hash text        NOT NULL,
  role          text        NOT NULL CHECK (role IN ('owner', 'finance', 'store_manager', 'pos_vendor', 'auditor')),
  -- the stores (ledger locations) a store manager sees; NULL for every other role
  stores        text[],
  active        boolean     NOT NULL DEFAULT true,
  created_at    timestamptz NOT NULL DEFAULT now(),
  CHECK ((role = 'store_manager') = (stores IS NOT NULL))
);

CREATE TABLE sessions (
  token_hash    bytea       PRIMARY KEY,
  user_id       bigint      NOT NULL REFERENCES users (id),
  csrf          text        NOT NULL,
  created_at    timestamptz NOT NULL DEFAULT now(),
  expires_at    timestamptz NOT NULL,
  last_seen_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX sessions_user ON sessions (user_id);

CREATE TABLE api_keys (
  id            bigserial   PRIMARY KEY,
  name          text        NOT NULL,
  role          text        NOT NULL CHECK (role IN ('owner', 'finance', 'store_manager', 'pos_vendor', 'auditor')),
  stores        text[],
  key_hash      bytea       NOT NULL UNIQUE,
  -- the first characters, to recognise a key in a list without storing it
  prefix        text        NOT NULL,
  created_by    text        NOT NULL,
  created_at    timestamptz NOT NULL DEFAULT now(),
  revoked_at    timestamptz,
  last_used_at  timestamptz,
  CHECK ((role = 'store_manager') = (stores IS NOT NULL))
);

CREATE TABLE login_attempts (
  username  text        NOT NULL,
  ip        text        NOT NULL,
  ok        boolean     NOT NULL,
  at        timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX login_attempts_recent ON login_attempts (username, at);
CREATE INDEX login_attempts_ip ON login_attempts (ip, at);

CREATE TABLE audit_log (
  id       bigserial   PRIMARY KEY,
  at       timestamptz NOT NULL DEFAULT now(),
  actor    text        NOT NULL,
  action   text        NOT NULL,
  target   text        NOT NULL,
  reason   text,
  details  jsonb       NOT NULL DEFAULT '{}'
);
CREATE INDEX audit_log_target ON audit_log (target, at);
CREATE TRIGGER audit_log_no_update BEFORE UPDATE OR DELETE ON audit_log FOR EACH ROW EXECUTE FUNCTION ledger_append_only();
CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log FOR EACH STATEMENT EXECUTE FUNCTION ledger_append_only();

-- A difference accepted (write-off: fee, rounding, goodwill), keyed by the exception's identity; a
-- re-open ends it (undone_at) and a new resolution may follow.
CREATE TABLE exception_resolutions (
  id             bigserial   PRIMARY KEY,
  business_date  date        NOT NULL,
  exception_key  text        NOT NULL,
  action         text        NOT NULL CHECK (action IN ('write_off')),
  category       text        NOT NULL CHECK (category IN ('fee', 'rounding', 'goodwill')),
  reason         text        NOT NULL,
  actor          text        NOT NULL,
  at             timestamptz NOT NULL DEFAULT now(),
  undone_at      timestamptz,
  undone_by      text,
  undo_reason    text
);
CREATE UNIQUE INDEX exception_resolutions_open ON exception_resolutions (business_date, exception_key) WHERE undone_at IS NULL;

-- A payment linked to a sale's tender by hand; the reconciler pairs these before anything else.
CREATE TABLE manual_links (
  id             bigserial   PRIMARY KEY,
  business_date  date        NOT NULL,
  sale_key       text        NOT NULL,
  tender_no      integer     NOT NULL,
  payment_id     text        NOT NULL,
  reason         text        NOT NULL,
  actor          text        NOT NULL,
  at             timestamptz NOT NULL DEFAULT now(),
  undone_at      timestamptz,
  undone_by      text,
  undo_reason    text
);
CREATE UNIQUE INDEX manual_links_tender ON manual_links (sale_key, tender_no) WHERE undone_at IS NULL;
CREATE UNIQUE INDEX manual_links_payment ON manual_links (payment_id) WHERE undone_at IS NULL;

-- A store-day's written-off exceptions per code, beside the open ones (the calendar shows both).
ALTER TABLE recon_store_days ADD COLUMN resolved jsonb NOT NULL DEFAULT '{}';
