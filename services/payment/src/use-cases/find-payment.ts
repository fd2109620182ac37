import { errors } from '@faultline/platform';
import type { PaymentDeps } from '../deps.js';
import { findAttempt } from '../store/attempts.js';
import { findPaymentById, findPaymentByOrder, type StoredPayment } from '../store/payments.js';
import { recordCapture } from './record-outcome.js';

const notFound = (detail: string) => errors.notFound('payment', detail);

/**
 * The payment of an order — how the order saga resolves an unknown outcome. When payment has no
 * record but attempted a charge, the processor is asked by reference: a charge found there is
 * recorded now (ledger and event included). 404 means the card was not charged so far; retrying
 * the charge with the same Idempotency-Key is always safe.
 */
export async function findPaymentOfOrder(deps: PaymentDeps, orderId: string): Promise<StoredPayment> {
  const existing = await findPaymentByOrder(deps.pool, orderId);
  if (existing) return existing;
  const attempt = await findAttempt(deps.pool, orderId);
  if (!attempt) throw notFound(`no payment was attempted for order ${orderId}`);
  const charge = await deps.providers.findCharge(orderId);
  if (!charge) throw notFound(`the card processor has no charge for order ${orderId}; retrying the charge with the same Idempotency-Key is safe`);
  deps.logger.info('unknown payment outcome resolved', { orderId, chargeId: charge.chargeId });
  const { userId, amount, currency } = attempt;
  return (await recordCapture(deps, { orderId, userId, amount, currency }, charge)).payment;
}

export async function findPayment(deps: PaymentDeps, paymentId: string): Promise<StoredPayment> {
  const payment = await findPaymentById(deps.pool, paymentId);
  if (!payment) throw notFound(`no payment ${paymentId}`);
  return payment;
}
