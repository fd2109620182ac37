import { type loadConfig, runtimeConfigShape } from '@faultline/platform';
import { z } from 'zod';

/** The user service's settings; each is the environment variable of the same name. */
export const configShape = {
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
  /** Lifetime of a service token (client credentials) in seconds; clients renew after half. */
  SERVICE_TOKEN_TTL_SEC: z.coerce.number().int().min(1).max(3600).default(300),
  /**
   * The services' client credentials, as JSON `{"order":"<secret>", …}` (the lab generates them);
   * what each client may ask for is `SERVICE_GRANTS` in @faultline/contracts. Unset: no client.
   */
  SERVICE_CLIENTS: z
    .string()
    .default('{}')
    .transform((text, ctx) => {
      try {
        return z.record(z.string(), z.string().min(16)).parse(JSON.parse(text));
      } catch {
        ctx.addIssue({ code: 'custom', message: 'a JSON object of client name → secret (16 characters or more)' });
        return z.NEVER;
      }
    }),
  /** Logins and registrations one address may make per minute (each); the lab raises it, all its load comes from 127.0.0.1. */
  AUTH_LIMIT_PER_ADDRESS: z.coerce.number().int().min(1).default(30),
  /** Failed logins one account may have per 15 minutes before further attempts get 429. */
  LOGIN_FAILURES_PER_ACCOUNT: z.coerce.number().int().min(1).default(10),
  /** Registrations per email address per minute. */
  REGISTRATIONS_PER_ACCOUNT: z.coerce.number().int().min(1).default(5),
  /** Password hashes computed at once, and waiting; past that a login or registration gets 503 password-hashing-busy. */
  HASHING_CONCURRENCY: z.coerce.number().int().min(1).default(4),
  HASHING_QUEUE: z.coerce.number().int().min(0).default(64),
  /** The first admin, created at start when missing; an existing account with this email is left as it is. Set both or neither. */
  ADMIN_EMAIL: z.email().max(254).optional(),
  ADMIN_PASSWORD: z.string().min(8).max(128).optional(),
};

export type UserConfig = ReturnType<typeof loadConfig<typeof configShape>>;
