import { AppError } from '@faultline/platform';
import type { Request } from 'express';

/** A charge is keyed by its order: the `Idempotency-Key` header must be present and equal the order id. */
export function requireOrderKey(req: Request, orderId: string): void {
  const key = req.get('idempotency-key')?.trim();
  if (!key)
    throw new AppError('idempotency-key-missing', 400, 'Idempotency-Key header required', {
      detail: 'send Idempotency-Key: <orderId>',
      extensions: { field: 'Idempotency-Key' },
    });
  if (key !== orderId)
    throw new AppError('idempotency-key-mismatch', 422, 'Idempotency-Key must be the order id', {
      detail: 'one payment per order: send the order id as the Idempotency-Key',
      extensions: { field: 'Idempotency-Key' },
    });
}
