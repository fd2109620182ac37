-- Idempotency keys of the card processor: one row per (scope, key). The outcome is stored with
-- the key in the same transaction as the charge or refund, so a retried request replays it.
CREATE TABLE idempotency_keys (
  scope        text        NOT NULL,
  key          text        NOT NULL,
  request_hash text        NOT NULL,
  outcome      jsonb       NOT NULL DEFAULT '{}',
  created_at   timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (scope, key)
);

CREATE TABLE charges (
  charge_id       text        PRIMARY KEY,
  reference       text        NOT NULL,
  amount          integer     NOT NULL CHECK (amount > 0),
  currency        text        NOT NULL,
  status          text        NOT NULL CHECK (status IN ('succeeded', 'refunded')),
  refunded_amount integer     NOT NULL DEFAULT 0 CHECK (refunded_amount >= 0 AND refunded_amount <= amount),
  created_at      timestamptz NOT NULL DEFAULT clock_timestamp()
);
CREATE INDEX charges_reference_idx ON charges (reference, created_at);

CREATE TABLE refunds (
  refund_id  text        PRIMARY KEY,
  charge_id  text        NOT NULL REFERENCES charges (charge_id),
  amount     integer     NOT NULL CHECK (amount > 0),
  created_at timestamptz NOT NULL DEFAULT clock_timestamp()
);
CREATE INDEX refunds_charge_idx ON refunds (charge_id);
