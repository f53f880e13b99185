-- Bank statements: where each provider's payout must arrive. A statement file is an import like a
-- settlement file (imports: the same bytes land once, a refused file is kept with its reasons); its
-- statements keep their balances, its entries are signed as money moves into the account. The
-- narrative may name a payer (an FPS credit): it is personal data, stored encrypted. An entry seen in
-- an earlier, overlapping statement (two downloads of the same week) is not stored twice: the same
-- account, day, amount, references and text, counted per file, is the same entry.
CREATE TABLE IF NOT EXISTS bank_statements (
  id            bigserial   PRIMARY KEY,
  import_id     bigint      NOT NULL,
  account       text        NOT NULL,
  statement_id  text,
  currency      char(3)     NOT NULL,
  opening_date  date,
  opening       bigint,
  closing_date  date,
  closing       bigint
);
CREATE INDEX IF NOT EXISTS bank_statements_import ON bank_statements (import_id);

CREATE TABLE IF NOT EXISTS bank_entries (
  id             bigserial   PRIMARY KEY,
  import_id      bigint      NOT NULL,
  statement_pk   bigint      NOT NULL REFERENCES bank_statements (id),
  line_no        integer     NOT NULL,
  account        text        NOT NULL,
  value_date     date        NOT NULL,
  booking_date   date,
  amount         bigint      NOT NULL,
  currency       char(3)     NOT NULL,
  type           text,
  customer_ref   text,
  bank_ref       text,
  narrative_enc  bytea,
  key_id         text,
  fingerprint    text        NOT NULL,
  occurrence     integer     NOT NULL
);
CREATE UNIQUE INDEX IF NOT EXISTS bank_entries_once ON bank_entries (account, fingerprint, occurrence);
CREATE INDEX IF NOT EXISTS bank_entries_value ON bank_entries (account, value_date);
