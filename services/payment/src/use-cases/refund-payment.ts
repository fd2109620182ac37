import type { EventData } from '@faultline/contracts';
import { AppError, createEnvelope, enqueueEvent, withTransaction } from '@faultline/platform';
import type { PaymentDeps } from '../deps.js';
import { postRefund } from '../store/ledger.js';
import { markRefunded, type StoredPayment } from '../store/payments.js';
import { findPayment } from './find-payment.js';

/**
 * Refund a captured payment in full. Idempotent: a refunded payment is answered as it is, and the
 * processor's refund carries the key `refund-<paymentId>`, so a retry after a lost answer never
 * refunds twice. The reversing ledger transaction and `payment.refunded` commit with the status.
 */
export async function refundPayment(deps: PaymentDeps, paymentId: string): Promise<{ payment: StoredPayment; replayed: boolean }> {
  const payment = await findPayment(deps, paymentId);
  if (payment.status === 'refunded') return { payment, replayed: true };
  if (payment.status === 'declined' || !payment.chargeId)
    throw new AppError('payment-not-refundable', 409, 'Payment cannot be refunded', { detail: 'a declined payment took no money', extensions: { paymentId } });

  await deps.providers.refund(payment.chargeId, payment.amount, `refund-${paymentId}`);

  const refunded = await withTransaction(deps.pool, async (tx) => {
    const updated = await markRefunded(tx, paymentId);
    if (!updated) return undefined;
    await postRefund(tx, updated);
    const data: EventData<'payment.refunded'> = { paymentId, orderId: updated.orderId, userId: updated.userId, amount: updated.amount, currency: 'EUR' };
    await enqueueEvent(tx, createEnvelope('payment.refunded', data));
    return updated;
  });
  if (!refunded) return { payment: await findPayment(deps, paymentId), replayed: true };
  deps.metrics.refunds.inc();
  deps.logger.info('payment refunded', { paymentId, orderId: refunded.orderId, amount: refunded.amount });
  return { payment: refunded, replayed: false };
}
