import type { DbClient } from '@faultline/platform';

export interface StockRow {
  id: string;
  price: number;
  stock: number;
  held: number;
}

export interface Quantity {
  productId: string;
  quantity: number;
}

/**
 * Lock the products' rows in id order — every writer locks in the same order, so two
 * reservations sharing products queue behind each other instead of deadlocking.
 */
export async function lockStock(tx: DbClient, productIds: string[]): Promise<StockRow[]> {
  const { rows } = await tx.query<StockRow>('SELECT id, price, stock, held FROM products WHERE id = ANY($1::uuid[]) ORDER BY id FOR UPDATE', [productIds]);
  return rows;
}

const unnest = (items: Quantity[]) => [items.map((i) => i.productId), items.map((i) => i.quantity)];

/**
 * Hold the quantities (rows already locked) and record them as the reservation's items, in one
 * statement (it was two round trips). The CHECK held <= stock backs the caller's check.
 */
export async function holdForReservation(tx: DbClient, reservationId: string, items: (Quantity & { unitPrice: number })[]): Promise<void> {
  await tx.query(
    `WITH holds AS (
       UPDATE products p SET held = p.held + v.quantity, updated_at = now()
       FROM unnest($2::uuid[], $3::int[]) AS v(id, quantity) WHERE p.id = v.id)
     INSERT INTO reservation_items (reservation_id, product_id, quantity, unit_price)
     SELECT $1, * FROM unnest($2::uuid[], $3::int[], $4::int[])`,
    [reservationId, ...unnest(items), items.map((i) => i.unitPrice)],
  );
}

/**
 * End a hold (rows already locked) and set the reservation's status, in one statement (it was
 * two): `committed` — the held units leave the shop, stock and holds both go down; `released` —
 * they become available again.
 */
export async function endHolds(tx: DbClient, reservationId: string, items: Quantity[], status: 'committed' | 'released'): Promise<void> {
  const stock = status === 'committed' ? 'p.stock - v.quantity' : 'p.stock';
  await tx.query(
    `WITH status AS (UPDATE reservations SET status = $3, updated_at = now() WHERE id = $4)
     UPDATE products p SET stock = ${stock}, held = p.held - v.quantity, updated_at = now()
     FROM unnest($1::uuid[], $2::int[]) AS v(id, quantity) WHERE p.id = v.id`,
    [...unnest(items), status, reservationId],
  );
}
