import { createHash } from 'node:crypto';
import { AppError } from '@faultline/platform';
import type { Request } from 'express';

/** The request's `Idempotency-Key` header; required on every call that moves money. */
export function requireIdempotencyKey(req: Request): string {
  const key = req.get('idempotency-key')?.trim();
  if (!key)
    throw new AppError('idempotency-key-missing', 400, 'Idempotency-Key header required', {
      detail: 'send an Idempotency-Key header',
      extensions: { field: 'Idempotency-Key' },
    });
  if (key.length > 255)
    throw new AppError('idempotency-key-invalid', 400, 'Idempotency-Key too long', {
      detail: 'at most 255 characters',
      extensions: { field: 'Idempotency-Key' },
    });
  return key;
}

/** A stable fingerprint of a request body (keys sorted), to tell a retry from a different request under the same key. */
export function requestHash(value: unknown): string {
  const canonical = (v: unknown): unknown =>
    v !== null && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(
          Object.entries(v as Record<string, unknown>)
            .sort(([a], [b]) => a.localeCompare(b))
            .map(([k, x]) => [k, canonical(x)]),
        )
      : v;
  return createHash('sha256')
    .update(JSON.stringify(canonical(value)))
    .digest('hex');
}
