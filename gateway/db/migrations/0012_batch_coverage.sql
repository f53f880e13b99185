-- A payout batch whose rows carry no batch id (WeChat Pay's settlement batches against its bill) names
-- the trade days it pays for; it is checked against that provider's rows of those days (HKT calendar).
ALTER TABLE settlement_batches ADD COLUMN IF NOT EXISTS trade_from date;
ALTER TABLE settlement_batches ADD COLUMN IF NOT EXISTS trade_to date;
CREATE INDEX IF NOT EXISTS settlement_batches_coverage ON settlement_batches (trade_from, trade_to) WHERE trade_from IS NOT NULL;
