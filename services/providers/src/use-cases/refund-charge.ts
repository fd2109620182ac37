import type { ProviderCharge } from '@faultline/contracts';
import { AppError, type DbPool, errors, type Logger } from '@faultline/platform';
import { requestHash } from '../idempotency-key.js';
import { insertRefund, lockCharge } from '../store/charges.js';
import { runIdempotently } from '../store/idempotency.js';

export interface Refund {
  refundId: string;
  chargeId: string;
  amount: number;
  refundedAmount: number;
  status: ProviderCharge['status'];
}

/** Refund part or all of a charge, once per idempotency key; never more than was charged. */
export async function refundCharge(
  deps: { pool: DbPool; logger: Logger },
  chargeId: string,
  amount: number,
  idempotencyKey: string,
): Promise<{ refund: Refund; replayed: boolean }> {
  const { outcome, replayed } = await runIdempotently<Refund>(deps.pool, 'refund', idempotencyKey, requestHash({ chargeId, amount }), async (tx) => {
    const charge = await lockCharge(tx, chargeId);
    if (!charge) throw errors.notFound('charge', `no charge ${chargeId}`);
    const refundable = charge.amount - charge.refundedAmount;
    if (amount > refundable)
      throw new AppError('refund-exceeds-charge', 422, 'Refund exceeds the charge', {
        detail: `at most ${refundable} of ${charge.amount} can still be refunded`,
        extensions: { field: 'amount', refundable },
      });
    const { refundId, charge: updated } = await insertRefund(tx, charge, amount);
    return { refundId, chargeId, amount, refundedAmount: updated.refundedAmount, status: updated.status };
  });
  deps.logger.info('charge refunded', { chargeId, amount, replayed });
  return { refund: outcome, replayed };
}
