-- The checkout saga of each order: where it is, when it runs next, and who runs it now.
-- A runner holds a lease (lease_owner, lease_until) instead of a transaction across remote calls;
-- an expired lease (the runner crashed) makes the saga due again for any instance.
CREATE TABLE sagas (
  order_id        uuid        PRIMARY KEY,
  user_id         text        NOT NULL,
  reservation_id  uuid        NOT NULL,
  card_token      text,
  step            text        NOT NULL,
  attempts        integer     NOT NULL DEFAULT 0,
  cancel_reason   text,
  next_attempt_at timestamptz NOT NULL DEFAULT now(),
  last_error      text,
  lease_owner     text,
  lease_until     timestamptz,
  started_at      timestamptz NOT NULL DEFAULT now(),
  updated_at      timestamptz NOT NULL DEFAULT now(),
  finished_at     timestamptz
);
CREATE INDEX sagas_due_idx ON sagas (next_attempt_at) WHERE step <> 'done';
