import { AppError, idempotencyKeyOf } from '@faultline/platform';
import type { Request } from 'express';

/** A charge is keyed by its order: the `Idempotency-Key` header (the platform's rule) must equal the order id. */
export function requireOrderKey(req: Request, orderId: string): void {
  if (idempotencyKeyOf(req) !== orderId)
    throw new AppError('idempotency-key-mismatch', 422, 'Idempotency-Key must be the order id', {
      detail: 'one payment per order: send the order id as the Idempotency-Key',
      extensions: { field: 'Idempotency-Key' },
    });
}
