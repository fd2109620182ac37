import { authConfigShape, type RuntimeConfig, runtimeConfigShape } from '@faultline/platform';
import { z } from 'zod';

const flag = z
  .enum(['true', 'false'])
  .default('false')
  .transform((v) => v === 'true');

/** The product service's settings, one environment variable each. */
export const productConfigShape = {
  ...runtimeConfigShape,
  /** JWKS_URL: the user service's public keys (through the `product__user` edge); token settings. */
  ...authConfigShape,
  /** A hold older than this is a leaked hold: the audit reports it (and it expires when RESERVATION_EXPIRE_HOLDS). */
  RESERVATION_HOLD_TTL_SEC: z.coerce
    .number()
    .int()
    .min(1)
    .max(7 * 86_400)
    .default(900),
  /** Release holds older than the TTL automatically (off by default: the audit only reports them). */
  RESERVATION_EXPIRE_HOLDS: flag,
  /** How often the hold gauges are refreshed (and expired holds released, when that is on). */
  INVENTORY_SWEEP_MS: z.coerce.number().int().min(100).default(5000),
};

export type ProductConfig = RuntimeConfig & z.infer<z.ZodObject<typeof productConfigShape>>;
