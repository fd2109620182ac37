import type { EventData } from '@faultline/contracts';
import { createEnvelope, type DbClient, enqueueEvent } from '@faultline/platform';
import { applyNew, type OrderState } from '../domain/order.js';
import type { OrderEvent, PricedLine } from '../domain/order-events.js';
import { appendEvents, saveView } from './order-store.js';

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
  await appendEvents(tx, orderId, state?.version ?? 0, events, at);
  await saveView(tx, next);
  for (const event of events) {
    const envelope = published(next, event);
    if (envelope) await enqueueEvent(tx, envelope);
  }
  return next;
}
