import { type loadConfig, runtimeConfigShape } from '@faultline/platform';
import { z } from 'zod';

/** The user service's settings; each is the environment variable of the same name. */
export const userConfigShape = {
  ...runtimeConfigShape,
  SERVICE_NAME: z
    .string()
    .regex(/^[a-z][a-z0-9-]*$/, 'a lower-case service name')
    .default('user'),
  /** `iss` of issued tokens; other services verify against the same value. */
  JWT_ISSUER: z.string().min(1).default('faultline-user'),
  /** `aud` of issued tokens. */
  JWT_AUDIENCE: z.string().min(1).default('faultline'),
  /** Lifetime of an access token in seconds (short-lived: 15 minutes). */
  ACCESS_TOKEN_TTL_SEC: z.coerce.number().int().min(30).max(3600).default(900),
  /**
   * The first admin, created at start when missing (or given the admin role when it exists;
   * its password is then left alone). Set both or neither.
   */
  ADMIN_EMAIL: z.email().max(254).optional(),
  ADMIN_PASSWORD: z.string().min(8).max(128).optional(),
};

export type UserConfig = ReturnType<typeof loadConfig<typeof userConfigShape>>;
