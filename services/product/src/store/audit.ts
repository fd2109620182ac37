import type { DbClient, DbPool } from '@faultline/platform';
import type { AuditHold } from '../schemas.js';

type Db = DbPool | DbClient;

export interface AuditRow {
  id: string;
  name: string;
  stock: number;
  held: number;
  held_by_reservations: number;
  committed: number;
  active_holds: number;
  leaked_holds: number;
}

/** Per product, in one statement (one snapshot): stock and holds next to the reservations' own totals. */
export async function readInventoryFigures(db: Db, leakedAfterSec: number): Promise<AuditRow[]> {
  const { rows } = await db.query<AuditRow>(
    `SELECT p.id, p.name, p.stock, p.held,
       coalesce(sum(i.quantity) FILTER (WHERE r.status = 'held'), 0)::int AS held_by_reservations,
       coalesce(sum(i.quantity) FILTER (WHERE r.status = 'committed'), 0)::int AS committed,
       count(r.id) FILTER (WHERE r.status = 'held')::int AS active_holds,
       count(r.id) FILTER (WHERE r.status = 'held' AND r.created_at < now() - $1 * interval '1 second')::int AS leaked_holds
     FROM products p
     LEFT JOIN reservation_items i ON i.product_id = p.id
     LEFT JOIN reservations r ON r.id = i.reservation_id
     GROUP BY p.id ORDER BY p.name, p.id`,
    [leakedAfterSec],
  );
  return rows;
}

/** Reservations still held, oldest first, each with its order, units and age. */
export async function readHolds(db: Db, leakedAfterSec: number, limit = 1000): Promise<AuditHold[]> {
  const { rows } = await db.query<AuditHold>(
    `SELECT r.id AS "reservationId", r.order_id AS "orderId", coalesce(sum(i.quantity), 0)::int AS units,
       floor(extract(epoch FROM now() - r.created_at))::int AS "ageSec",
       r.created_at < now() - $1 * interval '1 second' AS leaked
     FROM reservations r LEFT JOIN reservation_items i ON i.reservation_id = r.id
     WHERE r.status = 'held' GROUP BY r.id ORDER BY r.created_at LIMIT $2`,
    [leakedAfterSec, limit],
  );
  return rows;
}

/** Shop-wide hold figures for the gauges. */
export async function readHoldFigures(db: Db, leakedAfterSec: number): Promise<{ active: number; leaked: number; units: number }> {
  const { rows } = await db.query<{ active: number; leaked: number; units: number }>(
    `SELECT count(*)::int AS active,
       count(*) FILTER (WHERE created_at < now() - $1 * interval '1 second')::int AS leaked,
       (SELECT coalesce(sum(held), 0)::int FROM products) AS units
     FROM reservations WHERE status = 'held'`,
    [leakedAfterSec],
  );
  return rows[0] ?? { active: 0, leaked: 0, units: 0 };
}
