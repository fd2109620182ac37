import type { DbClient } from '@faultline/platform';
import type { RequestedLine } from '../domain/order-events.js';

/**
 * Claim an idempotency key for a new order and, with `takeCart`, take the user's cart (its lines
 * deleted, returned in the order they were added), in one statement: the caller's transaction
 * rolls both back if the order is refused. Returns the order the key already names (with the
 * hash of the request that created it) when it was claimed before; the cart is then left alone.
 * A concurrent claim of the same key waits for the first transaction, then sees its row.
 */
export async function claimCheckout(
  tx: DbClient,
  claim: { userId: string; key: string; requestHash: string; orderId: string; takeCart: boolean },
): Promise<{ claimed: true; cart: RequestedLine[] } | { claimed: false; orderId: string; requestHash: string }> {
  const { rows } = await tx.query<{ claimed: boolean; cart: RequestedLine[] }>(
    `WITH claim AS (
       INSERT INTO checkouts (user_id, idempotency_key, request_hash, order_id) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING RETURNING 1),
     cart AS (
       DELETE FROM cart_items WHERE user_id = $1 AND $5::boolean AND EXISTS (SELECT 1 FROM claim)
       RETURNING product_id, quantity, updated_at)
     SELECT EXISTS (SELECT 1 FROM claim) AS claimed,
       coalesce((SELECT json_agg(json_build_object('productId', product_id, 'quantity', quantity) ORDER BY updated_at, product_id) FROM cart), '[]') AS cart`,
    [claim.userId, claim.key, claim.requestHash, claim.orderId, claim.takeCart],
  );
  if (rows[0]?.claimed) return { claimed: true, cart: rows[0].cart };
  const existing = await tx.query<{ orderId: string; requestHash: string }>(
    'SELECT order_id AS "orderId", request_hash AS "requestHash" FROM checkouts WHERE user_id = $1 AND idempotency_key = $2',
    [claim.userId, claim.key],
  );
  const found = existing.rows[0];
  if (!found) throw new Error('checkout key vanished');
  return { claimed: false, ...found };
}
