import type { Request } from 'express';
import type { Principal } from './auth.js';
import { AppError, errors } from './errors.js';

/** The caller proven by the route's `auth` (the platform verified it before the handler ran); 401 if none. */
export function callerOf(req: Request): Principal {
  if (!req.principal) throw errors.unauthorized();
  return req.principal;
}

/** Longest `Idempotency-Key` any service accepts. */
export const IDEMPOTENCY_KEY_MAX_LENGTH = 255;

const keyProblem = (name: string, title: string, detail: string) => new AppError(name, 400, title, { detail, extensions: { field: 'Idempotency-Key' } });

/**
 * The request's `Idempotency-Key` header, by one rule for every service: required, 1 to 255
 * characters (trimmed). 400 `idempotency-key-missing` or `idempotency-key-invalid` otherwise.
 */
export function idempotencyKeyOf(req: Request): string {
  const key = req.get('idempotency-key')?.trim();
  if (!key) throw keyProblem('idempotency-key-missing', 'Idempotency-Key header required', 'send an Idempotency-Key header (1 to 255 characters)');
  if (key.length > IDEMPOTENCY_KEY_MAX_LENGTH)
    throw keyProblem('idempotency-key-invalid', 'Idempotency-Key too long', `an Idempotency-Key has at most ${IDEMPOTENCY_KEY_MAX_LENGTH} characters`);
  return key;
}
