-- The catalog and its stock. `held` is the sum of the quantities of reservations still held;
-- available = stock - held, and the CHECK makes overselling impossible even for a buggy caller.
CREATE TABLE products (
  id          uuid        PRIMARY KEY,
  name        text        NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
  description text        NOT NULL DEFAULT '' CHECK (length(description) <= 2000),
  price       integer     NOT NULL CHECK (price >= 0),
  stock       integer     NOT NULL CHECK (stock >= 0),
  held        integer     NOT NULL DEFAULT 0 CHECK (held >= 0),
  created_at  timestamptz NOT NULL DEFAULT now(),
  updated_at  timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT products_held_within_stock CHECK (held <= stock)
);
CREATE INDEX products_name_idx ON products (name, id);
