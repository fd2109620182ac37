import { AppError } from '@faultline/platform';

/** A charge is keyed by its order: the `Idempotency-Key` header (checked by the platform's rule) must equal the order id. */
export function requireOrderKey(idempotencyKey: string, orderId: string): void {
  if (idempotencyKey !== orderId)
    throw new AppError('idempotency-key-mismatch', 422, 'Idempotency-Key must be the order id', {
      detail: 'one payment per order: send the order id as the Idempotency-Key',
      extensions: { field: 'Idempotency-Key' },
    });
}
