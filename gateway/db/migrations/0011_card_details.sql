-- A card tender's scheme, last four digits and authorisation code as the till sent them, and a card
-- record's scheme and last four digits as the acquirer lists them: what tells apart two card sales of
-- the same amount at the same minute. Never more of a card than its last four digits (a full number is
-- refused where it arrives); the masked number as delivered stays encrypted in payments.card_enc.
ALTER TABLE sale_tenders ADD COLUMN IF NOT EXISTS card_brand text;
ALTER TABLE sale_tenders ADD COLUMN IF NOT EXISTS card_last4 text CHECK (card_last4 ~ '^[0-9]{4}$');
ALTER TABLE sale_tenders ADD COLUMN IF NOT EXISTS auth_code text;
ALTER TABLE payments ADD COLUMN IF NOT EXISTS card_brand text;
ALTER TABLE payments ADD COLUMN IF NOT EXISTS card_last4 text;
