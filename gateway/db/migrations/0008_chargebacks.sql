-- Card acquirers list disputes: a chargeback takes a payment's money back, a chargeback reversal (the
-- dispute won) returns it. Both are record types of their own, so a chargeback is never mistaken for a
-- refund the shop gave.
ALTER TABLE payments DROP CONSTRAINT IF EXISTS payments_type_check;
ALTER TABLE payments ADD CONSTRAINT payments_type_check
  CHECK (type IN ('payment', 'refund', 'cancel', 'reversal', 'chargeback', 'chargeback_reversal', 'add_value', 'fee', 'adjustment'));
