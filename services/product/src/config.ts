import { HOLD_TTL_SEC } from '@faultline/contracts';
import { authConfigShape, type RuntimeConfig, runtimeConfigShape } from '@faultline/platform';
import { z } from 'zod';

const flag = (fallback: boolean) =>
  z
    .enum(['true', 'false'])
    .default(fallback ? 'true' : 'false')
    .transform((v) => v === 'true');

/** The product service's settings, one environment variable each. */
export const configShape = {
  ...runtimeConfigShape,
  /** JWKS_URL: the user service's public keys (through the `product__user` edge); token settings. */
  ...authConfigShape,
  /** A hold older than this is a leaked hold: it expires (RESERVATION_EXPIRE_HOLDS) and the audit reports it. Tests shorten it; the lab keeps HOLD_TTL_SEC. */
  RESERVATION_HOLD_TTL_SEC: z.coerce
    .number()
    .int()
    .min(1)
    .max(7 * 86_400)
    .default(HOLD_TTL_SEC),
  /** Release holds older than the TTL automatically (on by default; off leaves them for the audit to report). */
  RESERVATION_EXPIRE_HOLDS: flag(true),
  /** How often the hold gauges are refreshed (and expired holds released, when that is on). */
  INVENTORY_SWEEP_MS: z.coerce.number().int().min(100).default(5000),
};

export type ProductConfig = RuntimeConfig & z.infer<z.ZodObject<typeof configShape>>;
