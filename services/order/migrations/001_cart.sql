-- One cart per user: a line per product.
CREATE TABLE cart_items (
  user_id    text        NOT NULL,
  product_id uuid        NOT NULL,
  quantity   integer     NOT NULL CHECK (quantity BETWEEN 1 AND 100),
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (user_id, product_id)
);
