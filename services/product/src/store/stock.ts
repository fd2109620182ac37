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

/** Hold the quantities (rows already locked). The CHECK held <= stock backs the caller's check. */
export async function addHolds(tx: DbClient, items: Quantity[]): Promise<void> {
  await tx.query(
    `UPDATE products p SET held = p.held + v.quantity, updated_at = now()
     FROM unnest($1::uuid[], $2::int[]) AS v(id, quantity) WHERE p.id = v.id`,
    unnest(items),
  );
}

/** Give held quantities back to what is available. */
export async function releaseHolds(tx: DbClient, items: Quantity[]): Promise<void> {
  await tx.query(
    `UPDATE products p SET held = p.held - v.quantity, updated_at = now()
     FROM unnest($1::uuid[], $2::int[]) AS v(id, quantity) WHERE p.id = v.id`,
    unnest(items),
  );
}

/** The held quantities leave the shop: stock and holds both go down. */
export async function consumeHolds(tx: DbClient, items: Quantity[]): Promise<void> {
  await tx.query(
    `UPDATE products p SET stock = p.stock - v.quantity, held = p.held - v.quantity, updated_at = now()
     FROM unnest($1::uuid[], $2::int[]) AS v(id, quantity) WHERE p.id = v.id`,
    unnest(items),
  );
}
