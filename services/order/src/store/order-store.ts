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
 * The writes of new events as the common table expressions `events` (appended after the version
 * the writer read) and `view` (the read model's row, inserted or replaced), parameters numbered
 * from `$1`: {@link journalParams}. `guard` is a condition both writes need (another CTE's rows).
 * One statement instead of two round trips; the unique (order_id, version) constraint makes a stale
 * writer fail with `order-version-conflict` (see {@link asVersionConflict}).
 */
export function journalWrites(guard = 'true'): string {
  return `events AS (
       INSERT INTO order_events (order_id, version, type, data, occurred_at)
       SELECT $1, v, t, d, $5 FROM unnest($2::int[], $3::text[], $4::jsonb[]) AS e(v, t, d) WHERE ${guard}),
     view AS (
       INSERT INTO order_views (order_id, user_id, status, items, total, currency, reservation_id, payment_id, cancel_reason, refunded, version, created_at, updated_at)
       SELECT $1, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17 WHERE ${guard}
       ON CONFLICT (order_id) DO UPDATE SET status = EXCLUDED.status, items = EXCLUDED.items, total = EXCLUDED.total, payment_id = EXCLUDED.payment_id,
         cancel_reason = EXCLUDED.cancel_reason, refunded = EXCLUDED.refunded, version = EXCLUDED.version, updated_at = EXCLUDED.updated_at)`;
}

/** The 17 parameters of {@link journalWrites}: `events` after `expectedVersion`, and `state` (the state with them) as the view. */
export function journalParams(orderId: string, expectedVersion: number, events: readonly OrderEvent[], at: Date, state: OrderState): unknown[] {
  return [
    orderId,
    events.map((_, i) => expectedVersion + i + 1),
    events.map((e) => e.type),
    events.map((e) => JSON.stringify(e.data)),
    at,
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
  ];
}

/** A failed journal write as `order-version-conflict` when another writer took the version. */
export function asVersionConflict(error: unknown, orderId: string, expectedVersion: number): unknown {
  return (error as { constraint?: string }).constraint === 'order_events_version_unique' ? versionConflict(orderId, expectedVersion) : error;
}

/** Append `events` after `expectedVersion` and project `state` into the read model, in one statement (in the caller's transaction, if any). */
export async function appendEvents(
  db: Db,
  orderId: string,
  expectedVersion: number,
  events: readonly OrderEvent[],
  at: Date,
  state: OrderState,
): Promise<void> {
  if (events.length === 0) return;
  try {
    await db.query(`WITH ${journalWrites()} SELECT 1`, journalParams(orderId, expectedVersion, events, at, state));
  } catch (error) {
    throw asVersionConflict(error, orderId, expectedVersion);
  }
}
