-- The write side: an append-only stream of events per order. UNIQUE (order_id, version) is the
-- optimistic concurrency check: two writers appending after the same version cannot both commit.
CREATE TABLE order_events (
  position    bigserial   PRIMARY KEY,
  order_id    uuid        NOT NULL,
  version     integer     NOT NULL CHECK (version >= 1),
  type        text        NOT NULL,
  data        jsonb       NOT NULL,
  occurred_at timestamptz NOT NULL DEFAULT clock_timestamp(),
  CONSTRAINT order_events_version_unique UNIQUE (order_id, version)
);

-- The read side (CQRS): one row per order, projected from the events in the appending transaction.
CREATE TABLE order_views (
  order_id       uuid        PRIMARY KEY,
  user_id        text        NOT NULL,
  status         text        NOT NULL CHECK (status IN ('pending', 'confirmed', 'cancelled')),
  items          jsonb       NOT NULL,
  total          integer,
  currency       text        NOT NULL,
  reservation_id uuid        NOT NULL,
  payment_id     uuid,
  cancel_reason  text,
  refunded       boolean     NOT NULL DEFAULT false,
  version        integer     NOT NULL,
  created_at     timestamptz NOT NULL,
  updated_at     timestamptz NOT NULL
);
CREATE INDEX order_views_user_idx ON order_views (user_id, created_at DESC, order_id);
CREATE INDEX order_views_status_idx ON order_views (status, created_at DESC, order_id);

-- Checkout idempotency: the same user and key always mean the same order.
CREATE TABLE checkouts (
  user_id         text        NOT NULL,
  idempotency_key text        NOT NULL,
  request_hash    text        NOT NULL,
  order_id        uuid        NOT NULL,
  created_at      timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (user_id, idempotency_key)
);
