import type { DbClient, DbPool } from '@faultline/platform';
import type { OrderState, OrderStatus } from '../domain/order.js';

type Db = DbPool | DbClient;

/** An order as the read model holds it (what the API answers). */
export interface OrderView {
  orderId: string;
  userId: string;
  status: OrderStatus;
  items: { productId: string; quantity: number; unitPrice?: number }[];
  total: number | null;
  currency: 'EUR';
  reservationId: string;
  paymentId: string | null;
  cancelReason: string | null;
  refunded: boolean;
  version: number;
  createdAt: string;
  updatedAt: string;
}

const COLUMNS = `order_id AS "orderId", user_id AS "userId", status, items, total, currency, reservation_id AS "reservationId",
  payment_id AS "paymentId", cancel_reason AS "cancelReason", refunded, version, created_at AS "createdAt", updated_at AS "updatedAt"`;

type Row = Omit<OrderView, 'createdAt' | 'updatedAt'> & { createdAt: Date; updatedAt: Date };
const toView = (row: Row): OrderView => ({ ...row, createdAt: row.createdAt.toISOString(), updatedAt: row.updatedAt.toISOString() });

/** The read model's row of `state`, as the journal projects it (see journalParams): what a read after the write would answer. */
export const viewOf = (state: OrderState): OrderView => ({
  orderId: state.orderId,
  userId: state.userId,
  status: state.status,
  items: state.items,
  total: state.total,
  currency: state.currency,
  reservationId: state.reservationId,
  paymentId: state.paymentId,
  cancelReason: state.cancelReason,
  refunded: state.refunded,
  version: state.version,
  createdAt: state.createdAt.toISOString(),
  updatedAt: state.updatedAt.toISOString(),
});

export async function findOrderView(db: Db, orderId: string): Promise<OrderView | undefined> {
  const { rows } = await db.query<Row>(`SELECT ${COLUMNS} FROM order_views WHERE order_id = $1`, [orderId]);
  return rows[0] && toView(rows[0]);
}

export interface Page {
  limit: number;
  offset: number;
}

/** Newest first; `userId` and `status` filter when given. */
export async function listOrderViews(db: Db, filter: { userId?: string; status?: OrderStatus }, page: Page): Promise<OrderView[]> {
  const { rows } = await db.query<Row>(
    `SELECT ${COLUMNS} FROM order_views
     WHERE ($1::text IS NULL OR user_id = $1) AND ($2::text IS NULL OR status = $2)
     ORDER BY created_at DESC, order_id LIMIT $3 OFFSET $4`,
    [filter.userId ?? null, filter.status ?? null, page.limit, page.offset],
  );
  return rows.map(toView);
}
