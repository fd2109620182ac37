import { randomUUID } from 'node:crypto';
import type { EventData, ProviderCharge } from '@faultline/contracts';
import { createEnvelope, enqueueEvent, withTransaction } from '@faultline/platform';
import type { PaymentDeps } from '../deps.js';
import { postCapture } from '../store/ledger.js';
import { findPaymentByOrder, insertPayment, type NewPayment, type StoredPayment } from '../store/payments.js';

/** The order a charge is for. */
export interface OrderCharge {
  orderId: string;
  userId: string;
  amount: number;
  currency: 'EUR';
}

/** The recorded payment; `created` is false when the order already had one (it is returned instead). */
export interface Recorded {
  payment: StoredPayment;
  created: boolean;
}

/** Insert the payment; only the request that inserts it writes the ledger and the event (in the same transaction). */
function record(
  deps: PaymentDeps,
  payment: NewPayment,
  effects: (tx: Parameters<typeof postCapture>[0], stored: StoredPayment) => Promise<void>,
): Promise<Recorded> {
  return withTransaction(deps.pool, async (tx) => {
    const stored = await insertPayment(tx, payment);
    if (stored) {
      await effects(tx, stored);
      return { payment: stored, created: true };
    }
    const existing = await findPaymentByOrder(tx, payment.orderId);
    if (!existing) throw new Error(`payment of order ${payment.orderId} vanished`);
    return { payment: existing, created: false };
  });
}

/** The card was charged: store the captured payment, its ledger transaction and `payment.authorized`. */
export async function recordCapture(deps: PaymentDeps, order: OrderCharge, charge: ProviderCharge): Promise<Recorded> {
  const recorded = await record(
    deps,
    { ...order, paymentId: randomUUID(), amount: charge.amount, status: 'captured', chargeId: charge.chargeId },
    async (tx, payment) => {
      await postCapture(tx, payment);
      const data: EventData<'payment.authorized'> = {
        paymentId: payment.paymentId,
        orderId: payment.orderId,
        userId: payment.userId,
        amount: payment.amount,
        currency: 'EUR',
      };
      await enqueueEvent(tx, createEnvelope('payment.authorized', data));
    },
  );
  if (recorded.created) {
    deps.metrics.payments.inc({ outcome: 'captured' });
    deps.logger.info('payment captured', { paymentId: recorded.payment.paymentId, orderId: order.orderId, amount: recorded.payment.amount });
  }
  return recorded;
}

/** The card was declined: store the declined payment and `payment.declined` (no ledger lines: no money moved). */
export async function recordDecline(deps: PaymentDeps, order: OrderCharge, reason: string): Promise<Recorded> {
  const recorded = await record(deps, { ...order, paymentId: randomUUID(), status: 'declined', declineReason: reason }, async (tx) => {
    const data: EventData<'payment.declined'> = { ...order, reason };
    await enqueueEvent(tx, createEnvelope('payment.declined', data));
  });
  if (recorded.created) {
    deps.metrics.payments.inc({ outcome: 'declined' });
    deps.logger.info('payment declined', { paymentId: recorded.payment.paymentId, orderId: order.orderId, reason });
  }
  return recorded;
}
