import { authConfigShape, type BaseConfig, type PolicySettingsInput, runtimeConfigShape } from '@faultline/platform';
import { z } from 'zod';

const delays = z
  .string()
  .regex(/^\d+(,\d+)*$/, 'comma-separated milliseconds, e.g. 1000,5000,30000')
  .transform((text) => text.split(',').map(Number));

/** The notification service's settings; each is the environment variable of the same name. */
export const configShape = {
  ...runtimeConfigShape,
  // A message in flight uses one connection at a time, and none while the provider is called (the
  // send runs before the short transaction that records it): the pool only has to exceed the
  // prefetch, with room for the HTTP side.
  DATABASE_POOL_MAX: z.coerce.number().int().min(1).max(100).default(25),
  /** Events handled at once (the consumer's prefetch); each waits on the provider with the bulkhead's PROVIDERS_MAX_CONCURRENT. */
  NOTIFY_PREFETCH: z.coerce.number().int().min(1).max(100).default(10),
  /** The external message provider (through the `notification__providers` edge). */
  PROVIDERS_URL: z.url(),
  ...authConfigShape,
  /** Delay before each redelivery of an event whose message could not be sent; then the dead-letter queue. */
  NOTIFY_RETRY_DELAYS_MS: delays.default([1000, 5000, 30_000]),
  /** The providers policy: timeout per attempt, attempts per delivery (the consumer retries on top), breaker, bulkhead. */
  PROVIDERS_TIMEOUT_MS: z.coerce.number().int().min(1).default(2000),
  PROVIDERS_RETRY_MAX_ATTEMPTS: z.coerce.number().int().min(1).max(10).default(2),
  PROVIDERS_BREAKER_HALF_OPEN_MS: z.coerce.number().int().min(1).default(5000),
  PROVIDERS_MAX_CONCURRENT: z.coerce.number().int().min(1).default(10),
  /** Deadline of one whole send, every attempt and backoff included (as payment's). */
  PROVIDERS_DEADLINE_MS: z.coerce.number().int().min(1).default(8000),
};

export type NotificationConfig = BaseConfig & z.infer<z.ZodObject<typeof configShape>>;

/** The providers policy settings from the config (the rest are the platform's defaults). */
export const providerPolicySettings = (config: NotificationConfig): PolicySettingsInput => ({
  timeoutMs: config.PROVIDERS_TIMEOUT_MS,
  retry: { maxAttempts: config.PROVIDERS_RETRY_MAX_ATTEMPTS },
  breaker: { halfOpenAfterMs: config.PROVIDERS_BREAKER_HALF_OPEN_MS },
  bulkhead: { maxConcurrent: config.PROVIDERS_MAX_CONCURRENT },
});
