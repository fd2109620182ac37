import { type DbClient, type DbPool, errors, withTransaction } from '@faultline/platform';

export interface Idempotent<T> {
  outcome: T;
  /** True when the outcome was stored by an earlier request with the same key. */
  replayed: boolean;
}

/**
 * Run `work` once per (scope, key): its outcome is stored with the key in the same transaction,
 * and a later request with the same key and body gets the stored outcome back. A concurrent
 * request with the same key waits on the key's row and then replays. When `work` throws, nothing
 * is kept, so the key may be used again. The same key with a different body is a 409.
 */
export function runIdempotently<T>(pool: DbPool, scope: string, key: string, hash: string, work: (tx: DbClient) => Promise<T>): Promise<Idempotent<T>> {
  return withTransaction(pool, async (tx) => {
    const claimed = await tx.query('INSERT INTO idempotency_keys (scope, key, request_hash) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING', [scope, key, hash]);
    if (claimed.rowCount === 0) {
      const { rows } = await tx.query<{ request_hash: string; outcome: T }>(
        'SELECT request_hash, outcome FROM idempotency_keys WHERE scope = $1 AND key = $2',
        [scope, key],
      );
      const stored = rows[0];
      if (!stored) throw new Error('idempotency key vanished');
      if (stored.request_hash !== hash) throw errors.conflict('idempotency-key-reused', 'this Idempotency-Key was used with a different request');
      return { outcome: stored.outcome, replayed: true };
    }
    const outcome = await work(tx);
    await tx.query('UPDATE idempotency_keys SET outcome = $3 WHERE scope = $1 AND key = $2', [scope, key, JSON.stringify(outcome)]);
    return { outcome, replayed: false };
  });
}
