import { type DbPool, withTransaction } from '@faultline/platform';
import type { JWK } from 'jose';

export interface StoredKey {
  kid: string;
  privateJwk: JWK;
  publicJwk: JWK;
}

// Any constant works; it only serialises instances creating the first key on one database.
const KEY_LOCK = 4_711_001;

/**
 * Every signing key, newest first; when there is none, `generate` one and store it. Two
 * instances starting at once take turns on an advisory lock, so only one key is created.
 */
export async function loadOrCreateKeys(pool: DbPool, generate: () => Promise<StoredKey>): Promise<StoredKey[]> {
  return withTransaction(pool, async (tx) => {
    await tx.query('SELECT pg_advisory_xact_lock($1)', [KEY_LOCK]);
    const { rows } = await tx.query<{ kid: string; private_jwk: JWK; public_jwk: JWK }>(
      'SELECT kid, private_jwk, public_jwk FROM signing_keys ORDER BY created_at DESC',
    );
    if (rows.length > 0) return rows.map((row) => ({ kid: row.kid, privateJwk: row.private_jwk, publicJwk: row.public_jwk }));
    const key = await generate();
    await tx.query('INSERT INTO signing_keys (kid, private_jwk, public_jwk) VALUES ($1, $2, $3)', [
      key.kid,
      JSON.stringify(key.privateJwk),
      JSON.stringify(key.publicJwk),
    ]);
    return [key];
  });
}
