-- Double-entry ledger. Amounts are signed cents: debit > 0, credit < 0. Lines of one transaction
-- must sum to zero (checked at commit by a deferred constraint trigger), and lines are never
-- changed or deleted: a refund is a new, reversing transaction.
CREATE TABLE ledger_entries (
  entry_id       bigserial   PRIMARY KEY,
  transaction_id uuid        NOT NULL,
  kind           text        NOT NULL CHECK (kind IN ('capture', 'refund')),
  payment_id     uuid        NOT NULL REFERENCES payments (payment_id),
  order_id       uuid        NOT NULL,
  account        text        NOT NULL,
  amount         bigint      NOT NULL CHECK (amount <> 0),
  currency       text        NOT NULL,
  created_at     timestamptz NOT NULL DEFAULT clock_timestamp(),
  UNIQUE (payment_id, kind, account)
);
CREATE INDEX ledger_entries_transaction_idx ON ledger_entries (transaction_id);
CREATE INDEX ledger_entries_order_idx ON ledger_entries (order_id);

CREATE FUNCTION ledger_transaction_balances() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF (SELECT sum(amount) FROM ledger_entries WHERE transaction_id = NEW.transaction_id) <> 0 THEN
    RAISE EXCEPTION 'ledger transaction % does not balance', NEW.transaction_id USING ERRCODE = 'check_violation';
  END IF;
  RETURN NULL;
END
$$;
CREATE CONSTRAINT TRIGGER ledger_transaction_balances AFTER INSERT ON ledger_entries
  DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION ledger_transaction_balances();

CREATE FUNCTION ledger_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'ledger entries are append-only' USING ERRCODE = 'insufficient_privilege';
END
$$;
CREATE TRIGGER ledger_append_only BEFORE UPDATE OR DELETE ON ledger_entries FOR EACH ROW EXECUTE FUNCTION ledger_append_only();
