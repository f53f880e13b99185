-- The account or shop a provider booked a record under (AlipayHK partner id, a sub-merchant's name,
-- WeChat Pay's sub-merchant number…): with the store and device codes, what attributes a record no sale
-- claims to a store.
ALTER TABLE payments ADD COLUMN IF NOT EXISTS account text;
