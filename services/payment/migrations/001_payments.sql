-- An attempt is written (and committed) before the card processor is called: when the call's
-- outcome is unknown (timeout, broken circuit), a later retry or lookup knows to ask the
-- processor by reference (the order id) instead of guessing.
CREATE TABLE payment_attempts (
  order_id   uuid        PRIMARY KEY,
  user_id    uuid        NOT NULL,
  amount     integer     NOT NULL CHECK (amount > 0),
  currency   text        NOT NULL,
  attempts   integer     NOT NULL DEFAULT 1,
  first_at   timestamptz NOT NULL DEFAULT now(),
  last_at    timestamptz NOT NULL DEFAULT now()
);

-- One payment per order, whatever the retries.
CREATE TABLE payments (
  payment_id     uuid        PRIMARY KEY,
  order_id       uuid        NOT NULL UNIQUE,
  user_id        uuid        NOT NULL,
  amount         integer     NOT NULL CHECK (amount > 0),
  currency       text        NOT NULL,
  status         text        NOT NULL CHECK (status IN ('captured', 'declined', 'refunded')),
  decline_reason text,
  charge_id      text,
  created_at     timestamptz NOT NULL DEFAULT clock_timestamp(),
  refunded_at    timestamptz,
  CHECK ((status = 'declined') = (charge_id IS NULL))
);
CREATE INDEX payments_user_idx ON payments (user_id, created_at DESC);
