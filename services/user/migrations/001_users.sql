-- Users: email is stored lower-cased and trimmed, so uniqueness is case-insensitive.
CREATE TABLE users (
  id            uuid        PRIMARY KEY,
  email         text        NOT NULL UNIQUE,
  name          text        NOT NULL,
  password_hash text        NOT NULL,
  roles         text[]      NOT NULL DEFAULT ARRAY['customer'],
  created_at    timestamptz NOT NULL DEFAULT now(),
  updated_at    timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT users_roles_known CHECK (roles <@ ARRAY['customer', 'admin'] AND cardinality(roles) > 0)
);
CREATE INDEX users_created_idx ON users (created_at, id);

-- RS256 signing keys as JWKs (a testbed: the private key is not encrypted at rest).
-- The newest key signs; every key is published in the JWKS so older tokens keep verifying.
CREATE TABLE signing_keys (
  kid         text        PRIMARY KEY,
  private_jwk jsonb       NOT NULL,
  public_jwk  jsonb       NOT NULL,
  created_at  timestamptz NOT NULL DEFAULT clock_timestamp()
);
