-- Inventory reservations made by the order saga, idempotent by their id.
CREATE TABLE reservations (
  id         uuid        PRIMARY KEY,
  order_id   uuid        NOT NULL,
  status     text        NOT NULL CHECK (status IN ('held', 'committed', 'released')),
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX reservations_held_idx ON reservations (created_at) WHERE status = 'held';

CREATE TABLE reservation_items (
  reservation_id uuid    NOT NULL REFERENCES reservations (id),
  product_id     uuid    NOT NULL REFERENCES products (id),
  quantity       integer NOT NULL CHECK (quantity > 0),
  unit_price     integer NOT NULL CHECK (unit_price >= 0),
  PRIMARY KEY (reservation_id, product_id)
);
CREATE INDEX reservation_items_product_idx ON reservation_items (product_id);
