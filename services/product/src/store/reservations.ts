import type { Reservation } from '@faultline/contracts';
import type { DbClient, DbPool } from '@faultline/platform';

type Db = DbPool | DbClient;
export type ReservationStatus = Reservation['status'];

interface Row {
  id: string;
  order_id: string;
  status: ReservationStatus;
  items: { productId: string; quantity: number; unitPrice: number }[];
}

const toReservation = (row: Row): Reservation => ({ reservationId: row.id, orderId: row.order_id, status: row.status, items: row.items });

/** Claims the reservation id; false when it exists (a retry, or a reused id). */
export async function claimReservation(tx: DbClient, reservationId: string, orderId: string): Promise<boolean> {
  const { rowCount } = await tx.query("INSERT INTO reservations (id, order_id, status) VALUES ($1, $2, 'held') ON CONFLICT (id) DO NOTHING", [
    reservationId,
    orderId,
  ]);
  return rowCount === 1;
}

/** The reservation with its items (ordered by product id); `forUpdate` locks its row. */
export async function findReservation(db: Db, reservationId: string, forUpdate = false): Promise<Reservation | undefined> {
  // Locked in the CTE, then read: the status seen is the one this transaction may change (one statement).
  const { rows } = await db.query<Row>(
    `WITH r AS (SELECT id, order_id, status FROM reservations WHERE id = $1${forUpdate ? ' FOR UPDATE' : ''})
     SELECT r.id, r.order_id, r.status,
       coalesce(jsonb_agg(jsonb_build_object('productId', i.product_id, 'quantity', i.quantity, 'unitPrice', i.unit_price) ORDER BY i.product_id)
         FILTER (WHERE i.product_id IS NOT NULL), '[]') AS items
     FROM r LEFT JOIN reservation_items i ON i.reservation_id = r.id
     GROUP BY r.id, r.order_id, r.status`,
    [reservationId],
  );
  return rows[0] && toReservation(rows[0]);
}

/** Ids of holds older than `olderThanSec`, oldest first. */
export async function findStaleHolds(db: Db, olderThanSec: number, limit: number): Promise<string[]> {
  const { rows } = await db.query<{ id: string }>(
    "SELECT id FROM reservations WHERE status = 'held' AND created_at < now() - $1 * interval '1 second' ORDER BY created_at LIMIT $2",
    [olderThanSec, limit],
  );
  return rows.map((r) => r.id);
}
