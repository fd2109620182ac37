import type { Request } from 'express';
import { z } from 'zod';
import type { Principal } from './auth.js';
import { AppError, errors } from './errors.js';

/** The caller proven by the route's `auth` (the platform verified it before the handler ran); 401 if none. */
export function callerOf(req: Request): Principal {
  if (!req.principal) throw errors.unauthorized();
  return req.principal;
}

/** Longest `Idempotency-Key` any service accepts. */
export const IDEMPOTENCY_KEY_MAX_LENGTH = 255;

/** Printable ASCII, no space at either end (HTTP strips those anyway). */
const KEY_PATTERN = /^[\x21-\x7e](?:[\x20-\x7e]*[\x21-\x7e])?$/;

/** The `Idempotency-Key` header as the OpenAPI documents declare it: exactly what {@link idempotencyKeyOf} accepts. */
export const idempotencyKeySchema = z
  .string()
  .min(1)
  .max(IDEMPOTENCY_KEY_MAX_LENGTH)
  .regex(KEY_PATTERN)
  .meta({ description: `the request's idempotency key: 1 to ${IDEMPOTENCY_KEY_MAX_LENGTH} printable ASCII characters` });

const keyProblem = (name: string, title: string, detail: string) => new AppError(name, 400, title, { detail, extensions: { field: 'Idempotency-Key' } });

/**
 * The request's `Idempotency-Key` header, by one rule for every service: required, 1 to 255
 * printable ASCII characters (surrounding spaces trimmed). 400 `idempotency-key-missing` or
 * `idempotency-key-invalid` otherwise. Routes declare it with `idempotencyKey: true`.
 */
export function idempotencyKeyOf(req: Request): string {
  const key = req.get('idempotency-key')?.trim();
  if (!key) throw keyProblem('idempotency-key-missing', 'Idempotency-Key header required', 'send an Idempotency-Key header (1 to 255 characters)');
  if (key.length > IDEMPOTENCY_KEY_MAX_LENGTH)
    throw keyProblem('idempotency-key-invalid', 'Idempotency-Key too long', `an Idempotency-Key has at most ${IDEMPOTENCY_KEY_MAX_LENGTH} characters`);
  if (!KEY_PATTERN.test(key))
    throw keyProblem('idempotency-key-invalid', 'Idempotency-Key not printable', 'an Idempotency-Key holds printable ASCII characters only');
  return key;
}
