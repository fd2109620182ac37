import { authConfigShape, type BaseConfig, type DependencyDeclarations, dependencyConfigShape, runtimeConfigShape } from '@faultline/platform';
import { z } from 'zod';

const delays = z
  .string()
  .regex(/^\d+(,\d+)*$/, 'comma-separated milliseconds, e.g. 1000,5000,30000')
  .transform((text) => text.split(',').map(Number));

/** What notification calls: configured by `PROVIDERS_URL`, `PROVIDERS_POLICY` and `PROVIDERS_DEADLINE_MS` (the platform's one convention). */
export const NOTIFICATION_DEPENDENCIES = {
  providers: {
    description: 'the message provider: one e-mail or SMS per event, its reference the idempotency key',
    // Two attempts per delivery (the consumer redelivers on top); 4 sends at once, fewer than the consumer's prefetch
    // (NOTIFY_PREFETCH, 10), so a slow provider fills the bulkhead and the other handled events wait for it.
    policy: { retry: { maxAttempts: 2 }, bulkhead: { maxConcurrent: 4 } },
    deadlineMs: 8000,
  },
} as const satisfies DependencyDeclarations;

/** The notification service's settings; each is the environment variable of the same name. */
export const configShape = {
  ...runtimeConfigShape,
  // A message in flight uses one connection at a time, and none while the provider is called (the
  // send runs before the short transaction that records it): the pool only has to exceed the
  // prefetch, with room for the HTTP side.
  DATABASE_POOL_MAX: z.coerce.number().int().min(1).max(100).default(25),
  /** Events handled at once (the consumer's prefetch); each waits on the provider's bulkhead (PROVIDERS_POLICY). */
  NOTIFY_PREFETCH: z.coerce.number().int().min(1).max(100).default(10),
  /** PROVIDERS_URL (through the `notification__providers` edge), PROVIDERS_POLICY, PROVIDERS_DEADLINE_MS. */
  ...dependencyConfigShape(NOTIFICATION_DEPENDENCIES),
  ...authConfigShape,
  /** Delay before each redelivery of an event whose message could not be sent; then the dead-letter queue. */
  NOTIFY_RETRY_DELAYS_MS: delays.default([1000, 5000, 30_000]),
};

export type NotificationConfig = BaseConfig & z.infer<z.ZodObject<typeof configShape>>;
