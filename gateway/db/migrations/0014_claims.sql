-- Claims on a provider: money finance asks back for an exception (a duplicate listing, a chargeback, a
-- missing or short payout, a fee above its band). A claim moves open → sent → credited or rejected;
-- credited either by a person or by the later settlement record or bank credit that names it. One
-- standing claim per exception (a rejected one may be followed by another). Each move is in the audit
-- trail; a credited claim resolves its exception in the day's report.
CREATE TABLE IF NOT EXISTS claims (
  id             bigserial   PRIMARY KEY,
  business_date  date        NOT NULL,
  exception_key  text        NOT NULL,
  code           text        NOT NULL,
  store_id       text,
  provider       text,
  reference      text,
  amount         bigint      NOT NULL CHECK (amount > 0),
  note           text        NOT NULL,
  status         text        NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'sent', 'credited', 'rejected')),
  opened_by      text        NOT NULL,
  opened_at      timestamptz NOT NULL DEFAULT now(),
  sent_at        timestamptz,
  closed_at      timestamptz,
  closed_by      text,
  close_note     text,
  credit_source  text
);
CREATE UNIQUE INDEX IF NOT EXISTS claims_standing ON claims (business_date, exception_key) WHERE status <> 'rejected';
CREATE INDEX IF NOT EXISTS claims_waiting ON claims (provider) WHERE status IN ('open', 'sent');
