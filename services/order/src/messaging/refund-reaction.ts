import { eventSchemas } from '@faultline/contracts';
import { defineHandler, type Logger } from '@faultline/platform';
import { foldOrder } from '../domain/order.js';
import type { OrderEvent } from '../domain/order-events.js';
import { recordEvents } from '../store/order-journal.js';
import { loadEvents } from '../store/order-store.js';

/** The queue purpose of order's consumer (`<service>.payments`). */
export const PAYMENTS_PURPOSE = 'payments';

/**
 * Order learns of every refund payment makes, so the two never disagree: a refund made at payment
 * (by an operator, or anyone who reached it) refunds a confirmed order and cancels it with
 * `payment-refunded`, and marks a cancelled order refunded. The saga's own refunds are already
 * recorded (nothing to do). While the saga is still running the message is retried later: the saga
 * decides first, then this reacts to where it ended.
 */
export function refundReaction(logger: Logger) {
  return defineHandler(eventSchemas['payment.refunded'], async (message, tx) => {
    const { orderId, paymentId } = message.data;
    const order = foldOrder(orderId, await loadEvents(tx, orderId));
    if (!order) {
      logger.warn('refund for an order this service does not know', { orderId, paymentId });
      return;
    }
    if (order.refunded) return;
    if (order.status === 'pending') throw new Error(`order ${orderId} is still pending: its saga decides first`);
    const events: OrderEvent[] = [{ type: 'PaymentRefunded', data: { paymentId } }];
    if (order.status === 'confirmed') events.push({ type: 'OrderCancelled', data: { reason: 'payment-refunded', refunded: true } });
    await recordEvents(tx, orderId, order, events);
    logger.warn('order refunded at payment', { orderId, paymentId, from: order.status });
  });
}
