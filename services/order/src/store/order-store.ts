import { AppError, type DbClient, type DbPool } from '@faultline/platform';
import type { OrderState } from '../domain/order.js';
import type { OrderEvent, RecordedEvent } from '../domain/order-events.js';

type Db = DbPool | DbClient;

/** Another writer appended to the stream since it was read: reload and decide again, or give up. */
export const versionConflict = (orderId: string, expected: number) =>
  new AppError('order-version-conflict', 409, 'Order changed concurrently', {
    detail: `order ${orderId} is no longer at version ${expected}`,
    extensions: { orderId },
  });

export const isVersionConflict = (error: unknown) => error instanceof AppError && error.errorName === 'order-version-conflict';

interface EventRow {
  version: number;
  type: OrderEvent['type'];
  data: OrderEvent['data'];
  occurred_at: Date;
}

/** The order's stream, in version order. */
export async function loadEvents(db: Db, orderId: string): Promise<RecordedEvent[]> {
  const { rows } = await db.query<EventRow>('SELECT version, type, data, occurred_at FROM order_events WHERE order_id = $1 ORDER BY version', [orderId]);
  return rows.map((row) => ({ type: row.type, data: row.data, version: row.version, occurredAt: row.occurred_at }) as RecordedEvent);
}

/**
 * Append `events` after `expectedVersion` inside the caller's transaction. The unique
 * (order_id, version) constraint makes a stale writer fail with `order-version-conflict`
 * (its transaction is then aborted and must be rolled back).
 */
export async function appendEvents(tx: DbClient, orderId: string, expectedVersion: number, events: readonly OrderEvent[], at: Date): Promise<void> {
  if (events.length === 0) return;
  const versions = events.map((_, i) => expectedVersion + i + 1);
  try {
    await tx.query(
      `INSERT INTO order_events (order_id, version, type, data, occurred_at)
       SELECT $1, v, t, d, $5 FROM unnest($2::int[], $3::text[], $4::jsonb[]) AS e(v, t, d)`,
      [orderId, versions, events.map((e) => e.type), events.map((e) => JSON.stringify(e.data)), at],
    );
  } catch (error) {
    if ((error as { constraint?: string }).constraint === 'order_events_version_unique') throw versionConflict(orderId, expectedVersion);
    throw error;
  }
}

/** Project the state into the read model (insert or replace the order's row). */
export async function saveView(tx: DbClient, state: OrderState): Promise<void> {
  await tx.query(
    `INSERT INTO order_views (order_id, user_id, status, items, total, currency, reservation_id, payment_id, cancel_reason, refunded, version, created_at, updated_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)
     ON CONFLICT (order_id) DO UPDATE SET status = $3, items = $4, total = $5, payment_id = $8, cancel_reason = $9, refunded = $10, version = $11, updated_at = $13`,
    [
      state.orderId,
      state.userId,
      state.status,
      JSON.stringify(state.items),
      state.total,
      state.currency,
      state.reservationId,
      state.paymentId,
      state.cancelReason,
      state.refunded,
      state.version,
      state.createdAt,
      state.updatedAt,
    ],
  );
}
