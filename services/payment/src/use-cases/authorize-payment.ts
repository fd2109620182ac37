import type { ChargeRequest } from '@faultline/contracts';
import { AppError, errors, isAppError } from '@faultline/platform';
import type { PaymentDeps } from '../deps.js';
import type { ChargeOutcome } from '../providers-client.js';
import { paymentOrAttempt } from '../store/attempts.js';
import type { StoredPayment } from '../store/payments.js';
import { recordCapture, recordDecline } from './record-outcome.js';

export const paymentDeclined = (payment: StoredPayment) =>
  new AppError('payment-declined', 402, 'Payment declined', {
    detail: `the card was declined (${payment.declineReason ?? 'no reason given'})`,
    extensions: { orderId: payment.orderId, paymentId: payment.paymentId, reason: payment.declineReason },
  });

const keyReused = () => errors.conflict('idempotency-key-reused', 'this order was already charged with a different user or amount');

/** The order's payment as the answer to this request: a decline is a 402, another user or amount a 409. */
function answer(payment: StoredPayment, request: ChargeRequest): StoredPayment {
  if (payment.userId !== request.userId || (payment.status !== 'declined' && payment.amount !== request.amount)) throw keyReused();
  if (payment.status === 'declined') throw paymentDeclined(payment);
  return payment;
}

/**
 * Charge an order exactly once, whatever the retries. A known payment is answered again. Else the
 * attempt is committed first; if an earlier attempt exists its outcome is unknown (the processor
 * may have charged the card), so the processor is asked by reference before charging — and the
 * charge itself carries the idempotency key `charge-<orderId>`, so it can never happen twice.
 * A failed or timed-out call stores nothing and answers 5xx: the outcome is still unknown.
 */
export async function authorizePayment(deps: PaymentDeps, request: ChargeRequest): Promise<{ payment: StoredPayment; replayed: boolean }> {
  // A known payment is answered again (and no attempt counted); else the attempt is committed first.
  const known = await paymentOrAttempt(deps.pool, request);
  if ('payment' in known) return { payment: answer(known.payment, request), replayed: true };
  const { attempt } = known;
  if (attempt.userId !== request.userId || attempt.amount !== request.amount) throw keyReused();

  let outcome: ChargeOutcome;
  try {
    const earlier = attempt.attempts > 1 ? await deps.providers.findCharge(request.orderId) : undefined;
    outcome = earlier ? { kind: 'charged', charge: earlier } : await deps.providers.charge(request);
  } catch (error) {
    if (isAppError(error) && error.status >= 500) {
      deps.metrics.payments.inc({ outcome: 'failed' });
      deps.logger.warn('payment outcome unknown', { orderId: request.orderId, errorName: error.errorName });
    }
    throw error;
  }

  const order = { orderId: request.orderId, userId: request.userId, amount: request.amount, currency: request.currency };
  const recorded = outcome.kind === 'charged' ? await recordCapture(deps, order, outcome.charge) : await recordDecline(deps, order, outcome.reason);
  return { payment: answer(recorded.payment, request), replayed: !recorded.created };
}
