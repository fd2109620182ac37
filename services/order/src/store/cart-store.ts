import type { DbClient, DbPool } from '@faultline/platform';
import type { RequestedLine } from '../domain/order-events.js';

type Db = DbPool | DbClient;

export async function loadCart(db: Db, userId: string): Promise<RequestedLine[]> {
  const { rows } = await db.query<RequestedLine>(
    'SELECT product_id AS "productId", quantity FROM cart_items WHERE user_id = $1 ORDER BY updated_at, product_id',
    [userId],
  );
  return rows;
}

/** Set a line's quantity; 0 removes the line. */
export async function setCartLine(db: Db, userId: string, productId: string, quantity: number): Promise<void> {
  if (quantity === 0) {
    await db.query('DELETE FROM cart_items WHERE user_id = $1 AND product_id = $2', [userId, productId]);
    return;
  }
  await db.query(
    `INSERT INTO cart_items (user_id, product_id, quantity) VALUES ($1, $2, $3)
     ON CONFLICT (user_id, product_id) DO UPDATE SET quantity = $3, updated_at = now()`,
    [userId, productId, quantity],
  );
}

export async function clearCart(db: Db, userId: string): Promise<void> {
  await db.query('DELETE FROM cart_items WHERE user_id = $1', [userId]);
}
