import type { DbClient } from '@faultline/platform';

/**
 * Claim an idempotency key for a new order. Returns the order the key already names (with the
 * hash of the request that created it) when it was claimed before. A concurrent claim of the same
 * key waits for the first transaction, then sees its row.
 */
export async function claimCheckout(
  tx: DbClient,
  userId: string,
  key: string,
  requestHash: string,
  orderId: string,
): Promise<{ claimed: true } | { claimed: false; orderId: string; requestHash: string }> {
  const inserted = await tx.query('INSERT INTO checkouts (user_id, idempotency_key, request_hash, order_id) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING', [
    userId,
    key,
    requestHash,
    orderId,
  ]);
  if (inserted.rowCount === 1) return { claimed: true };
  const { rows } = await tx.query<{ orderId: string; requestHash: string }>(
    'SELECT order_id AS "orderId", request_hash AS "requestHash" FROM checkouts WHERE user_id = $1 AND idempotency_key = $2',
    [userId, key],
  );
  const existing = rows[0];
  if (!existing) throw new Error('checkout key vanished');
  return { claimed: false, ...existing };
}
