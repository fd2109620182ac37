import type { EventData } from '@faultline/contracts';
import { createEnvelope, type DbClient, type DbPool, enqueueEvent, withTransaction } from '@faultline/platform';
import { applyNew, type OrderState } from '../domain/order.js';
import type { OrderEvent, PricedLine } from '../domain/order-events.js';
import type { Transition } from '../domain/saga.js';
import { appendEvents, asVersionConflict, journalParams, journalWrites } from './order-store.js';
import { type NewSaga, type ResumePoint, type SagaRecord, sagaInsert, saveTransition, transitionParams, transitionUpdate } from './saga-store.js';

/** The integration event a domain event announces on the bus, if any. */
function published(state: OrderState, event: OrderEvent) {
  if (event.type === 'OrderConfirmed') {
    const data: EventData<'order.confirmed'> = {
      orderId: state.orderId,
      userId: state.userId,
      items: state.items as PricedLine[],
      total: state.total ?? 0,
      currency: state.currency,
    };
    return createEnvelope('order.confirmed', data);
  }
  if (event.type === 'OrderCancelled') {
    const data: EventData<'order.cancelled'> = { orderId: state.orderId, userId: state.userId, reason: event.data.reason, refunded: event.data.refunded };
    return createEnvelope('order.cancelled', data);
  }
  return undefined;
}

/**
 * Record new events of one order in the caller's transaction: append them after `state.version`
 * (optimistic concurrency), project the new state into the read model, and put the integration
 * events in the outbox. Everything commits together or not at all. Returns the new state.
 */
export async function recordEvents(tx: DbClient, orderId: string, state: OrderState | undefined, events: readonly OrderEvent[]): Promise<OrderState> {
  const at = new Date();
  const next = applyNew(orderId, state, events, at);
  if (!next) throw new Error(`order ${orderId} has no events`);
  if (events.length === 0) return next;
  await appendEvents(tx, orderId, state?.version ?? 0, events, at, next);
  for (const event of events) {
    const envelope = published(next, event);
    if (envelope) await enqueueEvent(tx, envelope);
  }
  return next;
}

/**
 * A new order: its first events (with the read model's row) and its saga, leased to `owner` at its
 * first step, in one statement of the caller's transaction (it was two). Returns both as written.
 */
export async function recordNewOrder(
  tx: DbClient,
  events: readonly OrderEvent[],
  saga: NewSaga,
  lease: { owner: string; leaseMs: number },
): Promise<{ order: OrderState; saga: SagaRecord }> {
  const at = new Date();
  const order = applyNew(saga.orderId, undefined, events, at);
  if (!order) throw new Error(`order ${saga.orderId} has no events`);
  const insert = sagaInsert(17, saga, lease.owner, lease.leaseMs);
  try {
    await tx.query(`WITH ${journalWrites()}, saga AS (${insert.sql}) SELECT 1`, [...journalParams(saga.orderId, 0, events, at, order), ...insert.params]);
  } catch (error) {
    throw asVersionConflict(error, saga.orderId, 0);
  }
  for (const event of events) {
    const envelope = published(order, event);
    if (envelope) await enqueueEvent(tx, envelope);
  }
  return { order, saga: insert.record };
}

/**
 * A saga's transition and the events it records, under `owner`'s lease (with `resumeAt`, the next
 * step's resume point written ahead, see {@link transitionParams}): undefined when the lease
 * was lost (nothing written). Without an integration event to publish this is one statement (a
 * statement is atomic on its own): the saga's UPDATE and, only if it found the lease, the events
 * and the view; with one, the same statement and the outbox row in one transaction. A saga step
 * used to be six round trips (BEGIN, four writes, COMMIT).
 */
export async function recordTransition(
  pool: DbPool,
  orderId: string,
  state: OrderState,
  transition: Transition,
  lease: { owner: string; leaseMs: number; resumeAt?: ResumePoint | undefined },
): Promise<OrderState | undefined> {
  const at = new Date();
  const next = applyNew(orderId, state, transition.events, at);
  if (!next) throw new Error(`order ${orderId} has no events`);
  const saga = transitionParams(orderId, lease.owner, lease.leaseMs, transition, lease.resumeAt);
  if (transition.events.length === 0) return (await saveTransition(pool, orderId, lease.owner, lease.leaseMs, transition, lease.resumeAt)) ? next : undefined;
  const statement = `WITH saga AS (${transitionUpdate(17)} RETURNING 1), ${journalWrites('EXISTS (SELECT 1 FROM saga)')} SELECT count(*)::int AS n FROM saga`;
  const params = [...journalParams(orderId, state.version, transition.events, at, next), ...saga];
  const envelopes = transition.events.map((event) => published(next, event)).filter((e) => e !== undefined);
  const write = async (db: DbPool | DbClient) => {
    try {
      const { rows } = await db.query<{ n: number }>(statement, params);
      return rows[0]?.n === 1;
    } catch (error) {
      throw asVersionConflict(error, orderId, state.version);
    }
  };
  if (envelopes.length === 0) return (await write(pool)) ? next : undefined;
  return withTransaction(pool, async (tx) => {
    if (!(await write(tx))) return undefined;
    for (const envelope of envelopes) await enqueueEvent(tx, envelope);
    return next;
  });
}
